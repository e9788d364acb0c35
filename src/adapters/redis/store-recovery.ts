import type { Logger } from 'pino';
import type { TransitionFanout } from '../../application/transition-fanout';
import type { Clock } from '../../domain/ports/clock.port';
import type { TransitionConsumer } from '../../domain/ports/transition-feed.port';
import { reconciliationOf } from '../../domain/presence-reconciliation';
import type { OnlineUser } from '../../domain/presence.types';
import type { PresenceRedis } from './redis-client';

export interface StoreRecoveryDeps {
  readonly redis: PresenceRedis;
  /** Numbering resumes above every seq this node has seen. */
  readonly store: { raiseSeq(seq: number): Promise<void> };
  readonly delivery: Pick<TransitionFanout, 'publish' | 'believedOnline' | 'toldStateOf' | 'lastSeq'>;
  /** This node's live connections, announced to the store again. */
  readonly connections: { reannounce(): Promise<number> };
  readonly presence: { listOnline(): Promise<OnlineUser[]> };
  readonly clock: Clock;
  /** How long other nodes get to re-announce their connections before this node corrects its clients. */
  readonly settleMs: number;
  readonly logger: Logger;
}

/**
 * Brings a node back in line after Redis was unreachable or lost its data, or the feed skipped: numbering resumes
 * above every seq handed out, this node's connections are announced again, and once every node has had time to do
 * the same, this node's consumers are told about every user whose state they no longer know right (no ghosts, no
 * gaps). It follows the feed for its gaps.
 */
export class StoreRecovery implements TransitionConsumer {
  private disconnected = false;
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: StoreRecoveryDeps) {}

  attach(): void {
    this.deps.redis.on('close', () => {
      this.disconnected = true;
    });
    this.deps.redis.on('ready', () => {
      if (!this.disconnected) return;
      this.disconnected = false;
      void this.recover();
    });
  }

  deliver(): void {}

  missedBefore(): void {
    this.scheduleReconcile();
  }

  stop(): void {
    clearTimeout(this.reconcileTimer);
  }

  /** Corrects this node's consumers soon, once (several calls in a row make one correction). */
  private scheduleReconcile(): void {
    clearTimeout(this.reconcileTimer);
    this.reconcileTimer = setTimeout(() => void this.reconcile(), this.deps.settleMs);
    this.reconcileTimer.unref();
  }

  private async recover(): Promise<void> {
    const { store, delivery, connections, logger } = this.deps;
    try {
      await store.raiseSeq(delivery.lastSeq);
      const announced = await connections.reannounce();
      logger.info({ connections: announced }, 'Redis is back: connections announced again');
    } catch (error) {
      logger.warn({ err: error }, 'recovery after a Redis outage failed; it is tried again on the next reconnect');
    }
    this.scheduleReconcile();
  }

  private async reconcile(): Promise<void> {
    const { presence, delivery, clock, logger } = this.deps;
    try {
      const corrections = reconciliationOf(delivery, await presence.listOnline(), clock.now(), delivery.lastSeq);
      for (const correction of corrections) delivery.publish(correction);
      if (corrections.length > 0) logger.info({ corrections: corrections.length }, 'clients corrected after missed transitions');
    } catch (error) {
      logger.warn({ err: error }, 'reconciling presence failed');
    }
  }
}
