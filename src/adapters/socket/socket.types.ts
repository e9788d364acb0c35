import type { Server, Socket } from 'socket.io';
import type { UserId, UserKey } from '../../domain/presence.types';
import type { ClientToServerEvents, ServerToClientEvents, WireOnlineUser } from '../../protocol/socket-events';
import type { EncodedJson } from './shared-encoding';

export interface SocketData {
  /** The token's user; `null` when the service runs without authentication. */
  authUserId: UserId | null;
  /** When the token stops being valid (ms since the epoch); the connection is closed then. */
  tokenExpiresAt?: number;
  /** The user this connection was last announced as, with the type and name it gave. */
  userId?: UserId;
  userType?: string | null;
  userName?: string | null;
  /** The token's tenant, when tenants are on (CONTRACT §9): the only partition the connection sees and acts in. */
  tenant?: string;
  /** The token's user type, when visibility is on (CONTRACT §9): the only type the connection sees as. */
  tokenUserType?: string | null;
  /** The key of the user the connection last spoke for (`keyedUserId`), made once for all its events. */
  userKey?: UserKey;
  keyedUserId?: UserId;
  /** The rooms that bring this connection §1's events, while it has not subscribed. */
  eventRooms?: string[];
  /**
   * What this connection last said with `userActivity` (CONTRACT §8), if anything: a connection the store lost (it
   * expired, or Redis lost its data) comes back as it was, not as one that never reported.
   */
  reportedIdle?: boolean;
  /** Without authentication: the user this connection counts against the per-user limit. */
  countedUserId?: UserId;
}

/** What the server emits: the protocol's events, the list possibly encoded once already (clients get the same JSON). */
type ServerEmits = Omit<ServerToClientEvents, 'onlineUsersList'> & { onlineUsersList(users: WireOnlineUser[] | EncodedJson): void };

export type PresenceServer = Server<ClientToServerEvents, ServerEmits, Record<string, never>, SocketData>;
export type PresenceSocket = Socket<ClientToServerEvents, ServerEmits, Record<string, never>, SocketData>;
