import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { originAllowed } from '../origins/allowed-origin.policy';
import { sharedEncodingParser } from './shared-encoding';
import type { PresenceServer } from './socket.types';

export interface SocketServerSettings {
  readonly allowedOrigins: readonly string[];
  readonly maxMessageBytes: number;
  /** A client that opens a transport but does not complete the Socket.IO handshake within this is dropped. */
  readonly handshakeTimeoutMs: number;
  /** Socket.IO's adapter, for broadcasts that reach every node's clients; the in-process one when not given. */
  readonly adapter?: ServerOptions['adapter'];
}

/** Whether a handshake comes from an origin the service allows (see `originAllowed`). */
export function isAllowedOrigin(req: IncomingMessage, allowedOrigins: ReadonlySet<string>): boolean {
  return originAllowed(req.headers.origin, req.headers.host, allowedOrigins);
}

/**
 * Socket.IO on the service's HTTP server, at `/socket.io`, with both transports. A message over `maxMessageBytes`
 * is not read and closes its connection; a handshake from an origin that is not allowed is refused outright
 * (the CORS headers alone would not stop a WebSocket). Packets are encoded as Socket.IO's parser does, but for
 * `EncodedJson`, spliced in as encoded once.
 */
export function createSocketServer(http: HttpServer, settings: SocketServerSettings): PresenceServer {
  const allowed = new Set(settings.allowedOrigins);
  return new Server(http, {
    path: '/socket.io',
    transports: ['polling', 'websocket'],
    serveClient: false,
    parser: sharedEncodingParser,
    maxHttpBufferSize: settings.maxMessageBytes,
    connectTimeout: settings.handshakeTimeoutMs,
    cors: { origin: [...allowed], credentials: true },
    allowRequest: (req, callback) => callback(null, isAllowedOrigin(req, allowed)),
    ...(settings.adapter === undefined ? {} : { adapter: settings.adapter }),
  });
}
