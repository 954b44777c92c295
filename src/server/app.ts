import { readFileSync } from 'node:fs';
import express, { type Express, type Request, type Response, type NextFunction } from 'express';
import type { Bot } from '../core/bot.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import type { Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import type { Redis } from '../core/redis.js';
import { checkHealth } from './health.js';
import { findDownload } from '../core/downloads.js';
import { DOCUMENT_HEADERS, escapeHtml, markdownToHtml } from '../core/documents.js';
import { webChatRouter } from '../../adapters/web-chat/router.js';
import type { WebChatHistory } from '../../adapters/web-chat/history.js';
import type { WebSender } from '../../adapters/web-chat/web-sender.js';
import { projectPath } from '../core/paths.js';

/**
 * A platform adapter plugged into the one HTTP server. Slack mounts at /slack/events and Teams
 * at /api/messages; each adapter owns its path and body parsing (Slack must see the raw body).
 */
export interface AdapterMount {
  name: string;
  path: string;
  mount(app: Express): void;
}

export interface AppDeps {
  config: Config;
  db: Db;
  redis: Redis;
  logger: Logger;
  bot: Bot;
  clock: Clock;
  webSender: WebSender;
  webHistory: WebChatHistory;
  adapters: AdapterMount[];
}

/** The bot's one HTTP server: health, the web chat, and the platform adapters' mount points. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);

  app.get('/healthz', async (_req, res) => {
    const report = await checkHealth(deps.db, deps.redis);
    res.status(report.healthy ? 200 : 503).json(report.body);
  });

  app.get('/files/:id/:name', async (req, res) => {
    const file = await findDownload(deps.db, req.params.id);
    if (!file) {
      res.status(404).type('text').send('This link has expired or does not exist. Ask the bot for a new export.');
      return;
    }
    const inline = file.contentType.startsWith('image/') || file.contentType.startsWith('text/html');
    // Every generated file is served so that no script in it can run, whatever a document holds.
    res
      .type(file.contentType)
      .set(DOCUMENT_HEADERS)
      .set('Cache-Control', 'private, max-age=300')
      .set('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${file.filename}"`)
      .send(Buffer.from(file.body));
  });

  // The privacy text the registration form's consent field links to, and the terms the Teams manifest
  // names (termsOfUseUrl): docs/privacy.md and docs/terms.md, each rendered once.
  app.get('/privacy', (_req, res) => {
    res.type('html').set(DOCUMENT_HEADERS).send(docPage('privacy', 'Privacy'));
  });
  app.get('/terms', (_req, res) => {
    res.type('html').set(DOCUMENT_HEADERS).send(docPage('terms', 'Terms of use'));
  });

  for (const adapter of deps.adapters) adapter.mount(app);
  // Unconfigured platforms answer with what to set, instead of a bare 404.
  if (!deps.adapters.some((a) => a.path === '/slack/events')) {
    app.post('/slack/events', notConfigured('Slack', 'SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN'));
  }
  if (!deps.adapters.some((a) => a.path === '/api/messages')) {
    // In production without credentials Teams is off: nothing on this path reads the body or calls out.
    app.all('/api/messages', notConfigured('Teams', 'MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD'));
  }

  if (deps.config.webChatEnabled) {
    app.use('/', webChatRouter({ bot: deps.bot, db: deps.db, redis: deps.redis, config: deps.config, clock: deps.clock, logger: deps.logger, sender: deps.webSender, history: deps.webHistory }));
  } else {
    app.get('/', (_req, res) => res.type('text').send('Cluster Bot is running. The web chat is off (WEB_CHAT=off, or a platform is configured); set WEB_CHAT=on to enable it.'));
  }

  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    // Body-parser and friends mark client mistakes (malformed JSON, too large) with a 4xx status.
    if (error.status && error.status >= 400 && error.status < 500) {
      if (!res.headersSent) res.status(error.status).json({ error: clientErrorText(error) });
      return;
    }
    deps.logger.error({ err: error }, 'unhandled HTTP error');
    if (!res.headersSent) res.status(500).json({ error: 'Something went wrong on our side. Please try again.' });
  });
  return app;
}

function clientErrorText(error: { status?: number; type?: string }): string {
  if (error.type === 'entity.too.large') return 'That request is too large. Send less text at once.';
  if (error.type === 'entity.parse.failed') return 'That request is not valid JSON. Reload the page and try again.';
  return 'That request could not be read. Reload the page and try again.';
}

const docPages = new Map<string, string>();
/** A page of the docs folder as a small self-contained HTML page. */
function docPage(name: 'privacy' | 'terms', title: string): string {
  let page = docPages.get(name);
  if (!page) {
    page = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title><body style="font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em;line-height:1.45">${markdownToHtml(readFileSync(projectPath('docs', `${name}.md`), 'utf8'))}</body></html>`;
    docPages.set(name, page);
  }
  return page;
}

function notConfigured(platform: string, what: string) {
  return (_req: Request, res: Response) => {
    res.status(404).json({ error: `${platform} is not configured on this bot: set ${what}.` });
  };
}
