import { z } from 'zod';
import { parseCommand } from '../../src/core/commands.js';
import type { InboundEvent } from '../../src/core/messages.js';
import { decodeActionId, tokenOfActionId } from './block-kit.js';

/**
 * Slack input → core InboundEvent. Pure functions over the payload parts Bolt hands us, validated
 * with zod at the edge so a malformed payload is refused here rather than deep in a flow.
 */

/**
 * "SLACK:<channel>:<thread ts>:<team id>": the opaque thread key flows see in Origin.threadKey. The
 * team is the workspace the thread lives in: with several workspaces installed, a later message into
 * it (an answer) must go out with that workspace's token, whichever of the person's workspaces they
 * were seen in last.
 */
export function threadKey(channel: string, threadTs: string, teamId?: string): string {
  return teamId && TEAM_ID.test(teamId) ? `SLACK:${channel}:${threadTs}:${teamId}` : `SLACK:${channel}:${threadTs}`;
}

const TEAM_ID = /^[TE][A-Z0-9]+$/;

/**
 * The channel, thread and workspace of a key this adapter made, or null for another platform's key.
 * Keys stored before the team was part of them name none (`teamId` undefined).
 */
export function parseThreadKey(key: string | undefined): { channel: string; threadTs: string; teamId?: string } | null {
  const match = key ? /^SLACK:([A-Z0-9]+):(\d+\.\d+)(?::([TE][A-Z0-9]+))?$/.exec(key) : null;
  if (!match) return null;
  return { channel: match[1], threadTs: match[2], ...(match[3] ? { teamId: match[3] } : {}) };
}

/** The person behind an event: team id + user id, the identity's externalId. */
export function externalIdOf(teamId: string, userId: string): string {
  return `${teamId}:${userId}`;
}

/** Direct-message channels start with D; everything else is shared with other people. */
export function isDirectChannel(channel: string | undefined): boolean {
  return Boolean(channel?.startsWith('D'));
}

/** `/lc <text>`: the core command grammar; "/lc" alone is help. */
export function fromSlashCommand(text: string): InboundEvent {
  const typed = `/lc ${text}`.trim();
  const command = parseCommand(typed) ?? { verb: 'help', args: '' };
  return { type: 'command', ...command, text: typed };
}

/** A typed message (DM or mention): "lc help" is a command, anything else an answer to the running flow. */
export function fromMessageText(raw: string): InboundEvent {
  const text = unescapeSlack(raw.replace(/<@[A-Z0-9]+>/g, '')).trim();
  const command = parseCommand(text);
  return command ? { type: 'command', ...command, text } : { type: 'text', text };
}

/** Slack sends &, < and > escaped, and links as <url|label>: give flows what the person typed. */
export function unescapeSlack(text: string): string {
  return text
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<((?:https?|mailto):[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const blockAction = z.object({
  type: z.string(),
  action_id: z.string().max(300),
  value: z.string().max(4_000).optional(),
  text: z.object({ text: z.string().max(300) }).nullish().catch(undefined),
  selected_option: z.object({ value: z.string().max(300) }).nullish(),
});

/** A button press or a select choice; null for element types flows never use. */
export function fromBlockAction(raw: unknown): { actionId: string; value: string; token?: string; label?: string } | null {
  const parsed = blockAction.safeParse(raw);
  if (!parsed.success) return null;
  const action = parsed.data;
  const actionId = decodeActionId(action.action_id);
  const token = tokenOfActionId(action.action_id);
  if (action.type === 'button') return { actionId, value: action.value ?? '', ...(token ? { token, label: action.text?.text ?? '' } : {}) };
  if (action.type === 'static_select' && action.selected_option) return { actionId, value: action.selected_option.value };
  return null;
}

const inputState = z.object({
  type: z.string(),
  value: z.string().nullish(),
  selected_date: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_options: z.array(z.object({ value: z.string() })).nullish(),
});
const viewState = z.record(z.string(), z.record(z.string(), inputState));

/** The values of a submitted modal, by field name (block_id), in the shape core forms expect. */
export function fromViewState(raw: unknown): Record<string, string | string[]> {
  const parsed = viewState.safeParse(raw ?? {});
  if (!parsed.success) return {};
  const values: Record<string, string | string[]> = {};
  for (const [blockId, actions] of Object.entries(parsed.data)) {
    for (const input of Object.values(actions)) {
      switch (input.type) {
        case 'datepicker':
          values[blockId] = input.selected_date ?? '';
          break;
        case 'static_select':
          values[blockId] = input.selected_option?.value ?? '';
          break;
        case 'multi_static_select':
          values[blockId] = (input.selected_options ?? []).map((o) => o.value);
          break;
        case 'checkboxes':
          values[blockId] = (input.selected_options ?? []).some((o) => o.value === 'true') ? 'true' : 'false';
          break;
        default:
          values[blockId] = input.value ?? '';
      }
    }
  }
  return values;
}
