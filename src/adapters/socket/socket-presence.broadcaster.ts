import type { PresenceNotifier } from '../../domain/ports/presence-notifier.port';
import type { CommittedTransition, PresenceEvent, UserHeartbeatReceived } from '../../domain/presence.events';
import type { LocalPresenceView } from './local-presence-view';
import type { PresenceServer } from './socket.types';
import { EVENTS_ROOM, type FrameCounter, type SubscriptionHub } from './subscriptions/subscription-hub';
import { toStatusChanged } from './wire';

/**
 * Sends presence to this node's clients: §1 clients get each transition as `userStatusChanged`, subscribed (§7)
 * clients get it in the hub's next batched diff.
 */
export class SocketPresenceBroadcaster {
  constructor(
    private readonly io: PresenceServer,
    private readonly view: LocalPresenceView,
    private readonly hub: SubscriptionHub,
    private readonly counter: FrameCounter,
  ) {}

  /** A transition, if it changes what this node's clients know. */
  deliverTransition(transition: CommittedTransition): void {
    if (!this.view.apply(transition)) return;
    this.io.local.to(EVENTS_ROOM).emit('userStatusChanged', toStatusChanged(transition));
    this.counter.frames('userStatusChanged', this.eventsConnections());
    this.hub.record(transition);
  }

  /** A heartbeat, to the §1 clients of every node (through the Socket.IO adapter when there are several). */
  broadcastHeartbeat(heartbeat: UserHeartbeatReceived): void {
    this.io.to(EVENTS_ROOM).emit('userStatusChanged', toStatusChanged(heartbeat));
    this.counter.frames('userStatusChanged', this.eventsConnections());
  }

  private eventsConnections(): number {
    return this.io.of('/').adapter.rooms.get(EVENTS_ROOM)?.size ?? 0;
  }
}

/** One process: the domain's transitions go straight to the clients. */
export class DirectSocketNotifier implements PresenceNotifier {
  constructor(private readonly broadcaster: SocketPresenceBroadcaster) {}

  publish(event: PresenceEvent): void {
    if (event.type === 'UserHeartbeatReceived') this.broadcaster.broadcastHeartbeat(event);
    else this.broadcaster.deliverTransition(event);
  }
}

/**
 * Several nodes: a transition is already in the shared transitions stream, committed with it, and every node
 * (this one too) delivers it from there in seq order; only heartbeats are broadcast from here.
 */
export class StreamedSocketNotifier implements PresenceNotifier {
  constructor(private readonly broadcaster: SocketPresenceBroadcaster) {}

  publish(event: PresenceEvent): void {
    if (event.type === 'UserHeartbeatReceived') this.broadcaster.broadcastHeartbeat(event);
  }
}
