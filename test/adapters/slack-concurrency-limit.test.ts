import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../adapters/slack/concurrency-limit.js';

/** A piece of work that runs until the test lets it finish. */
function gated(log: string[], name: string) {
  let finish: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  return {
    finish,
    work: async () => {
      log.push(`start ${name}`);
      await gate;
      log.push(`end ${name}`);
      return name;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('when more work arrives than the limit allows', () => {
  it('runs at most the limit at once and starts the rest in arrival order as slots free', async () => {
    const log: string[] = [];
    const limit = new ConcurrencyLimit(2);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => gated(log, name));
    const results = [a, b, c, d].map((g) => limit.run(g.work));
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    expect(limit.queued).toBe(2);

    b.finish();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    // A newcomer waits behind the queue instead of taking the slot freed next.
    const e = gated(log, 'e');
    const late = limit.run(e.work);
    a.finish();
    await settle();
    expect(log.slice(-2)).toEqual(['end a', 'start d']);

    c.finish();
    d.finish();
    e.finish();
    expect(await Promise.all([...results, late])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a', 'start b', 'start c', 'start d', 'start e']);
  });

  it('frees the slot of work that failed', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit.run(async () => 'next')).toBe('next');
  });
});
