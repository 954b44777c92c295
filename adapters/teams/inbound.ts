import type { Activity } from 'botbuilder';
import { z } from 'zod';
import { parseCommand } from '../../src/core/commands.js';
import type { Form, InboundEvent, Origin } from '../../src/core/messages.js';
import { DATA_KEYS } from './cards.js';
import { threadKeyOf } from './conversation-ref.js';

/** The values a card submits: strings (inputs) plus our own lc* keys; anything else is refused. */
const submittedData = z.record(z.string().max(100), z.unknown());
const inputValue = z.union([z.string().max(20_000), z.number(), z.boolean()]).transform((v) => String(v));
const selectData = z.object({ [DATA_KEYS.select]: z.string().min(1).max(200), [DATA_KEYS.selectInput]: z.string().max(50) });
const actionData = z.object({ [DATA_KEYS.action]: z.string().min(1).max(200), [DATA_KEYS.value]: z.union([z.string(), z.number()]).optional() });
const formData = z.object({ [DATA_KEYS.form]: z.string().min(1).max(200), [DATA_KEYS.multi]: z.array(z.string().max(100)).max(50).optional() });
const marksData = z.object({ [DATA_KEYS.token]: z.string().regex(/^[\w-]{1,64}$/).optional().catch(undefined), [DATA_KEYS.label]: z.string().max(200).optional().catch(undefined) });

/** The token and label of a used card action, when the card carried them. */
function marksOf(raw: Record<string, unknown>): { token?: string; label?: string } {
  const marks = marksData.parse(raw);
  return { ...(marks[DATA_KEYS.token] ? { token: marks[DATA_KEYS.token] } : {}), ...(marks[DATA_KEYS.label] ? { label: marks[DATA_KEYS.label] } : {}) };
}

/** Where a Teams event happened, as the core needs it. */
export function originOf(activity: Partial<Activity>): Origin {
  const type = activity.conversation?.conversationType;
  return { direct: !type || type === 'personal', threadKey: activity.conversation?.id && activity.id ? threadKeyOf(activity.conversation.id, activity.id) : undefined };
}

/**
 * Typed text → a command or free text. In a personal chat "help" (a known verb, no prefix) is a
 * command; elsewhere the bot only hears messages that @mention it, and the mention is removed first.
 * A bare word that is no verb stays free text, so a running flow can still ask open questions.
 */
export function textToEvent(text: string, knownVerbs: Set<string>): InboundEvent | null {
  const trimmed = text.replace(/\u00a0/g, ' ').trim();
  if (!trimmed) return null;
  const prefixed = parseCommand(trimmed);
  if (prefixed) return { type: 'command', ...prefixed, text: trimmed };
  const bare = parseCommand(trimmed, { allowBare: true });
  if (bare && knownVerbs.has(bare.verb)) return { type: 'command', ...bare, text: trimmed };
  return { type: 'text', text: trimmed };
}

/**
 * The data of a submitted card (Action.Submit in a message, adaptiveCard/action or task/submit
 * invoke) → a button action or a form submission. Returns null for data no card of ours made.
 */
export function submissionToEvent(value: unknown): InboundEvent | null {
  const data = submittedData.safeParse(value);
  if (!data.success) return null;
  const raw = data.data;
  const form = formData.safeParse(raw);
  if (form.success) {
    const multi = new Set(form.data[DATA_KEYS.multi] ?? []);
    const values: Record<string, string | string[]> = {};
    for (const [key, v] of Object.entries(raw)) {
      if (key.startsWith('lc') || key === 'msteams') continue;
      const parsed = inputValue.safeParse(v);
      if (!parsed.success) continue;
      values[key] = multi.has(key) ? parsed.data.split(',').filter(Boolean) : parsed.data;
    }
    return { type: 'form', formId: form.data[DATA_KEYS.form], values, ...marksOf(raw) };
  }
  const select = selectData.safeParse(raw);
  if (select.success) {
    const chosen = inputValue.safeParse(raw[select.data[DATA_KEYS.selectInput]]);
    return { type: 'action', actionId: select.data[DATA_KEYS.select], value: chosen.success ? chosen.data : '' };
  }
  const action = actionData.safeParse(raw);
  if (action.success) return { type: 'action', actionId: action.data[DATA_KEYS.action], value: String(action.data[DATA_KEYS.value] ?? ''), ...marksOf(raw) };
  return null;
}

const formSchema: z.ZodType<Form> = z.object({
  formId: z.string().min(1).max(200),
  title: z.string().max(500),
  submitLabel: z.string().max(100),
  token: z.string().regex(/^[\w-]{1,64}$/).optional(),
  intro: z.string().max(5_000).optional(),
  errors: z.record(z.string(), z.string()).optional(),
  fields: z
    .array(
      z.object({
        name: z.string().max(100),
        label: z.string().max(500),
        kind: z.enum(['text', 'textarea', 'number', 'date', 'select', 'multiselect', 'checkbox', 'email']),
        required: z.boolean().optional(),
        maxLength: z.number().optional(),
        hint: z.string().max(2_000).optional(),
        placeholder: z.string().max(500).optional(),
        options: z.array(z.object({ label: z.string(), value: z.string() })).optional(),
        initial: z.union([z.string(), z.array(z.string())]).optional(),
      }),
    )
    .max(100),
});

/** The form a "open the form" button carried (task/fetch); null when the data is not ours. */
export function dialogFormOf(value: unknown): Form | null {
  const data = z.object({ data: z.object({ [DATA_KEYS.dialog]: formSchema }) }).safeParse(value);
  return data.success ? data.data.data[DATA_KEYS.dialog] : null;
}
