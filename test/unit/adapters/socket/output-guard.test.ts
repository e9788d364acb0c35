import { EventEmitter } from 'node:events';
import pino from 'pino';
import { OutputGuard, STALLED_OUTPUT_MS, unsentBytes } from '../../../../src/adapters/socket/output-guard';
import type { PresenceServer, PresenceSocket } from '../../../../src/adapters/socket/socket.types';

/** A server-side connection with the buffers Engine.IO keeps: its write buffer, and on WebSocket `bufferedAmount`. */
function connection(transport: 'websocket' | 'polling', buffered: number, packets: unknown[] = []) {
  const socket = {
    id: `${transport}-${buffered}`,
    connected: true,
    handshake: { address: '127.0.0.1' },
    conn: Object.assign(new EventEmitter(), {
      transport: { name: transport, socket: { bufferedAmount: buffered } },
      writeBuffer: packets.map((data) => ({ data })),
    }),
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
    const guard = new OutputGuard(serverOf([]), { maxBytes: 100, stallMs: STALLED_OUTPUT_MS }, { slowConsumerDisconnected: () => void counted++ }, pino({ level: 'silent' }));
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
      const guard = new OutputGuard(serverOf([slow, fine]), { maxBytes: 100, stallMs: STALLED_OUTPUT_MS }, { slowConsumerDisconnected: () => undefined }, pino({ level: 'silent' }));
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

  it('disconnects a connection whose output the transport took none of for STALLED_OUTPUT_MS, however little it holds', () => {
    let now = 0;
    let counted = 0;
    const guard = new OutputGuard(serverOf([]), { maxBytes: 1_000_000, stallMs: STALLED_OUTPUT_MS }, { slowConsumerDisconnected: () => void counted++ }, pino({ level: 'silent' }), () => now);
    const stopped = connection('websocket', 10);
    const slow = connection('websocket', 10);
    const idle = connection('websocket', 0);
    const look = () => [stopped, slow, idle].map((s) => guard.look(s as unknown as PresenceSocket, false));
    expect(look()).toEqual([true, true, true]);
    // The slow reader's transport takes a batch now and then; the stopped one's never does.
    for (let t = 1_000; t < STALLED_OUTPUT_MS; t += 1_000) {
      now = t;
      slow.conn.emit('drain');
      expect(look()).toEqual([true, true, true]);
    }
    now = STALLED_OUTPUT_MS;
    // Idle for as long: nothing to send is not a stall.
    idle.conn.transport.socket.bufferedAmount = 0;
    expect(look()).toEqual([false, true, true]);
    expect([stopped.connected, slow.connected, idle.connected, counted]).toEqual([false, true, true, 1]);
    // Output that drained to nothing starts over: an old wait does not count against the next.
    slow.conn.transport.socket.bufferedAmount = 0;
    guard.look(slow as unknown as PresenceSocket, false);
    slow.conn.transport.socket.bufferedAmount = 5;
    now += STALLED_OUTPUT_MS - 1;
    expect(guard.look(slow as unknown as PresenceSocket, false)).toBe(true);
  });

  it('takes bytes of a large message going out as progress, and a late look as no evidence', () => {
    let now = 0;
    const guard = new OutputGuard(serverOf([]), { maxBytes: 10_000_000, stallMs: STALLED_OUTPUT_MS }, { slowConsumerDisconnected: () => undefined }, pino({ level: 'silent' }), () => now);
    const large = connection('websocket', 2_000_000);
    const held = connection('websocket', 10);
    const look = (late = false) => [large, held].map((s) => guard.look(s as unknown as PresenceSocket, late));
    look();
    // One message of 2 MB on a slow link: no batch is done for 12 s, but its bytes leave, a little at a time.
    for (let t = 1_000; t <= 12_000; t += 1_000) {
      now = t;
      large.conn.transport.socket.bufferedAmount -= 100_000;
      // The node itself was held up for 8 s around the 9th second: that look proves nothing either way.
      const late = t === 9_000;
      expect(look(late)).toEqual([true, t < 9_000 + STALLED_OUTPUT_MS]);
    }
    // Cut only once 10 s passed without progress after the late look, not 10 s after the first one.
    expect(held.connected).toBe(true);
    now = 19_000;
    expect(look()).toEqual([true, false]);
  });
});
