import type { JournaledOutbox, JournalWrite, OutboxJournal } from './outbox-journal';
import type { OutboxEvent, WebhookFeed } from './webhook-feed';
import { WebhookOutbox } from './webhook-outbox';

export interface LocalFeedSettings {
  /** Events older than this are dropped and counted: WEBHOOK_MAX_AGE_MS. */
  readonly maxAgeMs: number;
  /** The most events held: past it, the oldest are dropped and counted, so a dead endpoint cannot fill memory. */
  readonly maxPending: number;
  /** How often the journal is written: WEBHOOK_BATCH_MS, the most a kill -9 loses. */
  readonly journalEveryMs: number;
}

export interface LocalFeedObserver {
  dropped(events: number): void;
  journalFailed(error: unknown): void;
}

/**
 * The outbox of one node on an in-memory store: its transitions as they commit, in memory, and, with a journal
 * (PostgreSQL), written there every batch interval in one round trip with the endpoints' cursors, so that a
 * restart picks up what was not acknowledged and a kill -9 loses at most the last interval.
 */
export class LocalWebhookFeed implements WebhookFeed {
  private readonly outbox = new WebhookOutbox();
  private readonly cursors = new Map<string, number>();
  private unwritten: OutboxEvent[] = [];
  private movedCursors = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** The journal could not be read at the start: its rows, all older than `firstSeq`, are never to be sent. */
  private discardOld = false;
  private firstSeq: number | undefined;

  constructor(
    private readonly settings: LocalFeedSettings,
    private readonly journal: OutboxJournal | null,
    private readonly observer: LocalFeedObserver,
    private readonly now: () => number,
  ) {}

  async start(endpoints: readonly string[]): Promise<void> {
    const kept = await this.load();
    for (const event of kept.events) this.outbox.append(event);
    const end = kept.events.at(-1)?.seq ?? 0;
    for (const endpoint of endpoints) {
      const cursor = kept.cursors.get(endpoint);
      this.cursors.set(endpoint, cursor ?? end);
      // A new endpoint's place is written with the first events, so that a crash after them does not skip them.
      if (cursor === undefined && this.journal !== null) this.movedCursors.set(endpoint, end);
    }
    this.release();
    if (this.journal !== null) this.schedule();
  }

  /** Writes what is left to the journal, then closes it: a graceful stop loses nothing. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.journal === null) return;
    await this.write();
    await this.journal.close();
  }

  /** What the journal kept; nothing when it cannot be read (the database is down), and what it held is let go of. */
  private async load(): Promise<JournaledOutbox> {
    const nothing = { events: [], cursors: new Map<string, number>() };
    if (this.journal === null) return nothing;
    try {
      return await this.journal.load();
    } catch (error) {
      this.observer.journalFailed(error);
      this.discardOld = true;
      return nothing;
    }
  }

  append(event: OutboxEvent): void {
    // Older than anything appended from now on: what a journal that could not be read kept is let go of at the first write.
    if (this.discardOld && this.firstSeq === undefined) this.firstSeq = event.seq;
    this.outbox.append(event);
    if (this.journal !== null) {
      this.unwritten.push(event);
      // A journal that cannot be written for long keeps no more than the outbox does (cut in steps, not per event).
      if (this.unwritten.length > this.settings.maxPending + 1_024) this.unwritten.splice(0, this.unwritten.length - this.settings.maxPending);
    }
    if (this.outbox.size > this.settings.maxPending) this.release();
  }

  next(endpoint: string, max: number): Promise<readonly OutboxEvent[]> {
    this.release();
    return Promise.resolve(this.outbox.after(this.cursors.get(endpoint) ?? 0, max));
  }

  acknowledge(endpoint: string, seq: number): Promise<void> {
    this.cursors.set(endpoint, seq);
    if (this.journal !== null) this.movedCursors.set(endpoint, seq);
    this.release();
    return Promise.resolve();
  }

  get pending(): number {
    return Math.max(0, ...[...this.cursors.values()].map((cursor) => this.outbox.countAfter(cursor)));
  }

  get lagMs(): number {
    const oldest = Math.min(...[...this.cursors.values()].map((cursor) => this.outbox.oldestAfter(cursor)?.at ?? Number.POSITIVE_INFINITY));
    return Number.isFinite(oldest) ? Math.max(0, this.now() - oldest) : 0;
  }

  private get acknowledgedByAll(): number {
    return this.cursors.size === 0 ? 0 : Math.min(...this.cursors.values());
  }

  private release(): void {
    let dropped = this.outbox.release(this.acknowledgedByAll, this.now() - this.settings.maxAgeMs);
    const over = this.outbox.size - this.settings.maxPending;
    if (over > 0) dropped += this.outbox.dropOldest(over);
    if (dropped > 0) this.observer.dropped(dropped);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.write().finally(() => {
        if (this.timer !== undefined) this.schedule();
      });
    }, this.settings.journalEveryMs);
    this.timer.unref();
  }

  /** One write at a time; what a failed write held is tried again with the next. */
  private write(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const journal = this.journal;
      if (journal === null) return;
      const change: JournalWrite = {
        events: this.unwritten,
        cursors: this.movedCursors,
        releasedThrough: Math.max(this.acknowledgedByAll, this.discardOld ? (this.firstSeq ?? Number.MAX_SAFE_INTEGER) - 1 : 0),
        expiredBefore: this.now() - this.settings.maxAgeMs,
      };
      this.unwritten = [];
      this.movedCursors = new Map();
      try {
        await journal.write(change);
        if (change.releasedThrough >= (this.firstSeq ?? Number.MAX_SAFE_INTEGER) - 1) this.discardOld = false;
      } catch (error) {
        this.unwritten = [...change.events, ...this.unwritten].slice(-this.settings.maxPending);
        for (const [endpoint, seq] of change.cursors) if (!this.movedCursors.has(endpoint)) this.movedCursors.set(endpoint, seq);
        this.observer.journalFailed(error);
      }
    });
    return this.writing;
  }
}
