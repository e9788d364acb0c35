import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports/clock.port';
import type { ExpiryAlarm } from '../../domain/ports/expiry-alarm.port';
import type { SweepOptions, SweepResult } from '../../domain/presence.service';
import type { Instant } from '../../domain/presence.types';
import type { StallMeter } from './stall-meter';

/** What the sweeper reports of its timing and deferrals; the metrics' instruments fit it as they are. */
export interface SweepObserver {
  /** How late a sweep started after it was due, in seconds. */
  readonly sweepLag: { observe(seconds: number): void };
  /** Starts timing one sweep; the returned function ends it. */
  readonly sweepDuration: { startTimer(): () => unknown };
  /** Users whose expiry a sweep put off because this node had stalled. */
  readonly expiriesDeferred: { inc(users: number): void };
  /** The stall allowance the latest sweep used, in seconds. */
  readonly stallAllowance: { set(seconds: number): void };
}

export interface SweepSchedule {
  /** PRESENCE_SWEEP_INTERVAL_MS: the longest between two sweeps (0: none, for tests that sweep by hand). */
  readonly intervalMs: number;
  /** How long after a deadline its sweep runs: deadlines this close together are ended by one sweep. */
  readonly batchMs: number;
}

/**
 * Runs the domain's sweep when the earliest deadline comes (a connection's expiry or going idle), or at the latest
 * an interval after the last one: for deadlines other nodes set on a shared store, and for lapsed node leases.
 * The sweep says its next deadline; a commit that sets an earlier one says so too (`dueAt`), and the sweep is
 * moved up. Never two at once; each is told how long this node stalled lately (see `StallMeter`).
 */
export class DeadlineSweeper implements ExpiryAlarm {
  private timer: NodeJS.Timeout | undefined;
  /** When the planned sweep runs (ms since the epoch, by the clock): infinity when none is planned. */
  private wakeAt = Number.POSITIVE_INFINITY;
  /** When it is due by the process's own monotonic clock, to measure how late it runs. */
  private dueAtTick = 0;
  /** The earliest deadline heard of while a sweep ran, for the one after it. */
  private heardDuringSweep = Number.POSITIVE_INFINITY;
  /**
   * The time the latest sweep swept to: a deadline at or before it was ended then, or deferred (this node stalled),
   * and the interval brings it back; a heartbeat that reports it again starts no sweep.
   */
  private sweptTo = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly sweep: (options: SweepOptions) => Promise<SweepResult>,
    private readonly schedule: SweepSchedule,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: SweepObserver,
    private readonly stalls: StallMeter,
  ) {}

  start(): void {
    if (this.schedule.intervalMs <= 0 || !this.stopped) return;
    this.stopped = false;
    this.stalls.start();
    this.planAt(this.clock.now() + this.schedule.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  dueAt(at: Instant): void {
    const wake = at + this.schedule.batchMs;
    if (this.stopped || at <= this.sweptTo || wake >= this.wakeAt) return;
    if (this.running !== undefined) this.heardDuringSweep = Math.min(this.heardDuringSweep, wake);
    else this.planAt(wake);
  }

  private planAt(wakeAt: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.wakeAt = wakeAt;
    const delay = Math.max(0, wakeAt - this.clock.now());
    this.dueAtTick = performance.now() + delay;
    this.timer = setTimeout(() => this.run(), delay);
    this.timer.unref();
  }

  private run(): void {
    const lateMs = Math.max(0, performance.now() - this.dueAtTick);
    this.wakeAt = Number.POSITIVE_INFINITY;
    this.metrics.sweepLag.observe(lateMs / 1000);
    this.sweptTo = this.clock.now();
    this.running = this.sweepOnce(this.stalls.record(lateMs)).then((result) => {
      this.running = undefined;
      if (result !== undefined) this.sweptTo = result.now;
      const heard = this.heardDuringSweep;
      this.heardDuringSweep = Number.POSITIVE_INFINITY;
      this.planAt(Math.min(this.nextWake(result), heard));
    });
  }

  /**
   * The next sweep: at the next deadline, or an interval from now if that is sooner. A deadline at or before the
   * time the sweep swept to was deferred (this node stalled): it waits for the interval, not a sweep on every tick.
   * One that came due while the sweep ran is swept at once.
   */
  private nextWake(result: SweepResult | undefined): number {
    const latest = this.clock.now() + this.schedule.intervalMs;
    const next = result?.nextDeadline;
    if (result === undefined || next === undefined || next <= result.now) return latest;
    return Math.min(next + this.schedule.batchMs, latest);
  }

  /** One sweep; undefined when it failed (the interval then brings the next). */
  private async sweepOnce(stallMs: number): Promise<SweepResult | undefined> {
    const finish = this.metrics.sweepDuration.startTimer();
    this.metrics.stallAllowance.set(stallMs / 1000);
    try {
      const result = await this.sweep({ stallMs });
      this.metrics.expiriesDeferred.inc(result.deferred);
      if (result.transitions > 0) this.logger.debug(result, 'sweep ended stale presence');
      if (result.deferred > 0) this.logger.warn({ deferred: result.deferred, stallMs }, 'sweep deferred expiries: this node stalled');
      return result;
    } catch (error) {
      this.logger.error({ err: error }, 'sweep failed');
      return undefined;
    } finally {
      finish();
    }
  }
}
