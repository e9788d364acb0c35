import type { PresenceSocket, SocketData } from '../../src/adapters/socket/socket.types';

type Listener = (...args: any[]) => void;

/**
 * A server-side socket without a server: what the socket adapter touches of Socket.IO's, nothing more. What the
 * server sends is recorded in `sent`; `receive` delivers a client's event as Socket.IO does (the catch-all
 * listeners first, then the event's own); `disconnect` closes it and tells the `disconnect` listeners at once.
 */
export class StandInSocket {
  readonly data: SocketData;
  readonly handshake = { address: '127.0.0.1' };
  connected = true;
  /** Each `disconnect(close)` the server called, with its argument. */
  readonly disconnects: Array<boolean | undefined> = [];
  /** Each event the server sent this socket, with its payload. */
  readonly sent: Array<[event: string, payload: unknown]> = [];
  /** The rooms the server put it in. */
  readonly rooms = new Set<string>();
  private readonly listeners = new Map<string, Listener[]>();
  private readonly anyListeners: Listener[] = [];

  constructor(
    readonly id: string,
    data: Partial<SocketData> = {},
  ) {
    this.data = { authUserId: null, ...data };
  }

  /** The stand-in, typed as what the adapter takes. */
  get socket(): PresenceSocket {
    return this as unknown as PresenceSocket;
  }

  join(room: string): void {
    this.rooms.add(room);
  }

  leave(room: string): void {
    this.rooms.delete(room);
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: Listener): this {
    const once: Listener = (...args) => {
      this.off(event, once);
      listener(...args);
    };
    return this.on(event, once);
  }

  off(event: string, listener: Listener): this {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== listener));
    return this;
  }

  onAny(listener: Listener): this {
    this.anyListeners.push(listener);
    return this;
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  emit(event: string, payload?: unknown): boolean {
    this.sent.push([event, payload]);
    return true;
  }

  /** The events of one name the server sent, their payloads in order. */
  sentOf(event: string): unknown[] {
    return this.sent.filter(([name]) => name === event).map(([, payload]) => payload);
  }

  disconnect(close?: boolean): this {
    this.disconnects.push(close);
    this.close('server namespace disconnect');
    return this;
  }

  /** The connection ends, as when the client goes away: once. */
  close(reason = 'client namespace disconnect'): void {
    if (!this.connected) return;
    this.connected = false;
    for (const listener of this.listeners.get('disconnect') ?? []) listener(reason);
  }

  /** A client's event, with its arguments as the client sent them (an ack callback last, if any). */
  receive(event: string, ...args: unknown[]): void {
    for (const listener of this.anyListeners) listener(event, ...args);
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }

  /** A client's event with an ack: resolves with what the server answered on it. */
  request(event: string, ...args: unknown[]): Promise<any> {
    return new Promise((resolve) => this.receive(event, ...args, resolve));
  }
}
