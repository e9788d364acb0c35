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

export interface UserPayload {
  readonly userId?: WireUserId;
}

export type OfflineReason = 'explicit' | 'disconnect' | 'expired' | 'node_lost';

export interface UserStatusChanged {
  readonly userId: WireUserId;
  readonly status: 'online' | 'offline';
  readonly lastSeen: string;
  /** `type_changed`: the user is online, but its type changed, and so did whether this client may see it (CONTRACT §9). */
  readonly reason: 'online' | 'heartbeat' | OfflineReason | 'type_changed';
}

export interface WireOnlineUser {
  readonly userId: WireUserId;
  readonly status: 'online';
  readonly lastSeen: string;
  readonly userType: string | null;
  readonly userName: string | null;
}

/**
 * A user as a presenceState or a presenceDiff's join tells of it. `lastSeen` is null only for an offline user whose
 * last sign of life could not be read in time (CONTRACT §1, §11).
 */
export interface WirePresenceUser {
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
}

export interface PresenceErrorPayload extends Refusal {
  readonly event: string;
}

export interface ClientToServerEvents {
  userOnline(payload: UserOnlinePayload, ack?: Ack<{ userId: WireUserId; status: 'online' }>): void;
  userHeartbeat(payload: UserPayload, ack?: Ack<{ userId: WireUserId }>): void;
  userOffline(payload: UserPayload, ack?: Ack<{ userId: WireUserId; status: 'offline' }>): void;
  getOnlineUsers(ack?: Ack<{ users: WireOnlineUser[] }>): void;
  presenceSubscribe(payload: PresenceSubscribePayload, ack?: Ack<{ seq: number }>): void;
  presenceUnsubscribe(ack?: Ack): void;
}

export interface ServerToClientEvents {
  userStatusChanged(change: UserStatusChanged): void;
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
  'presenceSubscribe',
  'presenceUnsubscribe',
] as const;
export type ClientEventName = (typeof clientEvents)[number];
