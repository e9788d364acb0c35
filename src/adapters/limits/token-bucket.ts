/** A rate limit of `ratePerSecond` with bursts of `burst`, refilled continuously from the given clock readings. */
export class TokenBucket {
  // `declare`d, so that they are first set in the constructor, not defined as undefined before it: a number field that
  // starts as undefined is boxed, and take() allocated 16 bytes a call instead of 0 (bench/token-bucket.bench.ts).
  private declare readonly ratePerSecond: number;
  private declare readonly burst: number;
  private declare tokens: number;
  private declare refilledAt: number;

  constructor(ratePerSecond: number, burst: number, now: number) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = burst;
    this.refilledAt = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.ratePerSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Takes `cost` more tokens after the fact (what an answer turned out to cost): below zero it is a debt to refill. */
  charge(cost: number): void {
    this.tokens -= cost;
  }

  /** Milliseconds from `now` until a token can be taken again: 0 when one can be now. */
  msUntilToken(now: number): number {
    const tokens = this.tokens + ((now - this.refilledAt) * this.ratePerSecond) / 1000;
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / this.ratePerSecond);
  }

  /** Whether the bucket has refilled to its burst by `now`: forgetting it then loses nothing. */
  isFull(now: number): boolean {
    return this.tokens + ((now - this.refilledAt) * this.ratePerSecond) / 1000 >= this.burst;
  }
}
