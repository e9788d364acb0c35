import type { OutboxEvent, WebhookFeed } from '../../application/webhook-feed';
import type { ToldPresence } from '../../domain/ports/transition-feed.port';
import type { CommittedTransition } from '../../domain/presence.events';
import { webhookEventOf } from '../presence-events/presence-event-of';
import type { PresenceRedis } from './redis-client';
import type { RedisKeys } from './redis-keys';
import { checked } from './redis-reply.guard';
import { count, optionalString, streamEntries, type StreamEntry } from './redis-replies';
import { decodeTransition } from './stored-transition.codec';

export interface RedisWebhookFeedSettings {
  readonly nodeId: string;
  /** How long the delivering node holds the lease unless it renews it: PRESENCE_NODE_LEASE_MS. */
  readonly leaseMs: number;
  /** Events older than this are dropped and counted: WEBHOOK_MAX_AGE_MS. */
  readonly maxAgeMs: number;
  /** How many entries the stream keeps for the replay (PRESENCE_REPLAY_SIZE) when no endpoint is further behind. */
  readonly replayKept: number;
}

export interface RedisWebhookFeedObserver {
  dropped(events: number): void;
  leaseFailed(error: unknown): void;
}

interface Cursor {
  readonly id: string;
  readonly seq: number;
}

/** The webhooks read what the stream holds and know nothing told: an entry names its user itself. */
const TOLD_NOTHING: ToldPresence = { believedOnline: () => [], toldStateOf: () => undefined };

/** How many stream entries one read takes at most while it skips events too old to send. */
const MAX_SKIPPING_READS = 20;

/**
 * CONTRACT §10's outbox on Redis: the transitions stream itself. One node of the cluster delivers (it holds a lease
 * it renews a few times a lease); each endpoint's cursor is in Redis and moves only under the lease, so that when
 * the delivering node dies the next one resumes after the last acknowledged seq. The delivering node trims the
 * stream to what the replay keeps or what an endpoint has not acknowledged, whichever is more; what the stream's
 * own bound trimmed before it was sent, or what is older than the maximum age, is dropped and counted.
 */
export class RedisWebhookFeed implements WebhookFeed {
  private endpoints: readonly string[] = [];
  private started = false;
  private heldUntil = 0;
  private leaseTimer: NodeJS.Timeout | undefined;
  /** Per endpoint: its cursor as last read or moved here. */
  private readonly cursors = new Map<string, Cursor>();
  /** Per endpoint: when the oldest event it has not acknowledged was appended (about, while it catches up). */
  private readonly oldestUnacknowledged = new Map<string, number>();
  /** The last batch each endpoint was given: its entry ids by seq, whether it was full, and its last event's time. */
  private readonly lastBatchOf = new Map<string, { ids: Map<number, string>; full: boolean; lastAt: number }>();
  /** Per endpoint, the highest seq whose loss has been counted already. */
  private readonly countedThrough = new Map<string, number>();

  constructor(
    private readonly redis: PresenceRedis,
    private readonly keys: RedisKeys,
    private readonly settings: RedisWebhookFeedSettings,
    private readonly observer: RedisWebhookFeedObserver,
    private readonly now: () => number,
    /** The highest seq this node has seen in the stream: how far behind an endpoint is. */
    private readonly streamSeq: () => number,
  ) {}

  async start(endpoints: readonly string[]): Promise<void> {
    this.endpoints = endpoints;
    // With Redis down this waits no longer than a command; the cursors are started at the first read then.
    await this.startCursors().catch(() => undefined);
    this.keepLease();
  }

  async stop(): Promise<void> {
    clearTimeout(this.leaseTimer);
    this.leaseTimer = undefined;
    if (this.holdsLease) await this.redis.dropWebhookLease(this.keys.webhookLease, this.settings.nodeId).catch(() => undefined);
    this.heldUntil = 0;
  }

  /** Whether this node delivers now: it holds the lease, by its own clock, with the lease's length not yet run out. */
  get holdsLease(): boolean {
    return this.now() < this.heldUntil;
  }

  async next(endpoint: string, max: number): Promise<readonly OutboxEvent[] | undefined> {
    if (!this.holdsLease) return undefined;
    if (!this.started) await this.startCursors();
    let cursor = await this.cursorOf(endpoint);
    for (let read = 0; read < MAX_SKIPPING_READS; read += 1) {
      const entries = await this.redis
        .xrange(this.keys.transitions, `(${cursor.id}`, '+', 'COUNT', max)
        .then((reply) => checked(this.redis, reply, streamEntries));
      if (entries.length === 0) return [];
      // What is dropped is counted once, however often a failing endpoint's batch is read again.
      const counted = this.countedThrough.get(endpoint) ?? 0;
      const { events, dropped, last } = this.eventsOf(entries, cursor.seq, counted);
      this.countedThrough.set(endpoint, Math.max(counted, last.seq));
      if (dropped > 0) this.observer.dropped(dropped);
      if (events.length > 0) {
        this.remember(endpoint, entries, entries.length === max);
        this.oldestUnacknowledged.set(endpoint, (events[0] as OutboxEvent).at);
        return events;
      }
      // Nothing in these entries is to be sent: the cursor moves past them, and the next entries are read.
      await this.moveCursor(endpoint, last);
      if (!this.holdsLease) return undefined;
      cursor = last;
    }
    return [];
  }

  async acknowledge(endpoint: string, seq: number): Promise<void> {
    const batch = this.lastBatchOf.get(endpoint);
    const id = batch?.ids.get(seq);
    // After a full batch more is waiting, about as old as its last event; after a short one, nothing is.
    if (batch?.full === true) this.oldestUnacknowledged.set(endpoint, batch.lastAt);
    else this.oldestUnacknowledged.delete(endpoint);
    if (id !== undefined) await this.moveCursor(endpoint, { id, seq });
  }

  get pending(): number {
    if (!this.holdsLease) return 0;
    const seqs = this.endpoints.map((e) => this.cursors.get(e)?.seq).filter((seq): seq is number => seq !== undefined);
    return seqs.length === 0 ? 0 : Math.max(0, this.streamSeq() - Math.min(...seqs));
  }

  get lagMs(): number {
    if (!this.holdsLease || this.oldestUnacknowledged.size === 0) return 0;
    return Math.max(0, this.now() - Math.min(...this.oldestUnacknowledged.values()));
  }

  /** Nothing stops the delivery but Redis itself, which the store's health reports. */
  readonly problem = undefined;

  private async startCursors(): Promise<void> {
    if (this.endpoints.length === 0) return;
    await this.redis.startWebhookCursors(this.keys.webhookCursors, this.keys.transitions, ...this.endpoints);
    this.started = true;
  }

  /** The endpoint's cursor from Redis (the last node to deliver may have been another). */
  private async cursorOf(endpoint: string): Promise<Cursor> {
    let stored = checked(this.redis, await this.redis.hget(this.keys.webhookCursors, endpoint), optionalString);
    if (stored === null) {
      // Started here before: Redis lost its data, and the stream holds only what came since, all of it to send.
      // Not started (Redis was down when this node started): the endpoint starts at the stream's end, as at a start.
      if (this.started) await this.redis.hsetnx(this.keys.webhookCursors, endpoint, '0-0 0');
      else await this.startCursors();
      stored = checked(this.redis, await this.redis.hget(this.keys.webhookCursors, endpoint), optionalString) ?? '0-0 0';
    }
    const [id = '0-0', seq = '0'] = stored.split(' ');
    const cursor = { id, seq: Number(seq) || 0 };
    this.cursors.set(endpoint, cursor);
    return cursor;
  }

  private async moveCursor(endpoint: string, to: Cursor): Promise<void> {
    const moved = await this.redis.acknowledgeWebhook(this.keys.webhookLease, this.keys.webhookCursors, this.settings.nodeId, endpoint, to.id, to.seq);
    if (checked(this.redis, moved, count('the acknowledge script')) === 1) {
      this.cursors.set(endpoint, to);
      await this.redis.trimWebhookOutbox(this.keys.transitions, this.keys.webhookCursors, this.keys.seq, this.settings.replayKept, ...this.endpoints);
    }
    // The lease went to another node meanwhile: it delivers from the cursor as it was (again, at least once).
    else this.heldUntil = 0;
  }

  /** The entry ids of the batch given to an endpoint, by seq, so that its acknowledgement can name the entry. */
  private remember(endpoint: string, entries: readonly StreamEntry[], full: boolean): void {
    const ids = new Map<number, string>();
    for (const [id, fields] of entries) ids.set(Number(fieldOf(fields, 'seq')), id);
    const lastId = entries.at(-1)?.[0] ?? '0-0';
    this.lastBatchOf.set(endpoint, { ids, full, lastAt: Number(lastId.split('-')[0]) });
  }

  /**
   * The entries' events to send, and how many after `counted` were lost to the stream's bound, are too old, or
   * cannot be read (an entry Redis mangled is skipped, as the transitions feed skips it).
   */
  private eventsOf(entries: readonly StreamEntry[], afterSeq: number, counted: number): { events: OutboxEvent[]; dropped: number; last: Cursor } {
    const oldest = this.now() - this.settings.maxAgeMs;
    const events: OutboxEvent[] = [];
    let dropped = 0;
    let previous = afterSeq;
    let last: Cursor = { id: '0-0', seq: afterSeq };
    for (const [id, fields] of entries) {
      const seq = Number(fieldOf(fields, 'seq'));
      const json = fieldOf(fields, 'transition');
      if (!Number.isSafeInteger(seq)) continue;
      // A gap: entries trimmed away before they were sent (a seq at or below the cursor: Redis lost its data).
      const before = Math.max(previous, counted);
      if (previous > 0 && seq > before + 1) dropped += seq - before - 1;
      previous = seq;
      last = { id, seq };
      const at = Number(id.split('-')[0]);
      const transition = at < oldest ? undefined : decoded(json, seq);
      if (transition === null || at < oldest) {
        if (seq > counted) dropped += 1;
        continue;
      }
      if (transition !== undefined) events.push({ seq, at, event: webhookEventOf(transition) });
    }
    return { events, dropped, last };
  }

  /** Renews the lease a few times a lease, or takes it when no node holds it. */
  private keepLease(): void {
    const renew = async (): Promise<void> => {
      const askedAt = this.now();
      try {
        const held = checked(this.redis, await this.redis.holdWebhookLease(this.keys.webhookLease, this.settings.nodeId, this.settings.leaseMs), count('the lease script'));
        this.heldUntil = held === 1 ? askedAt + this.settings.leaseMs : 0;
      } catch (error) {
        this.observer.leaseFailed(error);
      }
      if (this.leaseTimer !== undefined) this.leaseTimer = setTimeout(() => void renew(), this.settings.leaseMs / 3).unref();
    };
    this.leaseTimer = setTimeout(() => void renew(), 0).unref();
  }
}

/** The entry's transition; undefined for a kind this version does not know, null for one it cannot read. */
function decoded(json: string | undefined, seq: number): CommittedTransition | undefined | null {
  if (json === undefined) return null;
  try {
    return decodeTransition(json, seq, TOLD_NOTHING);
  } catch {
    return null;
  }
}

function fieldOf(fields: readonly string[], name: string): string | undefined {
  const at = fields.indexOf(name);
  return at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
}
