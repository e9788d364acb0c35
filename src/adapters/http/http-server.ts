import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type Koa from 'koa';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const koaOf = new WeakMap<Server, Handler>();

/**
 * The one HTTP server of the service, with Socket.IO attached at `/socket.io`. Koa's routes are handed over when the
 * service starts (`serveKoa`): they need the presence service, whose notifier needs Socket.IO, which needs this
 * server, so the server cannot be made from the app. Its own request listener is there from the start, so that
 * Socket.IO, attaching later, passes it every request that is not its own.
 */
export function createHttpServer(): Server {
  const server = createServer((req, res) => {
    const handle = koaOf.get(server);
    if (handle !== undefined) return handle(req, res);
    res.statusCode = 503;
    res.end();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  return server;
}

/** Koa answers every request that Socket.IO does not take. */
export function serveKoa(server: Server, app: Koa): void {
  koaOf.set(server, app.callback());
}
