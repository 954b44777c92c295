import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../core/db.js';
import type { Logger } from '../../core/logger.js';
import { fromOtherSite } from '../../core/same-site.js';
import type { AdapterMount } from '../app.js';
import { requireAdminToken } from '../admin-token.js';
import { detachInstallation } from '../../../adapters/slack/detach.js';
import type { OAuthWorkspaces } from '../../../adapters/slack/installations.js';
import { languageOfRequest } from '../../../adapters/slack/install-pages.js';
import { FormSeal } from './form-seal.js';
import { operatorOverview, type SlackView } from './overview.js';
import { ADMIN_PATH, confirmPage, DETACH_PATH, overviewPage, refusedPage, workspaceLabel, type DetachResult } from './page.js';

export interface AdminDeps {
  adminToken: string | undefined;
  db: Db;
  logger: Logger;
  publicUrl: string;
  defaultLocale: string;
  slackMode: SlackView['mode'];
  /** OAuth mode's installations (detach drops this process's cached token at once). */
  oauthWorkspaces?: OAuthWorkspaces;
}

/**
 * The pages operators see and nobody else: no script, forms only to this origin, never cached,
 * never framed, no referrer to other sites (the page names workspaces).
 */
const ADMIN_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the page's own forms.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
} as const;

/** A detach as the page's forms send it; Slack team and enterprise ids are upper-case letters and digits. */
const detachForm = z.object({
  installationKey: z.string().regex(/^[A-Z0-9]{2,40}$/),
  name: z.string().max(300).optional(),
  csrf: z.string().max(200).optional(),
  confirm: z.literal('yes').optional(),
});

const detachResult = z.union([
  z.object({ outcome: z.literal('detached'), workspace: z.string().max(300), people: z.number().int().min(0) }),
  z.object({ outcome: z.literal('alreadyGone'), workspace: z.string().max(300) }),
]);

/**
 * The operator's view at /admin (issue 21): installations and tenants with their programmes, reach
 * and last activity, and a two-step Detach per Slack installation. Behind ADMIN_TOKEN like the queue
 * dashboard; without it the paths do not exist (404).
 */
export function adminMount(deps: AdminDeps): AdapterMount {
  return {
    name: 'operator-view',
    path: ADMIN_PATH,
    mount(app) {
      if (!deps.adminToken) {
        const off = (_req: Request, res: Response) => void res.status(404).type('text').send("The operator's view is off: set ADMIN_TOKEN to enable it.");
        app.all(ADMIN_PATH, off);
        app.all(DETACH_PATH, off);
        return;
      }
      const seal = new FormSeal(deps.adminToken);
      const auth = requireAdminToken(deps.adminToken);
      const lang = (req: Request) => languageOfRequest(req, deps.defaultLocale);
      const send = (res: Response, status: number, html: string) => void res.status(status).type('html').set(ADMIN_HEADERS).send(html);

      app.get(ADMIN_PATH, auth, async (req, res, next) => {
        try {
          const opened = detachResult.safeParse(seal.open(typeof req.query.result === 'string' ? req.query.result : undefined));
          const overview = await operatorOverview(deps.db, deps.slackMode);
          send(res, 200, overviewPage(lang(req), overview, seal.formToken(), opened.success ? (opened.data as DetachResult) : undefined));
        } catch (error) {
          next(error);
        }
      });

      app.post(DETACH_PATH, auth, express.urlencoded({ extended: false, limit: '4kb' }), async (req, res, next) => {
        try {
          if (fromOtherSite(req.headers, deps.publicUrl)) return send(res, 403, refusedPage(lang(req), 'refused'));
          const form = detachForm.safeParse(req.body);
          if (!form.success) return send(res, 400, refusedPage(lang(req), 'invalid'));
          if (!seal.checkFormToken(form.data.csrf)) {
            deps.logger.warn({ operatorAction: 'detach', installationKey: form.data.installationKey }, 'operator detach refused: form token missing, forged or expired');
            return send(res, 403, refusedPage(lang(req), 'refused'));
          }
          const workspaces = deps.oauthWorkspaces;
          if (!workspaces) return send(res, 404, refusedPage(lang(req), 'nothingToDetach'));
          const { installationKey } = form.data;
          const row = await deps.db.slackInstallation.findUnique({ where: { installationKey }, select: { installationKey: true, teamName: true, enterpriseName: true, isEnterpriseInstall: true } });
          const name = row ? workspaceLabel({ installationKey, name: (row.isEnterpriseInstall ? row.enterpriseName : row.teamName) ?? row.teamName ?? row.enterpriseName }) : (form.data.name || installationKey);
          if (form.data.confirm !== 'yes') return send(res, 200, confirmPage(lang(req), { installationKey, name }, seal.formToken()));
          const detached = await detachInstallation(deps.db, workspaces, installationKey);
          deps.logger.info({ operatorAction: 'detach', installationKey, workspace: name, ...detached, from: req.ip }, detached.removed ? 'operator detached a slack installation' : 'operator detach: installation was already gone');
          const result: DetachResult = detached.removed ? { outcome: 'detached', workspace: name, people: detached.peopleMarked } : { outcome: 'alreadyGone', workspace: name };
          // Post/redirect/get: reloading the page afterwards shows the result again and sends nothing.
          res.redirect(303, `${ADMIN_PATH}?result=${seal.seal(result)}`);
        } catch (error) {
          next(error);
        }
      });
    },
  };
}
