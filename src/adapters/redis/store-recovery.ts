import type { Logger } from 'pino';
import type { PresenceService } from '../../domain/presence.service';
import { userKeyOf } from '../../domain/presence.types';
import type { Clock } from '../../domain/ports/clock.port';
import type { LocalPresenceView } from '../socket/local-presence-view';
import type { SocketPresenceBroadcaster } from '../socket/socket-presence.broadcaster';
import type { SocketPresenceGateway } from '../socket/socket-presence.gateway';
import type { PresenceRedis } from './redis-client';
import type { RedisPresenceStore } from './redis-presence.store';
import type { RedisTransitionFeed } from './redis-transition.feed';

export interface StoreRecoveryDeps {
  readonly redis: PresenceRedis;
  readonly store: RedisPresenceStore;
  readonly feed: RedisTransitionFeed;
  readonly gateway: SocketPresenceGateway;
  readonly service: PresenceService;
  readonly view: LocalPresenceView;
  readonly broadcaster: SocketPresenceBroadcaster;
  readonly clock: Clock;
  /** How long other nodes get to re-announce their connections before this node corrects its clients. */
  readonly settleMs: number;
  readonly logger: Logger;
}

/**
 * Brings a node back in line after Redis was unreachable or lost its data: numbering resumes above every seq
 * handed out, this node's connections are announced again, and once every node has had time to do the same,
 * this node's clients are told about every user whose state they no longer know right (no ghosts, no gaps).
 */
export class StoreRecovery {
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

  /** Corrects this node's clients soon, once (several calls in a row make one correction). */
  scheduleReconcile(): void {
    clearTimeout(this.reconcileTimer);
    this.reconcileTimer = setTimeout(() => void this.reconcile(), this.deps.settleMs);
    this.reconcileTimer.unref();
  }

  stop(): void {
    clearTimeout(this.reconcileTimer);
  }

  private async recover(): Promise<void> {
    const { store, feed, gateway, logger } = this.deps;
    try {
      await store.raiseSeq(feed.lastSeq);
      const connections = await gateway.reannounce();
      logger.info({ connections }, 'Redis is back: connections announced again');
    } catch (error) {
      logger.warn({ err: error }, 'recovery after a Redis outage failed; it is tried again on the next reconnect');
    }
    this.scheduleReconcile();
  }

  private async reconcile(): Promise<void> {
    const { service, view, broadcaster, feed, clock, logger } = this.deps;
    try {
      const online = await service.listOnline();
      const onlineKeys = new Set(online.map((u) => userKeyOf(u.userId)));
      const seq = feed.lastSeq;
      let corrections = 0;
      for (const userId of view.users()) {
        if (onlineKeys.has(userKeyOf(userId))) continue;
        broadcaster.deliverTransition({ type: 'UserWentOffline', userId, lastSeen: clock.now(), reason: 'expired', seq });
        corrections += 1;
      }
      for (const user of online) {
        if (view.has(userKeyOf(user.userId))) continue;
        broadcaster.deliverTransition({ type: 'UserWentOnline', ...user, reason: 'online', seq });
        corrections += 1;
      }
      if (corrections > 0) logger.info({ corrections }, 'clients corrected after missed transitions');
    } catch (error) {
      logger.warn({ err: error }, 'reconciling presence failed');
    }
  }
}
