import { describe, expect, it } from 'vitest';
import { collectStatus, registerStatusSection, statusSections } from '../../src/domain/status.js';
import type { Db } from '../../src/core/db.js';

const fake = {} as Db;

describe('when areas register status sections', () => {
  it('orders them, keeps a real section over a later fallback, and lets a real one replace a fallback', async () => {
    registerStatusSection({ id: 't-real', titleKey: 'a', order: 2, collect: async () => [{ labelKey: 'real', value: 1 }] });
    registerStatusSection({ id: 't-real', titleKey: 'a', order: 2, fallback: true, collect: async () => [{ labelKey: 'fallback', value: 0 }] });
    registerStatusSection({ id: 't-first', titleKey: 'b', order: 1, fallback: true, collect: async () => [{ labelKey: 'fallback', value: 0 }] });
    registerStatusSection({ id: 't-first', titleKey: 'b', order: 1, collect: async () => [{ labelKey: 'owner', value: 2 }] });
    const ours = (await collectStatus(fake, 'c', new Date())).filter((r) => r.section.id.startsWith('t-'));
    expect(ours.map((r) => [r.section.id, r.fields[0].labelKey])).toEqual([['t-first', 'owner'], ['t-real', 'real']]);
  });

  it('shows the other sections when one fails', async () => {
    registerStatusSection({ id: 't-broken', titleKey: 'c', order: 3, collect: async () => { throw new Error('table missing'); } });
    const results = await collectStatus(fake, 'c', new Date());
    expect(results.find((r) => r.section.id === 't-broken')?.failed).toBe(true);
    expect(results.find((r) => r.section.id === 't-real')?.failed).toBe(false);
    expect(statusSections().length).toBeGreaterThanOrEqual(3);
  });
});
