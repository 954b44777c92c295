import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Seals secrets kept in the database (Slack bot tokens) with AES-256-GCM, so a copy of the database
 * (a backup, a dump) reads nothing without the key from the configuration.
 *
 * A sealed value is `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id (the first
 * eight hex digits of the key's SHA-256) says which key sealed it, so after a rotation the old keys
 * (SLACK_TOKEN_ENCRYPTION_OLD_KEYS) still open what they sealed until it is sealed again.
 */
export class SecretBox {
  private readonly current: { id: string; key: Buffer };
  private readonly keys: Map<string, Buffer>;

  /** `key` and `oldKeys`: 32 bytes each, written as base64 or hex (checked by the configuration). */
  constructor(key: string, oldKeys: string[] = []) {
    const parsed = [key, ...oldKeys].map(parseKey);
    this.current = parsed[0];
    this.keys = new Map(parsed.map((k) => [k.id, k.key]));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', this.current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The plain value; throws SealedWithUnknownKeyError or a decryption error for a value not ours. */
  open(sealed: string): string {
    const [version, id, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !id || iv === undefined || tag === undefined || body === undefined) throw new Error('not a sealed value');
    const key = this.keys.get(id);
    if (!key) throw new SealedWithUnknownKeyError(id);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Sealed with an old key: worth sealing again with the current one. */
  isStale(sealed: string): boolean {
    return sealed.split('.')[1] !== this.current.id;
  }
}

/** The value was sealed with a key this deployment no longer has (remove it from the old keys only after rotating). */
export class SealedWithUnknownKeyError extends Error {
  constructor(keyId: string) {
    super(`sealed with key ${keyId}, which is neither SLACK_TOKEN_ENCRYPTION_KEY nor one of SLACK_TOKEN_ENCRYPTION_OLD_KEYS`);
    this.name = 'SealedWithUnknownKeyError';
  }
}

function parseKey(text: string): { id: string; key: Buffer } {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('an encryption key must be 32 bytes');
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

/**
 * The key used when OAuth runs without SLACK_TOKEN_ENCRYPTION_KEY outside production (refused in
 * production by the configuration): derived from the state secret, so local runs still seal.
 */
export function developmentKey(stateSecret: string): string {
  return createHash('sha256').update(`cluster-bot development token key\n${stateSecret}`).digest('base64');
}
