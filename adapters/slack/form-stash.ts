import { randomBytes } from 'node:crypto';
import type { Form } from '../../src/core/messages.js';
import type { Redis } from '../../src/core/redis.js';
import type { ReplyTarget } from './reply-target.js';

/** Forms waiting behind an "Open the form" button live this long (a nudge may be read days later). */
const PENDING_FORM_TTL_SECONDS = 7 * 24 * 3600;
/** A modal session (long forms, big metadata) lives as long as someone may keep a modal open. */
const SESSION_TTL_SECONDS = 24 * 3600;

/** What a modal needs to remember between its pages and its submission. */
export interface ModalSession {
  form: Form;
  target: ReplyTarget;
  /** Values of the pages already submitted (long forms). */
  values: Record<string, string | string[]>;
}

/**
 * Redis storage for what does not fit into Slack's payloads: a form that could not open as a
 * modal in time (no trigger_id, or it expired) and modal sessions larger than private_metadata.
 * Redis, not memory, so the instance that receives the button press need not be the one that stored it.
 */
export class FormStash {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(kind: string, id: string): string {
    return `${this.prefix}:slack:${kind}:${id}`;
  }

  /** Keeps a form for an "Open the form" button; returns the id the button carries. */
  async putPendingForm(form: Form, target: ReplyTarget): Promise<string> {
    const id = randomBytes(12).toString('base64url');
    await this.redis.set(this.key('form', id), JSON.stringify({ form, target }), 'EX', PENDING_FORM_TTL_SECONDS);
    return id;
  }

  async getPendingForm(id: string): Promise<{ form: Form; target: ReplyTarget } | null> {
    if (!/^[\w-]{1,40}$/.test(id)) return null;
    const raw = await this.redis.get(this.key('form', id));
    return raw ? (JSON.parse(raw) as { form: Form; target: ReplyTarget }) : null;
  }

  async putSession(session: ModalSession, id = randomBytes(12).toString('base64url')): Promise<string> {
    await this.redis.set(this.key('modal', id), JSON.stringify(session), 'EX', SESSION_TTL_SECONDS);
    return id;
  }

  async getSession(id: string): Promise<ModalSession | null> {
    if (!/^[\w-]{1,40}$/.test(id)) return null;
    const raw = await this.redis.get(this.key('modal', id));
    return raw ? (JSON.parse(raw) as ModalSession) : null;
  }

  async dropSession(id: string): Promise<void> {
    await this.redis.del(this.key('modal', id));
  }
}
