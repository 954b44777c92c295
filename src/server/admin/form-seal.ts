import { createHash, createHmac } from 'node:crypto';
import { sameSecret } from '../../core/same-secret.js';

/** How long a form of the operator's view may be sent after the page showed it. */
const FORM_TTL_SECONDS = 2 * 60 * 60;

/**
 * The operator's view signs what it hands the browser with a key derived from ADMIN_TOKEN, so no
 * state is kept and any instance can check it. Basic auth is sent by the browser on every request to
 * this origin, other sites' forms included: a detach therefore also needs the form token (CSRF), which
 * only a page of /admin can carry. The result shown after a detach travels signed in the redirect, so
 * a crafted link cannot make the page claim a detach that did not happen.
 */
export class FormSeal {
  private readonly key: Buffer;

  constructor(
    adminToken: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHash('sha256').update(`cluster-bot operator forms\n${adminToken}`).digest();
  }

  /** A form token for a page shown now. */
  formToken(): string {
    const issued = Math.floor(this.now() / 1000).toString(36);
    return `${issued}.${this.mac(`form\n${issued}`)}`;
  }

  /** Whether the token came from a page of ours, shown less than two hours ago. */
  checkFormToken(token: string | undefined): boolean {
    const [issued, mac, extra] = (token ?? '').split('.');
    if (!issued || !mac || extra !== undefined || !this.sameMac(mac, `form\n${issued}`)) return false;
    const age = Math.floor(this.now() / 1000) - parseInt(issued, 36);
    return age >= -60 && age <= FORM_TTL_SECONDS;
  }

  /** A value signed for a query string (base64url JSON and its MAC). */
  seal(value: unknown): string {
    const body = Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${body}.${this.mac(`seal\n${body}`)}`;
  }

  /** The value sealed here, or undefined for anything else. */
  open(sealed: string | undefined): unknown {
    const [body, mac, extra] = (sealed ?? '').split('.');
    if (!body || !mac || extra !== undefined || !this.sameMac(mac, `seal\n${body}`)) return undefined;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  private sameMac(given: string, text: string): boolean {
    return sameSecret(given, this.mac(text));
  }
}
