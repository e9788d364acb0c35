import type { Server, Socket } from 'socket.io';
import type { UserId } from '../../domain/presence.types';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/socket-events';

export interface SocketData {
  /** The token's user; `null` when the service runs without authentication. */
  authUserId: UserId | null;
  /** The user this connection was last announced as, with the type and name it gave. */
  userId?: UserId;
  userType?: string | null;
  userName?: string | null;
}

export type PresenceServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type PresenceSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
