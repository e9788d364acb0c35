/**
 * Bytes allocated per `TokenBucket.take()`, against the same class with plain fields (which ES2022 class fields
 * first define as undefined). Run: node --import tsx bench/token-bucket.bench.ts (it restarts itself with the
 * flags it needs: a gc to call, and a young generation big enough that no collection hides what was allocated).
 */
import { execFileSync } from 'node:child_process';
import { TokenBucket } from '../src/adapters/limits/token-bucket';

class PlainTokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
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
}

interface Bucket {
  take(now: number): boolean;
}

const BUCKETS = 2_000;
const TAKES = 1_000_000;

/** One take per bucket in turn, 0.37 ms apart: fractional tokens and times, as under a steady stream of events. */
function takeAll(buckets: readonly Bucket[], takes: number, from: number): number {
  let now = from;
  for (let k = 0; k < takes; k++) {
    now += 0.37;
    (buckets[k % BUCKETS] as Bucket).take(now);
  }
  return now;
}

function bytesPerTake(make: (now: number) => Bucket): number {
  const start = 1.7e12;
  const buckets = Array.from({ length: BUCKETS }, () => make(start));
  const warm = takeAll(buckets, 200_000, start);
  (globalThis as unknown as { gc: () => void }).gc();
  const before = process.memoryUsage().heapUsed;
  takeAll(buckets, TAKES, warm);
  return (process.memoryUsage().heapUsed - before) / TAKES;
}

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  const flags = ['--expose-gc', '--min-semi-space-size=128', '--max-semi-space-size=128', '--import', 'tsx'];
  execFileSync(process.execPath, [...flags, __filename], { stdio: 'inherit' });
} else {
  const declared = bytesPerTake((now) => new TokenBucket(20, 40, now));
  const plain = bytesPerTake((now) => new PlainTokenBucket(20, 40, now));
  process.stdout.write(`token bucket, bytes allocated per take: declare fields ${declared.toFixed(1)}, plain fields ${plain.toFixed(1)}\n`);
}
