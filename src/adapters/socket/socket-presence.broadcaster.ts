import type { PresenceNotifier } from '../../domain/ports/presence-notifier.port';
import type { TransitionConsumer } from '../../domain/ports/transition-feed.port';
import type { CommittedTransition, PresenceEvent } from '../../domain/presence.events';
import type { PresenceServer } from './socket.types';
import { EVENTS_ROOM, type FrameCounter } from './subscriptions/subscription-hub';
import { toStatusChanged } from './wire';

/** How many of this node's connections a §1 broadcast reaches. */
const eventsConnections = (io: PresenceServer): number => io.of('/').adapter.rooms.get(EVENTS_ROOM)?.size ?? 0;

/**
 * §1 for this node's clients: each transition the feed delivers goes to the connections that have not subscribed
 * (§7 subscribers get it from the hub, which takes the same feed), encoded once for all of them.
 */
export class SocketPresenceBroadcaster implements TransitionConsumer {
  constructor(
    private readonly io: PresenceServer,
    private readonly counter: FrameCounter,
  ) {}

  deliver(transition: CommittedTransition): void {
    this.io.local.to(EVENTS_ROOM).emit('userStatusChanged', toStatusChanged(transition));
    this.counter.frames('userStatusChanged', eventsConnections(this.io));
  }

  /** §1 clients have no replay: what they missed is corrected by the store's reconciliation. */
  missedBefore(): void {}
}

/**
 * Heartbeat broadcasts (`PRESENCE_BROADCAST_HEARTBEATS`), the one thing the domain's notifications still carry to
 * clients: to the §1 clients of every node, through the Socket.IO adapter when there are several. Transitions
 * reach clients through the transition feed only.
 */
export class SocketHeartbeatNotifier implements PresenceNotifier {
  constructor(
    private readonly io: PresenceServer,
    private readonly counter: FrameCounter,
  ) {}

  publish(event: PresenceEvent): void {
    if (event.type !== 'UserHeartbeatReceived') return;
    this.io.to(EVENTS_ROOM).emit('userStatusChanged', toStatusChanged(event));
    this.counter.frames('userStatusChanged', eventsConnections(this.io));
  }
}
