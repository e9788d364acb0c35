/**
 * The events of CONTRACT §10, the event stream's (`GET /presence-events`) and the webhooks': one per transition of
 * §1 and §8, numbered by its `seq`. Times are ISO 8601 UTC strings.
 */
import type { WireAvailability, WireOnlineUser, WireUserId } from './socket-events';

export interface PresenceStreamEvent {
  readonly seq: number;
  /** Present when tenants are on (webhooks: every event; the stream: its viewer's tenant only). */
  readonly tenant?: string;
  readonly userId: WireUserId;
  readonly userType: string | null;
  readonly userName: string | null;
  readonly status: 'online' | 'offline';
  /** Null offline. */
  readonly availability: WireAvailability | null;
  readonly statusText: string | null;
  readonly lastSeen: string;
  readonly lastActive: string | null;
  /** Why: `online`, an offline reason, `type_changed`, or a change of availability (`set`, `idle`, `active`). */
  readonly reason: string;
}

/** Everyone the viewer may see online, current to `seq`: what a stream starts with when it has no cursor to resume from. */
export interface PresenceSnapshot {
  readonly seq: number;
  readonly users: readonly WireOnlineUser[];
}

/** A node with an in-memory store started empty: every user it knew is gone; a snapshot follows on the stream. */
export interface PresenceReset {
  readonly type: 'reset';
  readonly seq: number;
}
