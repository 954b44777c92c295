import type { z } from 'zod';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Db } from './db.js';
import type { Translate } from './i18n.js';
import type { InboundEvent, Origin, OutboundMessage } from './messages.js';
import type { Role } from '../generated/prisma/enums.js';
import type { Notifier } from './notifier.js';
import type { PersonalCachePort } from './personal-cache.js';
import type { SchedulerPort } from './scheduler-port.js';
import type { QuestionDeadlinePort } from '../domain/questions/deadline-port.js';

/** Who is talking to the bot, as flows see them. */
export interface PersonContext {
  id: string;
  displayName: string;
  locale: string;
  timeZone: string;
  platform: 'SLACK' | 'TEAMS' | 'WEB';
  /**
   * Roles of the person's ACTIVE memberships anywhere, read with the person when this event
   * arrived (same round trip): for who may run a command and what help lists. A flow that
   * changes memberships must not rely on it afterwards in the same event.
   */
  roles: ReadonlySet<Role>;
}

/** What a flow may use: the database, the clock, the config, and a way to reach other people. */
export interface Services {
  db: Db;
  clock: Clock;
  config: Config;
  notifier: Notifier;
  scheduler: SchedulerPort;
  /** Plans the deadlines of questions to resource persons; absent where no queue runs (then nothing escalates). */
  questionDeadlines?: QuestionDeadlinePort;
  /** What Redis holds about a person, for forget-me; absent where no Redis is wired (some unit tests). */
  personalCache?: PersonalCachePort;
}

export interface FlowContext {
  person: PersonContext;
  t: Translate;
  services: Services;
  origin: Origin;
  /** Every command the bot knows, for help texts and buttons that must point at real commands. */
  commands: CommandSpec[];
}

/** A flow's saved position in a conversation: the step name and the step's data. */
export interface FlowPosition<S> {
  step: string;
  data: S;
}

export interface FlowResult<S> {
  replies: OutboundMessage[];
  /** New position to save; null ends the conversation; undefined leaves it as it was. */
  next?: FlowPosition<S> | null;
}

/** A command verb that starts a flow, with what help says about it. */
export interface CommandSpec {
  verb: string;
  /** i18n key of the one-line description in help. */
  summaryKey: string;
  /** i18n key of the usage line, e.g. "/lc timeline [cluster]". */
  usageKey?: string;
  /** Roles that may use it; "anyone" includes people in no cluster yet. */
  audience: 'anyone' | Role[];
  /** Shown as a button in help for that audience. */
  common?: boolean;
}

/**
 * Conversation logic over the core message model. A flow never imports a platform SDK.
 * Its data is validated with `schema` whenever it is loaded, and `version` is bumped when
 * the steps change so conversations started under the old definition are detected.
 */
export interface Flow<S = unknown> {
  name: string;
  version: number;
  schema: z.ZodType<S>;
  commands: CommandSpec[];
  /** A command (typed or from a command button) starts the flow afresh. */
  start(ctx: FlowContext, command: { verb: string; args: string }): Promise<FlowResult<S>>;
  /**
   * Every button and menu (action id → what its value carries) and every form (form id pattern) this
   * flow accepts. The core refuses any other id before the flow runs, so a new button or form cannot
   * be forgotten here, and `test/security/strangers.test.ts` sends each of them as a stranger with real
   * ids of someone else's cluster. Patterns name objects in braces: `{question}`, `{plan}|{person}`;
   * in a form id `{n}` is a number and any other `{…}` one id (no colon).
   */
  accepts?: { actions?: Record<string, string>; forms?: string[] };
  /** Buttons, form submissions and free text addressed to this flow. */
  handle?(ctx: FlowContext, event: InboundEvent, position: FlowPosition<S> | null): Promise<FlowResult<S>>;
}

/** True when the flow declares this action id or a form id pattern matching this form id. */
export function accepts(flow: Pick<Flow<unknown>, 'accepts'>, event: { type: 'action'; actionId: string } | { type: 'form'; formId: string }): boolean {
  if (event.type === 'action') return Object.hasOwn(flow.accepts?.actions ?? {}, event.actionId);
  return (flow.accepts?.forms ?? []).some((pattern) => formPattern(pattern).test(event.formId));
}

function formPattern(pattern: string): RegExp {
  const source = pattern
    .split(/(\{[a-z*]+\})/)
    .map((part) => (part === '{n}' ? '\\d+' : /^\{[a-z*]+\}$/.test(part) ? '[^:]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** Helps flows declare their state type and get checked by the compiler. */
export function defineFlow<S>(flow: Flow<S>): Flow<S> {
  return flow;
}
