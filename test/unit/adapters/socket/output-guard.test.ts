import pino from 'pino';
import { OutputGuard, unsentBytes } from '../../../../src/adapters/socket/output-guard';
import type { PresenceServer, PresenceSocket } from '../../../../src/adapters/socket/socket.types';

/** A server-side connection with the buffers Engine.IO keeps: its write buffer, and on WebSocket `bufferedAmount`. */
function connection(transport: 'websocket' | 'polling', buffered: number, packets: unknown[] = []) {
  const socket = {
    id: `${transport}-${buffered}`,
    connected: true,
    handshake: { address: '127.0.0.1' },
    conn: { transport: { name: transport, socket: { bufferedAmount: buffered } }, writeBuffer: packets.map((data) => ({ data })) },
    disconnect(): void {
      socket.connected = false;
    },
  };
  return socket;
}

const serverOf = (sockets: Array<ReturnType<typeof connection>>): PresenceServer =>
  ({ of: () => ({ sockets: new Map(sockets.map((s) => [s.id, s])) }) }) as unknown as PresenceServer;

describe('OutputGuard', () => {
  it('counts what Engine.IO holds and, on WebSocket, what the socket has not sent', () => {
    expect(unsentBytes(connection('websocket', 100, ['abc', Buffer.alloc(10)]) as unknown as PresenceSocket)).toBe(113);
    // Polling has no socket buffer of its own: what waits for the next poll is in the write buffer.
    expect(unsentBytes(connection('polling', 100, ['é']) as unknown as PresenceSocket)).toBe(2);
  });

  it('disconnects a connection over the limit and counts it, and leaves one at the limit', () => {
    let counted = 0;
    const guard = new OutputGuard(serverOf([]), 100, { slowConsumerDisconnected: () => void counted++ }, pino({ level: 'silent' }));
    const atLimit = connection('websocket', 100);
    const over = connection('websocket', 101);
    expect(guard.check(atLimit as unknown as PresenceSocket)).toBe(true);
    expect(guard.check(over as unknown as PresenceSocket)).toBe(false);
    expect([atLimit.connected, over.connected, counted]).toEqual([true, false, 1]);
  });

  it('looks at every connection every interval, for readers that stopped while broadcasts went on', async () => {
    jest.useFakeTimers();
    try {
      const slow = connection('polling', 0, ['x'.repeat(200)]);
      const fine = connection('websocket', 10);
      const guard = new OutputGuard(serverOf([slow, fine]), 100, { slowConsumerDisconnected: () => undefined }, pino({ level: 'silent' }));
      guard.start(1_000);
      jest.advanceTimersByTime(999);
      expect(slow.connected).toBe(true);
      jest.advanceTimersByTime(1);
      expect([slow.connected, fine.connected]).toEqual([false, true]);
      guard.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});
