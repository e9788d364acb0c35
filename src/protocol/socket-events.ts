/**
 * The Socket.IO protocol of the presence service, as TypeScript types: shared by the server and by typed clients,
 * so that the two cannot drift. Times on the wire are ISO 8601 UTC strings.
 */

export type WireUserId = string | number;

/** The largest message the service reads at its defaults (`PRESENCE_MAX_MESSAGE_BYTES`): a 10,000-id subscribe fits. */
export const DEFAULT_MAX_MESSAGE_BYTES = 65_536;

/**
 * Every code a refusal carries, on an ack and on `presenceError`: the one list. The domain's errors are mapped to
 * these by the socket adapter; the rest (over a rate or a limit, an expired token, a failure) are the adapter's own.
 */
export const refusalCodes = ['INVALID_PAYLOAD', 'FORBIDDEN', 'RATE_LIMITED', 'UNAUTHORIZED', 'INTERNAL'] as const;
export type RefusalCode = (typeof refusalCodes)[number];

export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
}

export type Ack<T extends object = object> = (answer: ({ ok: true } & T) | { ok: false; error: Refusal }) => void;

export interface UserOnlinePayload {
  readonly userId?: WireUserId;
  readonly userType?: string | null;
  readonly userName?: string | null;
}

export interface UserOnlineAnswer {
  readonly userId: WireUserId;
  readonly status: 'online';
  readonly availability: WireAvailability;
  readonly statusText: string | null;
  readonly onlineSince: string;
  /** After this long without `userActivity { idle: false }`, a connection that reports activity is idle. */
  readonly idleMs: number;
}

export interface UserPayload {
  readonly userId?: WireUserId;
}

export type OfflineReason = 'explicit' | 'disconnect' | 'expired' | 'node_lost';

/** What an online user wants (CONTRACT §8): `busy` if it chose so, `away` if chosen or all its connections are idle. */
export type WireAvailability = 'available' | 'away' | 'busy';

/** The longest `statusText`, in code points. */
export const MAX_STATUS_TEXT_LENGTH = 140;

/** §8's details of a user: all null for an offline user (`lastActive` may be its persisted last activity). */
export interface WireAvailabilityDetails {
  readonly availability: WireAvailability | null;
  readonly statusText: string | null;
  /** The user's last activity on any connection (ISO 8601), null when none was reported. */
  readonly lastActive: string | null;
  /** When the user's current online period began; null offline. */
  readonly onlineSince: string | null;
}

export interface UserStatusChanged {
  readonly userId: WireUserId;
  readonly status: 'online' | 'offline';
  readonly lastSeen: string;
  /** `type_changed`: the user is online, but its type changed, and so did whether this client may see it (CONTRACT §9). */
  readonly reason: 'online' | 'heartbeat' | OfflineReason | 'type_changed';
  /** CONTRACT §8, extra fields that clients of §1 ignore: the user's availability, text and online period (null offline). */
  readonly availability: WireAvailability | null;
  readonly statusText: string | null;
  readonly onlineSince: string | null;
}

/** CONTRACT §8: an online user is shown with another availability or text. */
export interface UserAvailabilityChanged {
  readonly userId: WireUserId;
  readonly availability: WireAvailability;
  readonly statusText: string | null;
  readonly lastActive: string | null;
  /** `set`: the user chose; `idle`: its connections went idle; `active`: one became active again. */
  readonly reason: 'set' | 'idle' | 'active';
  /** The change's place in the service's numbering of transitions (CONTRACT §7). */
  readonly seq: number;
}

export interface WireOnlineUser extends WireAvailabilityDetails {
  readonly userId: WireUserId;
  readonly status: 'online';
  readonly lastSeen: string;
  readonly userType: string | null;
  readonly userName: string | null;
  readonly availability: WireAvailability;
  readonly onlineSince: string;
}

/**
 * A user as a presenceState or a presenceDiff's join tells of it. `lastSeen` is null only for an offline user whose
 * last sign of life could not be read in time (CONTRACT §1, §11).
 */
export interface WirePresenceUser extends WireAvailabilityDetails {
  readonly userId: WireUserId;
  readonly status: 'online' | 'offline';
  readonly lastSeen: string | null;
  readonly userType: string | null;
  readonly userName: string | null;
}

export interface PresenceSubscribePayload {
  /** Users to follow by id (at most 10000), online or offline. */
  readonly userIds?: readonly WireUserId[];
  /** Users to follow by type. With both filters: users matching either; with neither: all users. */
  readonly userTypes?: readonly string[];
  /** The seq of the last state or diff applied, to resume after a reconnect. */
  readonly since?: number;
}

export interface PresenceStatePayload {
  readonly seq: number;
  readonly users: readonly WirePresenceUser[];
}

export interface PresenceLeave {
  readonly userId: WireUserId;
  readonly lastSeen: string;
  readonly reason: OfflineReason | 'type_changed';
}

export interface PresenceDiffPayload {
  readonly seq: number;
  readonly joins: readonly WirePresenceUser[];
  readonly leaves: readonly PresenceLeave[];
  /** Users in scope, online before and after, shown with another availability or text (CONTRACT §8). */
  readonly updates: readonly WirePresenceUser[];
}

export interface UserStatusSetPayload {
  readonly userId?: WireUserId;
  /** `available` clears a chosen `away` or `busy`; absent keeps the choice. */
  readonly availability?: WireAvailability;
  /** At most 140 code points; null clears it; absent keeps it. */
  readonly statusText?: string | null;
}

export interface UserActivityPayload {
  readonly userId?: WireUserId;
  readonly idle: boolean;
}

export interface PresenceErrorPayload extends Refusal {
  readonly event: string;
}

export interface ClientToServerEvents {
  /** The ack also tells what the user is shown as (CONTRACT §8), and the service's `PRESENCE_IDLE_MS` (`idleMs`). */
  userOnline(payload: UserOnlinePayload, ack?: Ack<UserOnlineAnswer>): void;
  /** `revived`: the heartbeat brought the connection back online (it had expired, or the service had lost it). */
  userHeartbeat(payload: UserPayload, ack?: Ack<{ userId: WireUserId; revived?: true }>): void;
  userOffline(payload: UserPayload, ack?: Ack<{ userId: WireUserId; status: 'offline' }>): void;
  getOnlineUsers(ack?: Ack<{ users: WireOnlineUser[] }>): void;
  userStatusSet(
    payload: UserStatusSetPayload,
    ack?: Ack<{ userId: WireUserId; availability: WireAvailability; statusText: string | null }>,
  ): void;
  userActivity(payload: UserActivityPayload, ack?: Ack<{ userId: WireUserId }>): void;
  presenceSubscribe(payload: PresenceSubscribePayload, ack?: Ack<{ seq: number }>): void;
  presenceUnsubscribe(ack?: Ack): void;
}

export interface ServerToClientEvents {
  userStatusChanged(change: UserStatusChanged): void;
  userAvailabilityChanged(change: UserAvailabilityChanged): void;
  onlineUsersList(users: WireOnlineUser[]): void;
  presenceError(error: PresenceErrorPayload): void;
  presenceState(state: PresenceStatePayload): void;
  presenceDiff(diff: PresenceDiffPayload): void;
}

export const clientEvents = [
  'userOnline',
  'userHeartbeat',
  'userOffline',
  'getOnlineUsers',
  'userStatusSet',
  'userActivity',
  'presenceSubscribe',
  'presenceUnsubscribe',
] as const;
export type ClientEventName = (typeof clientEvents)[number];
