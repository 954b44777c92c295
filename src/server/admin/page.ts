import { escapeHtml, htmlPage } from '../../core/documents.js';
import { documentTranslator, type Translate } from '../../core/i18n.js';
import type { OperatorOverview, Reach, SlackInstallationView, TenantView } from './overview.js';

/**
 * The operator's view as HTML: texts from locales/<lng>/admin.json in the browser's language, every
 * value escaped (workspace names and ids come from Slack and Teams admins). Tables on a wide screen,
 * one card per row on a phone, so nothing scrolls sideways at 390 px.
 */

export const ADMIN_PATH = '/admin';
export const DETACH_PATH = '/admin/detach';

const STYLE = `
body{font-family:system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;line-height:1.45;color:#1d1c1d}
h1{font-size:1.5em;margin-bottom:.2em}
h2{font-size:1.2em;margin-top:1.8em}
nav a{color:#1264a3}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.5em;border-bottom:1px solid #ddd}
td{overflow-wrap:anywhere}
th{font-size:.9em;color:#444}
.id,.scopes{font-family:ui-monospace,monospace;font-size:.85em;color:#555}
.muted{color:#555;font-size:.92em}
.banner{background:#e8f5e9;border-left:4px solid #2e7d32;padding:.7em 1em;margin:1em 0}
.banner.plain{background:#f4f4f4;border-color:#888}
.banner.refused{background:#fdecea;border-color:#b3261e}
button{background:#b3261e;color:#fff;border:0;padding:.5em 1em;border-radius:6px;font:inherit;cursor:pointer}
td button{white-space:nowrap}
.actions button{text-align:left;overflow-wrap:anywhere}
.actions form{min-width:0}
form{margin:0}
.actions{display:flex;gap:1em;align-items:center;flex-wrap:wrap;margin-top:1.2em}
@media (max-width:44em){
  table,tbody,tr,td{display:block;width:auto}
  thead{display:none}
  tr{border:1px solid #ddd;border-radius:8px;margin:0 0 1em;padding:.4em .8em}
  td{border:0;padding:.3em 0}
  td::before{content:attr(data-label);display:block;font-size:.8em;color:#555;font-weight:600}
}`;

/** What the banner at the top says after a detach (carried signed through the redirect). */
export type DetachResult = { outcome: 'detached'; workspace: string; people: number } | { outcome: 'alreadyGone'; workspace: string };

function page(lang: string, title: string, body: string): string {
  return htmlPage({ lang, title, style: STYLE, viewport: true, body: `<h1>${escapeHtml(title)}</h1>\n${body}` });
}

const when = (date: Date | null, t: Translate) => (date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : t('admin:never'));

function cell(label: string, html: string): string {
  return `<td data-label="${escapeHtml(label)}">${html}</td>`;
}

function reachCells(reach: Reach, t: Translate): string {
  const programmes = reach.programmes.length ? reach.programmes.map(escapeHtml).join('<br>') : `<span class="muted">${escapeHtml(t('admin:noProgrammes'))}</span>`;
  return [cell(t('admin:col.programmes'), programmes), cell(t('admin:col.people'), String(reach.peopleReached)), cell(t('admin:col.lastActivity'), escapeHtml(when(reach.lastActivity, t)))].join('');
}

function head(t: Translate, columns: string[]): string {
  return `<thead><tr>${columns.map((c) => `<th scope="col">${escapeHtml(t(`admin:col.${c}`))}</th>`).join('')}</tr></thead>`;
}

/** The workspace's name as shown: its name, or its id when Slack gave none. */
export function workspaceLabel(installation: Pick<SlackInstallationView, 'name' | 'installationKey'>): string {
  return installation.name ?? installation.installationKey;
}

function installationRow(row: SlackInstallationView, t: Translate, formToken: string): string {
  const label = workspaceLabel(row);
  const ids = [row.teamId, row.enterpriseId].filter((id): id is string => Boolean(id) && id !== row.installationKey);
  const workspace = `<strong>${escapeHtml(label)}</strong><br><span class="id">${escapeHtml([row.installationKey, ...ids].join(' · '))}</span><br><span class="muted">${escapeHtml(t(row.orgWide ? 'admin:slack.orgWide' : 'admin:slack.oneWorkspace'))}</span>`;
  const installer = row.installerUserId ? `${row.installerName ? `${escapeHtml(row.installerName)}<br>` : ''}<span class="id">${escapeHtml(row.installerUserId)}</span>` : '–';
  const form = `<form method="post" action="${DETACH_PATH}"><input type="hidden" name="installationKey" value="${escapeHtml(row.installationKey)}"><input type="hidden" name="name" value="${escapeHtml(label)}"><input type="hidden" name="csrf" value="${escapeHtml(formToken)}"><button type="submit">${escapeHtml(t('admin:detach.button'))}</button></form>`;
  return `<tr>${cell(t('admin:col.workspace'), workspace)}${cell(t('admin:col.installedAt'), escapeHtml(when(row.installedAt, t)))}${cell(t('admin:col.installer'), installer)}${cell(t('admin:col.scopes'), `<span class="scopes">${escapeHtml(row.scopes.join(', ') || '–')}</span>`)}${reachCells(row, t)}${cell(t('admin:col.action'), form)}</tr>`;
}

function slackSection(overview: OperatorOverview, t: Translate, formToken: string): string {
  const slack = overview.slack;
  const heading = `<h2>${escapeHtml(t('admin:slack.heading'))}</h2>`;
  if (slack.mode === 'off') return `${heading}\n<p class="muted">${escapeHtml(t('admin:slack.off'))}</p>`;
  if (slack.mode === 'single') {
    const workspace = `<strong>${escapeHtml(t('admin:slack.single'))}</strong>${slack.teamIds.length ? `<br><span class="id">${escapeHtml(slack.teamIds.join(' · '))}</span>` : ''}`;
    return `${heading}\n<p class="muted">${escapeHtml(t('admin:slack.singleNote'))}</p>
<table>${head(t, ['workspace', 'programmes', 'people', 'lastActivity'])}<tbody><tr>${cell(t('admin:col.workspace'), workspace)}${reachCells(slack.reach, t)}</tr></tbody></table>`;
  }
  if (!slack.installations.length) return `${heading}\n<p>${escapeHtml(t('admin:slack.none'))}</p>`;
  return `${heading}\n<p class="muted">${escapeHtml(t('admin:slack.intro'))}</p>
<table>${head(t, ['workspace', 'installedAt', 'installer', 'scopes', 'programmes', 'people', 'lastActivity', 'action'])}<tbody>
${slack.installations.map((row) => installationRow(row, t, formToken)).join('\n')}
</tbody></table>`;
}

function tenantRow(row: TenantView, t: Translate): string {
  const tenant = `${row.name ? `<strong>${escapeHtml(row.name)}</strong><br>` : ''}<span class="id">${escapeHtml(row.tenantId)}</span>`;
  return `<tr>${cell(t('admin:col.tenant'), tenant)}${reachCells(row, t)}</tr>`;
}

function teamsSection(overview: OperatorOverview, t: Translate): string {
  const heading = `<h2>${escapeHtml(t('admin:teams.heading'))}</h2>`;
  if (!overview.teams.length) return `${heading}\n<p>${escapeHtml(t('admin:teams.none'))}</p>`;
  return `${heading}\n<p class="muted">${escapeHtml(t('admin:teams.intro'))}</p>
<table>${head(t, ['tenant', 'programmes', 'people', 'lastActivity'])}<tbody>
${overview.teams.map((row) => tenantRow(row, t)).join('\n')}
</tbody></table>`;
}

function banner(result: DetachResult | undefined, t: Translate): string {
  if (!result) return '';
  if (result.outcome === 'detached') return `<p class="banner" role="status">${escapeHtml(t('admin:detach.done', { workspace: result.workspace, people: result.people }))}</p>`;
  return `<p class="banner plain" role="status">${escapeHtml(t('admin:detach.alreadyGone', { workspace: result.workspace }))}</p>`;
}

/** The whole view: Slack installations, Teams tenants, a link to the queues. */
export function overviewPage(lang: string, overview: OperatorOverview, formToken: string, result?: DetachResult): string {
  const t = documentTranslator(lang);
  return page(lang, t('admin:title'), `<p class="muted">${escapeHtml(t('admin:intro'))}</p>
<nav><a href="/admin/queues">${escapeHtml(t('admin:queues'))}</a></nav>
${banner(result, t)}
${slackSection(overview, t, formToken)}
${teamsSection(overview, t)}`);
}

/** The second step of a detach: what it does, and the button that does it. */
export function confirmPage(lang: string, installation: { installationKey: string; name: string }, formToken: string): string {
  const t = documentTranslator(lang);
  return page(lang, t('admin:detach.confirmTitle', { workspace: installation.name }), `<p>${escapeHtml(t('admin:detach.confirmText'))}</p>
<p class="id">${escapeHtml(installation.installationKey)}</p>
<div class="actions"><form method="post" action="${DETACH_PATH}"><input type="hidden" name="installationKey" value="${escapeHtml(installation.installationKey)}"><input type="hidden" name="name" value="${escapeHtml(installation.name)}"><input type="hidden" name="csrf" value="${escapeHtml(formToken)}"><input type="hidden" name="confirm" value="yes"><button type="submit">${escapeHtml(t('admin:detach.confirmButton', { workspace: installation.name }))}</button></form>
<a href="${ADMIN_PATH}">${escapeHtml(t('admin:detach.cancel'))}</a></div>`);
}

/** A refused or unreadable detach: nothing changed, and the way back. */
export function refusedPage(lang: string, why: 'refused' | 'invalid' | 'nothingToDetach'): string {
  const t = documentTranslator(lang);
  return page(lang, t('admin:title'), `<p class="banner refused" role="alert">${escapeHtml(t(`admin:detach.${why}`))}</p>
<p><a href="${ADMIN_PATH}">${escapeHtml(t('admin:back'))}</a></p>`);
}
