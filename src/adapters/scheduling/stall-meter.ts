import { performance } from 'node:perf_hooks';

/** What the meter reads of the event loop: the process's own by default, set by hand in tests. */
export interface LoopReadings {
  /** Monotonic time, in ms. */
  now(): number;
  /** The loop's busy time so far, in ms: `performance.eventLoopUtilization().active`. */
  busyMs(): number;
}

export const systemLoopReadings: LoopReadings = {
  now: () => performance.now(),
  busyMs: () => performance.eventLoopUtilization().active,
};

/** A stretch busier than this is saturated: input may have waited unread through all of it. */
const SATURATED_UTILIZATION = 0.9;
/**
 * A shorter hold-up is the loop's ordinary jitter (a collection, timer slack): any heartbeat margin absorbs it, and
 * counting it would make expiry on a healthy node less exact than it was.
 */
const NOTICEABLE_STALL_MS = 50;
/** The window is kept in about this many slots, so that memory stays bounded however often the sweep runs. */
const SLOTS = 64;

interface Reading {
  readonly at: number;
  readonly busyMs: number;
}

interface Slot {
  /** When its first and its latest stall were recorded. */
  readonly since: number;
  at: number;
  stallMs: number;
}

/**
 * How long this node itself held its input up lately: the allowance a sweep takes off `now` before it takes a
 * connection's silence for the client's. Each sweep records the stretch since the one before:
 * - when the sweep timer fired noticeably late, the loop was held up at least that long, from a start the timer
 *   cannot see: the stretch's busy time, at most, is counted;
 * - when the loop was saturated, the whole stretch is counted, not its busy share: utilization says how much of a
 *   stretch was busy but not when, and a heartbeat that came early in it may have waited to its end.
 * The allowance is the sum of the stalls recorded over the last `windowMs` (about one TTL): it drains away as the
 * node recovers, and stays below the window plus the longest single stall however long an overload lasts.
 */
export class StallMeter {
  private readonly slots: Slot[] = [];
  private last: Reading | undefined;
  private utilizationSince: Reading | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly readings: LoopReadings = systemLoopReadings,
  ) {}

  /** Starts measuring from now: what happened before is not this meter's to count. */
  start(): void {
    this.last = this.read();
    this.utilizationSince = this.last;
  }

  /** Records the stretch since the previous call, `lateMs` being how late the sweep timer fired; returns the allowance. */
  record(lateMs: number): number {
    const now = this.read();
    const busyMs = now.busyMs - (this.last ?? now).busyMs;
    const heldUpMs = lateMs >= NOTICEABLE_STALL_MS ? Math.max(lateMs, busyMs) : 0;
    const stallMs = Math.max(heldUpMs, this.saturatedMs(now));
    this.last = now;
    if (stallMs > 0) this.add(now.at, stallMs);
    while (this.slots.length > 0 && (this.slots[0] as Slot).at <= now.at - this.windowMs) this.slots.shift();
    return this.slots.reduce((total, slot) => total + slot.stallMs, 0);
  }

  private read(): Reading {
    return { at: this.readings.now(), busyMs: this.readings.busyMs() };
  }

  /** The time since utilization was last judged, if the loop was saturated through it; judged over a noticeable stretch. */
  private saturatedMs(now: Reading): number {
    const since = this.utilizationSince ?? now;
    const elapsed = now.at - since.at;
    // Over a few milliseconds one callback makes any loop look saturated.
    if (elapsed < NOTICEABLE_STALL_MS) return 0;
    this.utilizationSince = now;
    return (now.busyMs - since.busyMs) / elapsed >= SATURATED_UTILIZATION ? elapsed : 0;
  }

  private add(at: number, stallMs: number): void {
    const newest = this.slots[this.slots.length - 1];
    if (newest !== undefined && at - newest.since < this.windowMs / SLOTS) {
      newest.at = at;
      newest.stallMs += stallMs;
    } else {
      this.slots.push({ since: at, at, stallMs });
    }
  }
}
