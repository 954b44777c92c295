import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root folder (where package.json is): the files the bot reads at run time (locales,
 * questionnaires, migrations, docs) live there. Found by walking up from this module, so the same
 * code works run from the TypeScript sources (tsx, tests) and from the compiled dist/ folder.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project, e.g. `projectPath('locales')`. */
export function projectPath(...segments: string[]): string {
  return join(projectRoot, ...segments);
}
