import type { Server, Socket } from 'socket.io';
import type { UserId } from '../../domain/presence.types';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/socket-events';

export interface SocketData {
  /** The token's user; `null` when the service runs without authentication. */
  authUserId: UserId | null;
  /** When the token stops being valid (ms since the epoch); the connection is closed then. */
  tokenExpiresAt?: number;
  /** The user this connection was last announced as, with the type and name it gave. */
  userId?: UserId;
  userType?: string | null;
  userName?: string | null;
  /** Without authentication: the user this connection counts against the per-user limit. */
  countedUserId?: UserId;
}

export type PresenceServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type PresenceSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
