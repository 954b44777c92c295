import { randomBytes } from 'node:crypto';
import { COMMAND_ACTION, type Block, type Button, type OutboundMessage } from './messages.js';

/**
 * One-time tokens for buttons and forms. Every message leaving the core passes through
 * `withTokens`, so no flow can forget it: each button that acts (not `repeatable`, not a command)
 * and each form gets a fresh random token, which adapters carry through the platform and back in
 * the InboundEvent. The ledger (action-ledger.ts) lets each token act once per person.
 */

/** A fresh token: 96 random bits, URL-safe (fits Slack's action_id and every payload). */
export function newToken(): string {
  return randomBytes(12).toString('base64url');
}

/** Whether pressing this button acts (and so needs a token), rather than only showing something. */
export function actsOnce(button: Button): boolean {
  return !button.repeatable && button.actionId !== COMMAND_ACTION;
}

/**
 * The message with a token on every acting button and every form that has none yet. Tokens
 * already there are kept: an "already done" answer repeats its stored outcome with the same
 * buttons, so pressing one of them still acts once. Returns the same object when nothing changes.
 */
export function withTokens(message: OutboundMessage): OutboundMessage {
  let changed = false;
  const blocks = message.blocks.map((block): Block => {
    if (block.type === 'form' && !block.form.token) {
      changed = true;
      return { ...block, form: { ...block.form, token: newToken() } };
    }
    if (block.type === 'actions' && block.elements.some((e) => e.type === 'button' && actsOnce(e) && !e.token)) {
      changed = true;
      return { ...block, elements: block.elements.map((e) => (e.type === 'button' && actsOnce(e) && !e.token ? { ...e, token: newToken() } : e)) };
    }
    return block;
  });
  return changed ? { ...message, blocks } : message;
}

/** The message as it was before tokens: for content hashes that must not change when a message is sent again. */
export function withoutTokens(message: OutboundMessage): OutboundMessage {
  return {
    ...message,
    blocks: message.blocks.map((block): Block => {
      if (block.type === 'form' && block.form.token) return { ...block, form: { ...block.form, token: undefined } };
      if (block.type === 'actions') return { ...block, elements: block.elements.map((e) => (e.type === 'button' && e.token ? { ...e, token: undefined } : e)) };
      return block;
    }),
  };
}
