import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type Koa from 'koa';

/**
 * The one HTTP server of the service: Koa's routes, with Socket.IO attached at `/socket.io`. The Koa app is asked
 * for on the first request: the routes need the presence service, whose notifier needs Socket.IO, which needs
 * this server, so the server cannot wait for the app.
 */
export function createHttpServer(app: () => Koa): Server {
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    handle ??= app().callback();
    handle(req, res);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  return server;
}
