/** A platform account as stored (PlatformIdentity): what Redis may hold about it is found by its ids. */
export interface CachedAccount {
  platform: 'SLACK' | 'TEAMS' | 'WEB';
  externalId: string;
  conversationRef: unknown;
}

/** Forget-me's way into Redis (flows know no Redis); implemented by src/server/personal-cache.ts. */
export interface PersonalCachePort {
  /** Deletes every Redis key about these accounts and says how many; throws when Redis cannot be reached. */
  forget(accounts: CachedAccount[]): Promise<number>;
}
