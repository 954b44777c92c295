import { describe, expect, it } from 'vitest';
import { translator } from '../../src/core/i18n.js';

describe('when a translator is asked for the same key many times', () => {
  it('answers a key without values from the catalogue every time', () => {
    const t = translator('en');
    expect(t('me:noClusters')).toBe(t('me:noClusters'));
    expect(translator('en')('me:noClusters')).toContain('cluster');
  });

  it('interpolates a key with values on every call, never keeping the first values', () => {
    const t = translator('en');
    expect(t('me:title', { name: 'Arta' })).toContain('Arta');
    expect(t('me:title', { name: 'Besa' })).toContain('Besa');
    expect(t('me:title', { name: 'Besa' })).not.toContain('Arta');
  });

  it('answers a key asked for with only a default by its translation, or by that default when it has none', () => {
    const t = translator('sq');
    expect(t('help:buttons.me', { defaultValue: '/lc me' })).toBe(t('help:buttons.me'));
    expect(t('help:buttons.nothing-like-this', { defaultValue: '/lc one' })).toBe('/lc one');
    // Remembered per default: another default for the same missing key is not the first one.
    expect(t('help:buttons.nothing-like-this', { defaultValue: '/lc two' })).toBe('/lc two');
  });

  it('falls back to the language of a regional locale (en-GB → en)', () => {
    expect(translator('en-GB')('me:noClusters')).toBe(translator('en')('me:noClusters'));
  });
});
