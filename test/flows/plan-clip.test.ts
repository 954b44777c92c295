import { describe, expect, it } from 'vitest';
import { clip } from '../../flows/plan/render.js';

describe('clip, which shortens a goal or an activity name for a phone', () => {
  it('leaves short text alone and marks a cut with an ellipsis within the limit', () => {
    expect(clip('Short goal', 75)).toBe('Short goal');
    const long = 'Children of working parents get safe day care close to home '.repeat(3);
    const clipped = clip(long, 75);
    expect(clipped.length).toBeLessThanOrEqual(75);
    expect(clipped.endsWith('…')).toBe(true);
  });

  it('ends before a word it would cut in two, when most of the text stays', () => {
    const goal = 'A day-care centre for 20 elderly people in each of the three districts of our municipality';
    expect(clip(goal, 75)).toBe('A day-care centre for 20 elderly people in each of the three districts of…');
    // One long word: cut inside it rather than drop nearly everything.
    expect(clip(`Hi ${'x'.repeat(30)}`, 20)).toBe(`Hi ${'x'.repeat(16)}…`);
  });

  it('never splits an emoji, a surrogate pair or a letter with its combining mark', () => {
    const emoji = `${'a'.repeat(8)}👩‍👧‍👦 end`;
    expect(clip(emoji, 10)).toBe(`${'a'.repeat(8)}…`);
    const combining = `${'b'.repeat(8)}e\u0301 end`;
    expect(clip(combining, 10)).toBe(`${'b'.repeat(8)}…`);
    expect(clip(`${'c'.repeat(8)}😀 end`, 11)).toBe(`${'c'.repeat(8)}😀…`);
  });

  it('never leaves a lone escaping backslash before the ellipsis', () => {
    expect(clip(`${'d'.repeat(8)}\\* more text`, 10)).toBe(`${'d'.repeat(8)}…`);
  });
});
