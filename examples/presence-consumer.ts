/**
 * A backend that follows presence without polling (CONTRACT §10): the event stream with resume, and webhook batches
 * checked by their signature. Self-contained (Node 20 and the `eventsource` package), to copy into a service.
 *
 *   const follower = followPresence({ url: 'https://presence.example.com', token });
 *   follower.onChange((user) => console.log(user.userId, user.status, user.availability));
 *
 *   http.createServer(webhookHandler(process.env.WEBHOOK_SECRET!, (events) => route(events))).listen(8080);
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventSource } from 'eventsource';

/** A user as the stream tells of it: a snapshot's users, and each `presence` event. */
export interface PresenceUser {
  readonly userId: string | number;
  readonly status: 'online' | 'offline';
  readonly userType: string | null;
  readonly userName: string | null;
  readonly availability: 'available' | 'away' | 'busy' | null;
  readonly statusText: string | null;
  readonly lastSeen: string | null;
  readonly lastActive: string | null;
}

export interface PresenceEvent extends PresenceUser {
  readonly seq: number;
  readonly reason: string;
}

export interface Follower {
  /** Who is online now, as the stream last told. */
  readonly online: ReadonlyMap<string, PresenceUser>;
  /** The seq the view is current to: store it, and pass it back as `since` after a restart of this process. */
  readonly seq: number;
  onChange(listener: (user: PresenceUser) => void): void;
  close(): void;
}

/**
 * Follows `GET /presence-events`: a snapshot (or, with `since`, what came after it), then every change. The
 * EventSource reconnects by itself and sends `Last-Event-ID`, so a dropped connection resumes where it was; a
 * cursor the service no longer holds gets a fresh snapshot, which replaces the view.
 */
export function followPresence(options: { url: string; token?: string; since?: number }): Follower {
  const online = new Map<string, PresenceUser>();
  const listeners: Array<(user: PresenceUser) => void> = [];
  let seq = options.since ?? 0;
  const query = options.since === undefined ? '' : `?since=${options.since}`;
  const auth: Record<string, string> = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
  const source = new EventSource(`${options.url}/presence-events${query}`, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...auth } }),
  });
  const tell = (user: PresenceUser): void => {
    for (const listener of listeners) listener(user);
  };
  source.addEventListener('snapshot', (message) => {
    const snapshot = JSON.parse(message.data) as { seq: number; users: PresenceUser[] };
    const gone = [...online.values()];
    online.clear();
    for (const user of snapshot.users) online.set(String(user.userId), user);
    for (const user of gone) if (!online.has(String(user.userId))) tell({ ...user, status: 'offline', availability: null, statusText: null });
    for (const user of snapshot.users) tell(user);
    seq = snapshot.seq;
  });
  source.addEventListener('presence', (message) => {
    const event = JSON.parse(message.data) as PresenceEvent;
    // After a snapshot, an event it already holds may come again: the seq says so.
    if (event.seq <= seq) return;
    seq = event.seq;
    if (event.status === 'online') online.set(String(event.userId), event);
    else online.delete(String(event.userId));
    tell(event);
  });
  return {
    online,
    get seq() {
      return seq;
    },
    onChange: (listener) => void listeners.push(listener),
    close: () => source.close(),
  };
}

/** Whether a webhook delivery is genuine: its signature matches, and its timestamp is within `toleranceS` of now. */
export function isGenuineWebhook(secret: string, timestamp: string | undefined, signature: string | undefined, body: string, toleranceS = 300): boolean {
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1_000 - Number(timestamp)) > toleranceS) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * An HTTP handler for the service's webhooks: refuses a batch whose signature or timestamp is wrong (401), hands a
 * genuine one's events to `handle` once each (deliveries are at least once), and acknowledges it (204).
 */
export function webhookHandler(secret: string, handle: (events: Array<PresenceEvent | { type: 'reset'; seq: number }>) => void) {
  // Batches come in seq order, and seq only grows (across the service's restarts too): one number dedupes them.
  let highest = 0;
  return (req: IncomingMessage, res: ServerResponse): void => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const header = (name: string) => req.headers[name] as string | undefined;
      if (!isGenuineWebhook(secret, header('x-presence-timestamp'), header('x-presence-signature'), body)) {
        res.writeHead(401).end();
        return;
      }
      const { events } = JSON.parse(body) as { events: Array<PresenceEvent | { type: 'reset'; seq: number }> };
      const fresh = events.filter((event) => event.seq > highest);
      highest = Math.max(highest, ...events.map((event) => event.seq));
      if (fresh.length > 0) handle(fresh);
      res.writeHead(204).end();
    });
  };
}
