import type { Config } from '../../src/core/config.js';
import type { CommandSpec } from '../../src/core/flow.js';
import type { Translate } from '../../src/core/i18n.js';

/** Used when no MICROSOFT_APP_ID is set, so a package can still be built and inspected locally. */
export const PLACEHOLDER_APP_ID = '00000000-0000-0000-0000-000000000000';
/** Teams shows at most 10 commands per scope. */
const MAX_COMMANDS = 10;

/**
 * The Teams app manifest (schema 1.17): the bot id, the command list taken from the bot's real
 * commands (so the menu never offers a verb the bot does not know), and the valid domains from
 * PUBLIC_URL. Commands are offered bare ("help"): the bot reads a bare known verb as a command.
 */
export function buildManifest(config: Config, commands: CommandSpec[], t: Translate, version = '0.1.0') {
  const botId = config.MICROSOFT_APP_ID ?? PLACEHOLDER_APP_ID;
  const publicUrl = new URL(config.PUBLIC_URL);
  // Teams requires https links for the developer pages; a local http URL gets a placeholder.
  const site = publicUrl.protocol === 'https:' ? publicUrl.origin : 'https://clusterbot.example.org';
  const ordered = [...commands].sort((a, b) => Number(b.audience === 'anyone') - Number(a.audience === 'anyone') || Number(Boolean(b.common)) - Number(Boolean(a.common)));
  const commandList = ordered.slice(0, MAX_COMMANDS).map((c) => ({ title: c.verb.slice(0, 32), description: t(c.summaryKey).slice(0, 128) }));
  return {
    $schema: 'https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json',
    manifestVersion: '1.17',
    version,
    id: botId,
    developer: { name: 'Cluster Bot', websiteUrl: site, privacyUrl: `${site}/privacy`, termsOfUseUrl: `${site}/terms` },
    name: { short: 'Cluster Bot', full: 'Cluster Bot for learning clusters' },
    description: {
      short: 'Runs learning clusters: plans, peer feedback, evaluations, questions.',
      full: 'Cluster Bot helps municipal practitioners in a learning cluster along its timeline: registration, action plans, peer feedback, evaluation questionnaires and quick questions to resource persons. It works the same in Teams, Slack and the web chat.',
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#1F6F8B',
    bots: [
      {
        botId,
        scopes: ['personal', 'team', 'groupChat'],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [{ scopes: ['personal', 'team', 'groupChat'], commands: commandList }],
      },
    ],
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [publicUrl.hostname],
  };
}

/** The two icons Teams requires, as SVG: a full-colour 192×192 and a white-on-transparent 32×32 outline. */
export const ICONS = {
  color: `<svg xmlns="http://www.w3.org/2000/svg" width="192" height="192" viewBox="0 0 192 192">
  <rect width="192" height="192" rx="36" fill="#1F6F8B"/>
  <g fill="#FFFFFF">
    <circle cx="96" cy="60" r="20"/><circle cx="52" cy="128" r="20"/><circle cx="140" cy="128" r="20"/>
  </g>
  <g stroke="#FFFFFF" stroke-width="8" stroke-linecap="round">
    <line x1="86" y1="78" x2="62" y2="110"/><line x1="106" y1="78" x2="130" y2="110"/><line x1="72" y1="128" x2="120" y2="128"/>
  </g>
</svg>`,
  outline: `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
  <g fill="none" stroke="#FFFFFF" stroke-width="2">
    <circle cx="16" cy="9" r="4"/><circle cx="7" cy="23" r="4"/><circle cx="25" cy="23" r="4"/>
    <line x1="14" y1="12.5" x2="9" y2="19.5"/><line x1="18" y1="12.5" x2="23" y2="19.5"/><line x1="11" y1="23" x2="21" y2="23"/>
  </g>
</svg>`,
};
