import { TokenBucket } from './token-bucket';

/**
 * Allowances by key (a token's user, or an address), made on first use and forgotten once refilled: a reader that
 * stopped costs nothing. Keys are kept in order of last use, so the refilled ones are found at the front, a few at a
 * time, without a pass over every key.
 */
export class KeyedAllowances {
  private readonly byKey = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  /** The key's allowance, as of `now`. */
  of(key: string, now: number): TokenBucket {
    this.forgetRefilled(now);
    const bucket = this.byKey.get(key) ?? new TokenBucket(this.ratePerSecond, this.burst, now);
    this.byKey.delete(key);
    this.byKey.set(key, bucket);
    return bucket;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Forgets refilled allowances from the front, stopping at the first that is not (it was used later, or owes more). */
  private forgetRefilled(now: number): void {
    for (const [key, bucket] of this.byKey) {
      if (!bucket.isFull(now)) return;
      this.byKey.delete(key);
    }
  }
}
