import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server } from 'socket.io';
import type { PresenceServer } from './socket.types';

export interface SocketServerSettings {
  readonly allowedOrigins: readonly string[];
  readonly maxMessageBytes: number;
  /** A client that opens a transport but does not complete the Socket.IO handshake within this is dropped. */
  readonly handshakeTimeoutMs: number;
}

/**
 * A browser's request carries its page's origin; servers and scripts send none and are not browsers. The service's
 * own pages (same origin as the request's host) are always allowed.
 */
export function isAllowedOrigin(req: IncomingMessage, allowedOrigins: ReadonlySet<string>): boolean {
  return originAllowed(req.headers.origin, req.headers.host, allowedOrigins);
}

export function originAllowed(origin: string | undefined, host: string | undefined, allowedOrigins: ReadonlySet<string>): boolean {
  if (origin === undefined || allowedOrigins.has(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Socket.IO on the service's HTTP server, at `/socket.io`, with both transports. A message over `maxMessageBytes`
 * is not read and closes its connection; a handshake from an origin that is not allowed is refused outright
 * (the CORS headers alone would not stop a WebSocket).
 */
export function createSocketServer(http: HttpServer, settings: SocketServerSettings): PresenceServer {
  const allowed = new Set(settings.allowedOrigins);
  return new Server(http, {
    path: '/socket.io',
    transports: ['polling', 'websocket'],
    serveClient: false,
    maxHttpBufferSize: settings.maxMessageBytes,
    connectTimeout: settings.handshakeTimeoutMs,
    cors: { origin: [...allowed], credentials: true },
    allowRequest: (req, callback) => callback(null, isAllowedOrigin(req, allowed)),
  });
}
