import type { PresenceNotifier } from '../../domain/ports/presence-notifier.port';
import type { CommittedTransition, PresenceEvent, UserHeartbeatReceived } from '../../domain/presence.events';
import type { LocalPresenceView } from './local-presence-view';
import type { PresenceServer } from './socket.types';
import { toStatusChanged } from './wire';

/** Sends presence to clients as `userStatusChanged`. */
export class SocketPresenceBroadcaster {
  constructor(
    private readonly io: PresenceServer,
    private readonly view: LocalPresenceView,
  ) {}

  /** A transition, to this node's clients, if it changes what they know. */
  deliverTransition(transition: CommittedTransition): void {
    if (this.view.apply(transition)) this.io.local.emit('userStatusChanged', toStatusChanged(transition));
  }

  /** A heartbeat, to the clients of every node (through the Socket.IO adapter when there are several). */
  broadcastHeartbeat(heartbeat: UserHeartbeatReceived): void {
    this.io.emit('userStatusChanged', toStatusChanged(heartbeat));
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
