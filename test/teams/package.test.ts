import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { allFlows } from '../../flows/index.js';
import { buildTeamsPackage } from '../../scripts/teams-package.js';

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('when the Teams app package is built', () => {
  it('zips a 1.17 manifest with the bot id, the bot’s real commands and the public domain, plus both icons at the required sizes', async () => {
    const config = loadConfig({ NODE_ENV: 'test', MICROSOFT_APP_ID: '11111111-2222-3333-4444-555555555555', MICROSOFT_APP_PASSWORD: 'x', PUBLIC_URL: 'https://bot.example.org/' });
    const { file } = await buildTeamsPackage(config, join(mkdtempSync(join(tmpdir(), 'teams-pkg-')), 'cluster-bot-teams.zip'));
    const zip = await JSZip.loadAsync(readFileSync(file));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);

    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.manifestVersion).toBe('1.17');
    expect(manifest.bots[0].botId).toBe('11111111-2222-3333-4444-555555555555');
    expect(manifest.validDomains).toEqual(['bot.example.org']);
    const verbs = allFlows.flatMap((f) => f.commands.map((c) => c.verb));
    const titles = manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title);
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(verbs).toContain(title);
    expect(titles).toContain('link');

    expect(pngSize(Buffer.from(await zip.file('color.png')!.async('uint8array')))).toEqual({ width: 192, height: 192 });
    expect(pngSize(Buffer.from(await zip.file('outline.png')!.async('uint8array')))).toEqual({ width: 32, height: 32 });
  });
});
