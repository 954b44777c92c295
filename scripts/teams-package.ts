import 'dotenv/config';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import JSZip from 'jszip';
import { loadConfigOrExit, type Config } from '../src/core/config.js';
import { translator } from '../src/core/i18n.js';
import { allFlows } from '../flows/index.js';
import { buildManifest, ICONS, PLACEHOLDER_APP_ID } from '../adapters/teams/manifest.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the Teams app package (manifest.json + two icons) as a zip ready to upload to Teams. */
export async function buildTeamsPackage(config: Config, outFile: string): Promise<{ file: string; manifest: ReturnType<typeof buildManifest> }> {
  const commands = allFlows.flatMap((flow) => flow.commands);
  const manifest = buildManifest(config, commands, translator('en'));
  const zip = new JSZip();
  zip.file('manifest.json', JSON.stringify(manifest, null, 2));
  zip.file('color.png', new Resvg(ICONS.color, { fitTo: { mode: 'width', value: 192 } }).render().asPng());
  zip.file('outline.png', new Resvg(ICONS.outline, { fitTo: { mode: 'width', value: 32 } }).render().asPng());
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return { file: outFile, manifest };
}

async function main() {
  const config = loadConfigOrExit();
  const { file, manifest } = await buildTeamsPackage(config, join(root, 'teams-app', 'build', 'cluster-bot-teams.zip'));
  console.log(`Teams app package written: ${file}`);
  console.log(`  bot id: ${manifest.bots[0].botId}${manifest.bots[0].botId === PLACEHOLDER_APP_ID ? ' (placeholder: set MICROSOFT_APP_ID and build again before uploading)' : ''}`);
  console.log(`  commands: ${manifest.bots[0].commandLists[0].commands.map((c) => c.title).join(', ')}`);
  console.log(`  valid domains: ${manifest.validDomains.join(', ')}`);
  if (!config.PUBLIC_URL.startsWith('https://')) console.log('  note: PUBLIC_URL is not https; Teams needs the bot at a public https address (see docs/teams.md).');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(`Could not build the Teams package: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
