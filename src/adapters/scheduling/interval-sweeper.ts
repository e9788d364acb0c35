import type { Logger } from 'pino';
import type { PresenceService } from '../../domain/presence.service';

/** What the sweeper reports of its timing; the metrics' two histograms fit it as they are. */
export interface SweepObserver {
  /** How late a sweep started after it was due, in seconds. */
  readonly sweepLag: { observe(seconds: number): void };
  /** Starts timing one sweep; the returned function ends it. */
  readonly sweepDuration: { startTimer(): () => unknown };
}

/**
 * Runs the domain's sweep every interval, never two at once. An interval of 0 turns it off, for tests that
 * sweep by hand.
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
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || !this.stopped) return;
    this.stopped = false;
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
      this.metrics.sweepLag.observe(Math.max(0, performance.now() - due) / 1000);
      this.running = this.sweepOnce().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  private async sweepOnce(): Promise<void> {
    const finish = this.metrics.sweepDuration.startTimer();
    try {
      const result = await this.service.sweep();
      if (result.transitions > 0) this.logger.debug(result, 'sweep ended stale presence');
    } catch (error) {
      this.logger.error({ err: error }, 'sweep failed');
    } finally {
      finish();
    }
  }
}
