import { EventSource } from 'eventsource';

export interface StreamedEvent {
  readonly type: string;
  readonly id: string;
  readonly data: any;
}

const open = new Set<EventSource>();

/**
 * A real EventSource (the `eventsource` package) on `GET /presence-events`, recording every event in order, with a
 * way to wait for the next ones. It reconnects by itself, sending `Last-Event-ID`, as browsers' EventSource does.
 */
export class EventStreamLog {
  readonly events: StreamedEvent[] = [];
  readonly errors: unknown[] = [];
  readonly source: EventSource;
  private waiters: Array<() => void> = [];

  constructor(url: string, options: { token?: string; lastEventId?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    this.source = new EventSource(url, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
    });
    open.add(this.source);
    for (const type of ['snapshot', 'presence', 'reset']) {
      this.source.addEventListener(type, (event) => {
        this.events.push({ type, id: event.lastEventId, data: JSON.parse(event.data) });
        this.wake();
      });
    }
    this.source.addEventListener('error', (error) => {
      this.errors.push(error);
      this.wake();
    });
  }

  /** `presence` events as `userId status reason` (and the availability, when online). */
  summary(): string[] {
    return this.events
      .filter((e) => e.type === 'presence')
      .map((e) => `${String(e.data.userId)} ${e.data.status} ${e.data.reason}${e.data.status === 'online' ? ` ${e.data.availability}` : ''}`);
  }

  async waitFor(predicate: (log: EventStreamLog) => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.events)}, errors ${this.errors.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.source.close();
    open.delete(this.source);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

export function closeAllStreams(): void {
  for (const source of open) source.close();
  open.clear();
}
