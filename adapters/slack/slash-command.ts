import type { Response } from 'express';
import { z } from 'zod';
import type { InboundEvent } from '../../src/core/messages.js';
import type { Logger } from '../../src/core/logger.js';
import type { EventDedupe } from './event-dedupe.js';
import { fromSlashCommand, isDirectChannel } from './inbound.js';
import type { ReplyTarget } from './reply-target.js';
import type { SlackWorkspaces } from './workspace-clients.js';

/**
 * A slash command as Slack posts it (a form), the fields the bot reads. Only what Bolt's path needed
 * is required; the rest may be missing (the reply then goes by channel or DM instead of response_url).
 */
export const slashCommandSchema = z.object({
  command: z.string().min(1).max(100),
  // No limit of its own: the core answers an over-long command with a sentence (bot.ts, checkLength).
  text: z.string().default(''),
  team_id: z.string().min(1).max(40),
  enterprise_id: z.string().max(40).optional(),
  /** "true" when the command came through an org-wide (Enterprise Grid) install: Slack sends a string. */
  is_enterprise_install: z.string().optional(),
  user_id: z.string().min(1).max(40),
  channel_id: z.string().max(40).optional(),
  response_url: z.string().max(2_000).optional(),
  trigger_id: z.string().max(200).optional(),
});
export type SlashCommand = z.infer<typeof slashCommandSchema>;

/** The bot's own command; any other slash command pointed at its URL only gets a sentence back. */
export function isOurCommand(command: string): boolean {
  return /^\/lc/.test(command);
}

/** Where the answers to a command go: its response_url, or the channel it was typed in. */
export function replyTargetOf(command: SlashCommand, enterpriseId: string | undefined): ReplyTarget {
  return {
    teamId: command.team_id,
    ...(enterpriseId ? { enterpriseId } : {}),
    userId: command.user_id,
    responseUrl: command.response_url,
    channel: command.channel_id,
    direct: isDirectChannel(command.channel_id),
  };
}

/** What the direct path needs from the adapter. */
export interface DirectSlashCommandDeps {
  workspaces: SlackWorkspaces;
  dedupe: EventDedupe;
  logger: Logger;
  /** The sentences of the two refusals, in the deployment's language. */
  texts: { unknownCommand: () => string; unreadable: () => string };
  /** Runs work after the ack, tracked for shutdown (SlackAdapter.afterAck). */
  afterAck(what: string, work: () => Promise<unknown>): void;
  /** The command's work: the bot's answer, delivered to the target (SlackAdapter.handleAndDeliver). */
  run(target: ReplyTarget, event: InboundEvent, trigger: { id: string; at: number }): Promise<void>;
}

/**
 * Slack slash commands over HTTP, acked and parsed here instead of in Bolt. The payload guard has already
 * checked the signature and the timestamp (payload-guard.ts) and parsed the form; Bolt would check and
 * parse again, then run its middleware chain, for a request whose whole answer is an empty 200.
 *
 * What it keeps of Bolt's path: the workspace is authorised before the ack, as Bolt's `authorize` does
 * (OAuth mode: its installation, by enterprise and team id; a workspace without one gets Bolt's answer,
 * an empty 200, and nothing runs); the ack comes first and the work after it, through the same
 * `afterAck` (tracked for shutdown) into the bot's admission gate and request deadline; the same
 * InboundEvent and reply target. And one thing Bolt did not do for commands: a delivery Slack marks as a
 * retry (X-Slack-Retry-Num) of a trigger_id already seen has no effect, whichever instance it reaches (a
 * command without that mark is always a command: Slack gives each its own trigger_id). Socket Mode does
 * not come here: Bolt's listener serves it, building the target with the same `replyTargetOf`.
 */
export function directSlashCommands(deps: DirectSlashCommandDeps) {
  return async (form: unknown, delivery: { retried: boolean }, res: Response): Promise<void> => {
    const parsed = slashCommandSchema.safeParse(form);
    if (!parsed.success) {
      deps.logger.warn('slack request refused: signed, but not a slash command the bot can read');
      res.status(400).json({ error: deps.texts.unreadable() });
      return;
    }
    const command = parsed.data;
    if (!isOurCommand(command.command)) {
      // Another slash command pointed at this URL: a sentence at once, instead of Slack's timeout error.
      res.json({ response_type: 'ephemeral', text: deps.texts.unknownCommand() });
      return;
    }
    const received = Date.now();
    let enterpriseId: string | undefined;
    try {
      const auth = await deps.workspaces.authFor({ teamId: command.team_id, enterpriseId: command.enterprise_id || undefined, isEnterpriseInstall: command.is_enterprise_install === 'true' });
      enterpriseId = auth.enterpriseId || command.enterprise_id || undefined;
    } catch (error) {
      // Bolt's answer to a request it cannot authorise: an empty 200, and no listener runs.
      deps.logger.warn({ err: String(error), teamId: command.team_id }, 'slack command refused: the workspace could not be authorised');
      res.status(200).end();
      return;
    }
    const target = replyTargetOf(command, enterpriseId);
    const triggerId = command.trigger_id ?? '';
    // Every command's trigger_id is noted (sent before the ack, so it is in Redis before any retry can ask);
    // only a delivery Slack marks as a retry waits for the answer and stops if the trigger_id was seen.
    const first = triggerId
      ? deps.dedupe.firstDelivery(`command:${triggerId}`).catch((error) => {
          // Without Redis we cannot tell; answering twice is better than never answering.
          deps.logger.warn({ err: String(error) }, 'slack command dedupe unavailable');
          return true;
        })
      : Promise.resolve(true);
    // Registered before the ack, so whoever sees the ack also sees the pending work.
    deps.afterAck('command', async () => {
      if (delivery.retried && !(await first)) return;
      await deps.run(target, fromSlashCommand(command.text), { id: triggerId, at: received });
    });
    res.status(200).end();
  };
}
