import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const skip = new Set(['node_modules', '.git', 'generated', 'dist', 'teams-app']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (skip.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

describe('when the Bot Framework SDK is replaced by its successor', () => {
  it('only adapters/teams has to change: no other file imports botbuilder or botframework-*', () => {
    const offenders = sourceFiles(root)
      .filter((file) => !relative(root, file).startsWith(join('adapters', 'teams')))
      .filter((file) => /from ['"](botbuilder|botframework-)[^'"]*['"]|require\(['"](botbuilder|botframework-)/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });
});
