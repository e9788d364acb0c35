/**
 * The ceiling: a bare Socket.IO server on the same port settings, whose handlers only acknowledge. The same client
 * load against it shows what Socket.IO and the machine allow before the presence service does any work.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env['PORT'] ?? 0);
const http = createServer();
const io = new Server(http, { transports: ['polling', 'websocket'], serveClient: false });
/** BARE_BROADCAST=1: each `userOnline` is also broadcast to every client, as §1's `userStatusChanged`: the fan-out ceiling. */
const broadcasts = process.env['BARE_BROADCAST'] === '1';
io.on('connection', (socket) => {
  if (broadcasts) {
    socket.on('userOnline', (payload: { userId?: unknown }) => {
      io.emit('userStatusChanged', { userId: payload.userId, status: 'online', lastSeen: new Date().toISOString(), reason: 'online' });
    });
  }
  for (const event of ['userOnline', 'userHeartbeat', 'userOffline', 'getOnlineUsers', 'presenceSubscribe']) {
    socket.on(event, (...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof ack === 'function') ack({ ok: true });
    });
  }
});
http.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'bare listening', port: (http.address() as { port: number }).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
