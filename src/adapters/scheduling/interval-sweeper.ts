import type { Logger } from 'pino';
import type { PresenceService } from '../../domain/presence.service';
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

/**
 * Runs the domain's sweep every interval, never two at once, telling it how long this node stalled lately (see
 * `StallMeter`). An interval of 0 turns it off, for tests that sweep by hand.
 */
export class IntervalSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly service: PresenceService,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly metrics: SweepObserver,
    private readonly stalls: StallMeter,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || !this.stopped) return;
    this.stopped = false;
    this.stalls.start();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    const due = performance.now() + this.intervalMs;
    this.timer = setTimeout(() => {
      const lateMs = Math.max(0, performance.now() - due);
      this.metrics.sweepLag.observe(lateMs / 1000);
      this.running = this.sweepOnce(this.stalls.record(lateMs)).finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  private async sweepOnce(stallMs: number): Promise<void> {
    const finish = this.metrics.sweepDuration.startTimer();
    this.metrics.stallAllowance.set(stallMs / 1000);
    try {
      const result = await this.service.sweep({ stallMs });
      this.metrics.expiriesDeferred.inc(result.deferred);
      if (result.transitions > 0) this.logger.debug(result, 'sweep ended stale presence');
      if (result.deferred > 0) this.logger.warn({ deferred: result.deferred, stallMs }, 'sweep deferred expiries: this node stalled');
    } catch (error) {
      this.logger.error({ err: error }, 'sweep failed');
    } finally {
      finish();
    }
  }
}
