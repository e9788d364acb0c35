import type { PresenceNotifier } from '../../domain/ports/presence-notifier.port';
import type { TransitionConsumer } from '../../domain/ports/transition-feed.port';
import { availabilityChange } from '../../domain/availability';
import {
  availabilityChanged,
  typeChanged,
  type AvailabilityChanged,
  type CommittedTransition,
  type PresenceEvent,
  type TypeChanged,
} from '../../domain/presence.events';
import { isOnline, OFFLINE } from '../../domain/presence-state';
import { tenantPart } from '../../domain/presence.types';
import type { ChangedUser, SocketAudience } from './socket-audience';
import type { PresenceServer } from './socket.types';
import type { FrameCounter } from './subscriptions/subscription-hub';
import { toAvailabilityChanged, toStatusChanged } from './wire';

/** The user a transition is of, with the type it was shown with: online, the type it came with; offline, the one it had. */
const changedUserOf = (transition: CommittedTransition): ChangedUser => ({
  ...tenantPart(transition),
  userId: transition.userId,
  userType: isOnline(transition.to) ? transition.to.userType : isOnline(transition.from) ? transition.from.userType : null,
});

/**
 * §1 for this node's clients: each transition the feed delivers goes to the connections that have not subscribed
 * (§7 subscribers get it from the hub, which takes the same feed) and may see its user (CONTRACT §9), encoded once
 * for all of them: one emit to the rooms of its audiences.
 */
export class SocketPresenceBroadcaster implements TransitionConsumer {
  constructor(
    private readonly io: PresenceServer,
    private readonly audience: SocketAudience,
    private readonly counter: FrameCounter,
  ) {}

  deliver(transition: CommittedTransition): void {
    if (typeChanged(transition)) {
      this.tellSightChanges(transition);
      return;
    }
    const user = changedUserOf(transition);
    const rooms = this.audience.roomsOf(user);
    const own = this.audience.ownRoomOf(user);
    if (availabilityChanged(transition)) {
      this.tellAvailability(rooms, own, transition);
      return;
    }
    this.io.local.to(rooms).emit('userStatusChanged', toStatusChanged(transition));
    this.counter.frames('userStatusChanged', this.audience.reach(rooms, own, true));
  }

  /** CONTRACT §8: to the same clients as the user's status, its own connections included. */
  private tellAvailability(rooms: string[], own: string, transition: CommittedTransition & AvailabilityChanged): void {
    this.io.local.to(rooms).emit('userAvailabilityChanged', toAvailabilityChanged(transition));
    this.counter.frames('userAvailabilityChanged', this.audience.reach(rooms, own, true));
  }

  /**
   * A user shown with another type (CONTRACT §9): `offline` to the viewers that lose sight of it, `online` to those
   * that gain it, reason `type_changed`; nothing to its own connections (it sees itself whatever its type). Those
   * that keep sight of it are told only if it also shows another availability or text (a new tab of an idle user).
   */
  private tellSightChanges(transition: CommittedTransition & TypeChanged): void {
    const user = changedUserOf(transition);
    const { lose, gain, own } = this.audience.sightChangeOf({ ...user, userType: transition.from.userType }, transition.to.userType);
    const { from, to } = transition;
    for (const [rooms, status] of [[lose, 'offline'], [gain, 'online']] as const) {
      if (rooms.length === 0) continue;
      const told = status === 'online' ? transition : { ...transition, to: OFFLINE };
      this.io.local.to(rooms).except(own).emit('userStatusChanged', toStatusChanged(told));
      this.counter.frames('userStatusChanged', this.audience.reach(rooms, own, false));
    }
    const reason = availabilityChange(from, to, false);
    if (reason === null) return;
    const keep = this.audience.roomsOf(user).filter((room) => !gain.includes(room));
    this.tellAvailability(keep, own, { ...transition, reason });
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
    private readonly audience: SocketAudience,
    private readonly counter: FrameCounter,
  ) {}

  publish(event: PresenceEvent): void {
    if (event.type !== 'UserHeartbeatReceived') return;
    const rooms = this.audience.roomsOf(event);
    this.io.to(rooms).emit('userStatusChanged', toStatusChanged(event));
    this.counter.frames('userStatusChanged', this.audience.reach(rooms, this.audience.ownRoomOf(event), true));
  }
}
