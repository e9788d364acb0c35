import type { Logger } from 'pino';
import type { PresenceService } from '../../domain/presence.service';
import type { Clock } from '../../domain/ports/clock.port';

/**
 * Keeps this node's lease alive: renews it three times per lease period, so that two renewals may fail before
 * other nodes take this node for dead. On a clean stop the node leaves, and its users are not recovered as lost.
 */
export class NodeLeaseKeeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly service: PresenceService,
    private readonly clock: Clock,
    private readonly leaseMs: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.renew();
    this.timer = setInterval(() => void this.renew(), Math.floor(this.leaseMs / 3));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.service.leave().catch((error: unknown) => this.logger.warn({ err: error }, 'could not leave the cluster cleanly'));
  }

  private async renew(): Promise<void> {
    try {
      await this.service.renewLease(this.clock.now() + this.leaseMs);
    } catch (error) {
      this.logger.warn({ err: error }, 'renewing the node lease failed');
    }
  }
}
