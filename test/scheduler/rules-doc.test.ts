import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRulesTable } from '../../src/scheduler/rules-table.js';

describe('when the rule table changes', () => {
  it('docs/scheduler.md shows the same table as the code', () => {
    const doc = readFileSync(new URL('../../docs/scheduler.md', import.meta.url), 'utf8');
    const table = /<!-- rules:start -->\n([\s\S]*?)\n<!-- rules:end -->/.exec(doc)?.[1];
    expect(table).toBe(renderRulesTable());
  });
});
