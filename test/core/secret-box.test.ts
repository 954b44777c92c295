import { describe, expect, it } from 'vitest';
import { SealedWithUnknownKeyError, SecretBox } from '../../src/core/secret-box.js';

const keyA = Buffer.alloc(32, 1).toString('base64');
const keyB = Buffer.alloc(32, 2).toString('hex');

describe('when a bot token is sealed for the database', () => {
  it('opens with the key that sealed it and shows nothing of the token', () => {
    const box = new SecretBox(keyA);
    const sealed = box.seal('xoxb-1234-secret');
    expect(sealed).not.toContain('xoxb');
    expect(box.open(sealed)).toBe('xoxb-1234-secret');
    // A fresh nonce each time: the same token never seals to the same text.
    expect(box.seal('xoxb-1234-secret')).not.toBe(sealed);
  });

  it('refuses a sealed value someone altered', () => {
    const box = new SecretBox(keyA);
    const parts = box.seal('xoxb-1234-secret').split('.');
    const body = Buffer.from(parts[4], 'base64url');
    body[0] ^= 1;
    parts[4] = body.toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
  });

  it('cannot open it with another key', () => {
    const sealed = new SecretBox(keyA).seal('xoxb-1');
    expect(() => new SecretBox(keyB).open(sealed)).toThrow(SealedWithUnknownKeyError);
  });
});

describe('when the key is rotated', () => {
  it('still opens what the old key sealed, knows it is stale, and seals anew with the current key', () => {
    const old = new SecretBox(keyA).seal('xoxb-rotate');
    const rotated = new SecretBox(keyB, [keyA]);
    expect(rotated.open(old)).toBe('xoxb-rotate');
    expect(rotated.isStale(old)).toBe(true);
    const again = rotated.seal('xoxb-rotate');
    expect(rotated.isStale(again)).toBe(false);
    // Once every token is sealed again, the old key can go.
    expect(new SecretBox(keyB).open(again)).toBe('xoxb-rotate');
  });
});
