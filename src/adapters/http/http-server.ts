import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/**
 * The HTTP server that Socket.IO shares. Until the HTTP API lands it answers `GET /health`, and a JSON 404
 * for everything else that is not Socket.IO's.
 */
export function createHttpServer(): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/health') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${req.method ?? ''} ${req.url ?? ''}` } });
  });
}
