import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import { htmlPage, escapeHtml } from '../../src/core/documents.js';
import { documentTranslator, supportedLanguages } from '../../src/core/i18n.js';
import { normaliseLanguage } from '../../src/core/languages.js';

/**
 * The pages a person sees while installing the bot in their workspace: "Add to Slack" at
 * /slack/install, then the outcome at /slack/oauth_redirect. In the browser's language when we
 * speak it (Accept-Language, or ?lang=), texts from locales/<lng>/install.json, every value escaped.
 */

/** The language of the request being answered (Bolt's installer renders the install page without it). */
export const pageLanguage = new AsyncLocalStorage<string>();

/** The browser's language among ours, or the bot's default. */
export function languageOfRequest(req: IncomingMessage, fallback: string): string {
  const query = new URL(req.url ?? '/', 'http://local').searchParams.get('lang');
  const supported: string[] = supportedLanguages();
  const wanted = [query ?? '', ...String(req.headers['accept-language'] ?? '').split(',').map((part) => part.split(';')[0].trim())].filter(Boolean);
  for (const tag of wanted) {
    const language = normaliseLanguage(tag);
    if (language && supported.includes(language)) return language;
  }
  return fallback;
}

const STYLE = `
body{font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;line-height:1.5;color:#1d1c1d}
h1{font-size:1.5em}
a.button{display:inline-block;background:#4a154b;color:#fff;padding:.7em 1.4em;border-radius:6px;text-decoration:none;font-weight:600}
p.note{color:#555;font-size:.92em}`;

function page(lang: string, title: string, body: string): string {
  return htmlPage({ lang, title, style: STYLE, viewport: true, body: `<h1>${escapeHtml(title)}</h1>\n${body}` });
}

/** "Add to Slack": the authorize URL (with its one-time state) behind one button. */
export function installPage(lang: string, authorizeUrl: string): string {
  const t = documentTranslator(lang);
  return page(lang, t('install:title'), `<p>${escapeHtml(t('install:intro'))}</p>
<p><a class="button" href="${escapeHtml(authorizeUrl)}">${escapeHtml(t('install:button'))}</a></p>
<p class="note">${escapeHtml(t('install:consent'))}</p>`);
}

export function successPage(lang: string, workspace: { name?: string; teamId?: string }): string {
  const t = documentTranslator(lang);
  const text = workspace.name ? t('install:success', { workspace: workspace.name }) : t('install:successNoName');
  const open = workspace.teamId && /^T[A-Z0-9]+$/.test(workspace.teamId) ? `\n<p><a class="button" href="https://app.slack.com/client/${workspace.teamId}">${escapeHtml(t('install:openSlack'))}</a></p>` : '';
  return page(lang, t('install:successTitle'), `<p>${escapeHtml(text)}</p>${open}`);
}

/** Why an install did not finish: the person cancelled, the link was stale or reused, or Slack refused. */
export type InstallFailure = 'cancelled' | 'state' | 'other';

export function failurePage(lang: string, why: InstallFailure): string {
  const t = documentTranslator(lang);
  const text = t(why === 'cancelled' ? 'install:failureCancelled' : why === 'state' ? 'install:failureState' : 'install:failureOther');
  return page(lang, t('install:failureTitle'), `<p>${escapeHtml(text)}</p>
<p><a class="button" href="/slack/install">${escapeHtml(t('install:startAgain'))}</a></p>`);
}
