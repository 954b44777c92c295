import { z } from 'zod';
import { defineFlow, type FlowContext } from '../../src/core/flow.js';
import { escapeMarkup } from '../../src/core/markup.js';
import { ui } from '../../src/core/messages.js';
import { coordinatedProgrammes } from '../../src/domain/clusters/assignment.js';
import {
  attachWorkspace, detachWorkspace, listProgrammeWorkspaces, workspaceRefSchema, workspaceWrittenFrom, type WorkspaceRef,
} from '../../src/domain/programme-workspaces.js';

/**
 * `/lc programme workspaces | attach [workspace] | detach [workspace]`: a coordinator lists, attaches and
 * detaches the Slack workspaces and Teams tenants of their programme (docs/clusters.md, "Workspaces are
 * boundaries"). Without a workspace named, the one the command came from. A coordinator in several
 * programmes names one of its clusters first (`/lc programme attach LC1`). Both changes are safe to repeat.
 */
const argsSchema = z.object({
  action: z.enum(['workspaces', 'attach', 'detach']),
  clusterCode: z.string().optional(),
  workspace: z.string().optional(),
});

/** A typed workspace: a Slack team id (T…) or enterprise id (E…), or `teams:<tenant id>`. */
function parseWorkspace(text: string): WorkspaceRef | null {
  const teams = /^teams:(.+)$/i.exec(text);
  const parsed = workspaceRefSchema.safeParse(teams ? { platform: 'teams', externalId: teams[1] } : { platform: 'slack', externalId: text.toUpperCase() });
  if (!parsed.success) return null;
  if (parsed.data.platform === 'slack' && !/^[TE][A-Z0-9]+$/.test(parsed.data.externalId)) return null;
  return { platform: parsed.data.platform, externalId: parsed.data.externalId };
}

export const programmeWorkspacesFlow = defineFlow({
  name: 'programme-workspaces',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'programme', summaryKey: 'clusters:summary.programme', audience: ['COORDINATOR'] }],
  async start(ctx, { args }) {
    const reply = (text: string) => ({ replies: [ui.text(text, { ephemeral: true })], next: null });
    const words = args.trim().split(/\s+/).filter(Boolean);
    if (words.length > 3) return reply(ctx.t('clusters:workspaces.usage'));
    const parsed = argsSchema.safeParse({ action: (words[0] ?? 'workspaces').toLowerCase(), ...splitRest(words.slice(1)) });
    if (!parsed.success) return reply(ctx.t('clusters:workspaces.usage'));
    const { action, clusterCode, workspace } = parsed.data;
    const db = ctx.services.db;

    const programmes = await coordinatedProgrammes(db, ctx.person.id);
    let programme = programmes.length === 1 ? programmes[0] : undefined;
    if (clusterCode) {
      const cluster = await db.cluster.findFirst({ where: { code: clusterCode.toUpperCase(), programmeId: { in: programmes.map((p) => p.id) } }, select: { programme: { select: { id: true, name: true } } } });
      programme = cluster?.programme;
    }
    if (programmes.length === 0) return reply(ctx.t('clusters:workspaces.noProgramme'));
    if (!programme) return reply(ctx.t('clusters:workspaces.whichProgramme', { action }));
    const programmeName = escapeMarkup(programme.name);

    if (action === 'workspaces') return reply(await listing(ctx, programme.id, programmeName));

    let target: WorkspaceRef | null;
    if (workspace) {
      target = parseWorkspace(workspace);
      if (!target) return reply(ctx.t('clusters:workspaces.badId', { text: escapeMarkup(workspace) }));
    } else {
      target = await currentWorkspace(ctx);
      if (!target) return reply(ctx.t('clusters:workspaces.noCurrent'));
    }
    const label = describe(ctx, target);
    if (action === 'attach') {
      const { created } = await attachWorkspace(db, programme.id, target, ctx.person.id);
      return reply(ctx.t(created ? 'clusters:workspaces.attached' : 'clusters:workspaces.alreadyAttached', { workspace: label, programme: programmeName }));
    }
    const { removed, reopened } = await detachWorkspace(db, programme.id, target);
    const key = !removed ? 'clusters:workspaces.notAttached' : reopened ? 'clusters:workspaces.detachedReopened' : 'clusters:workspaces.detached';
    return reply(ctx.t(key, { workspace: label, programme: programmeName }));
  },
  accepts: { actions: {}, forms: [] },
  async handle(ctx) {
    return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
  },
});

/** After the action: an optional cluster code (LC1) and an optional workspace, in that order. */
function splitRest(rest: string[]): { clusterCode?: string; workspace?: string } {
  if (rest.length === 2) return { clusterCode: rest[0], workspace: rest[1] };
  if (rest.length === 1) return parseWorkspace(rest[0]) ? { workspace: rest[0] } : /^[A-Za-z][A-Za-z0-9-]{0,11}$/.test(rest[0]) && !/^teams:/i.test(rest[0]) ? { clusterCode: rest[0] } : { workspace: rest[0] };
  return {};
}

/** The workspace the command came from: the person's identity on this platform. */
function currentWorkspace(ctx: FlowContext): Promise<WorkspaceRef | null> {
  return workspaceWrittenFrom(ctx.services.db, ctx.person.id, ctx.person.platform);
}

function describe(ctx: FlowContext, w: WorkspaceRef, name?: string | null): string {
  return ctx.t(`clusters:workspaces.platform.${w.platform}`, { id: escapeMarkup(w.externalId) }) + (name ? ` (${escapeMarkup(name)})` : '');
}

async function listing(ctx: FlowContext, programmeId: string, programmeName: string): Promise<string> {
  const attached = await listProgrammeWorkspaces(ctx.services.db, programmeId);
  if (attached.length === 0) return ctx.t('clusters:workspaces.none', { programme: programmeName });
  return [ctx.t('clusters:workspaces.list', { programme: programmeName }), ...attached.map((w) => `• ${describe(ctx, w, w.name)}`)].join('\n');
}
