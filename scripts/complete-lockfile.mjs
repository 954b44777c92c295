// The npm registry reachable here lacks a few platform builds of optional native accelerators
// (msgpackr-extract for macOS, Windows, 32-bit ARM). `npm install` then leaves them out of
// package-lock.json and `npm ci` refuses the lock. This adds the missing optional entries with their
// os/cpu, so npm ci skips them on this platform and fetches them where they apply.
// Run after every `npm install`: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key] || packages[`${path}/node_modules/${name}`]) continue;
    const platform = /-(darwin|linux|win32|freebsd|android)-(x64|arm64|arm|ia32)$/.exec(name);
    if (!platform) continue;
    packages[key] = { version, cpu: [platform[2]], os: [platform[1]], license: 'MIT', optional: true };
    added++;
  }
}
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: added ${added} missing optional platform entries`);
