import { io, type Socket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, UserStatusChanged } from '../../src/protocol/socket-events';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const open = new Set<TestSocket>();

/** A real socket.io-client connection; resolves once connected, rejects with the connect_error. */
export async function connect(url: string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<TestSocket> {
  const socket: TestSocket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  open.add(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return socket;
}

/** The connect_error a handshake ends with. */
export async function refusedConnection(url: string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<Error> {
  const socket: TestSocket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  open.add(socket);
  return new Promise<Error>((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected, but should have been refused')));
    socket.once('connect_error', (error) => resolve(error));
  });
}

export function closeAllSockets(): void {
  for (const socket of open) socket.disconnect();
  open.clear();
}

/** Emits an event and resolves with its ack. */
export function request(socket: TestSocket, event: string, ...args: unknown[]): Promise<any> {
  return (socket as unknown as { timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<unknown> } })
    .timeout(5_000)
    .emitWithAck(event, ...args);
}

/** Every `userStatusChanged` a socket receives, with a way to wait for the next ones. */
export class StatusLog {
  readonly changes: UserStatusChanged[] = [];
  private waiters: Array<() => void> = [];

  constructor(socket: TestSocket) {
    socket.on('userStatusChanged', (change) => {
      this.changes.push(change);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** `userId status reason` per change, in arrival order. */
  summary(): string[] {
    return this.changes.map((c) => `${String(c.userId)} ${c.status} ${c.reason}`);
  }

  async waitFor(predicate: (changes: UserStatusChanged[]) => boolean, timeoutMs = 5_000): Promise<UserStatusChanged[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.changes)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; saw ${JSON.stringify(this.summary())}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.changes;
  }

  waitForCount(count: number): Promise<UserStatusChanged[]> {
    return this.waitFor((changes) => changes.length >= count);
  }
}

/** Resolves with the next event of that name on the socket. */
export function nextEvent<T = unknown>(socket: TestSocket, event: string, timeoutMs = 5_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    (socket as unknown as Socket).once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}
