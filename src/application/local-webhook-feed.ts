import type { JournaledOutbox, OutboxJournal } from './outbox-journal';
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

/** The most events one journal write carries: a backlog after an outage goes in several round trips, not one huge one. */
const EVENTS_PER_WRITE = 5_000;

/**
 * The outbox of one node on an in-memory store: its transitions as they commit, in memory, and, with a journal
 * (PostgreSQL), written there every batch interval in one round trip with the endpoints' cursors, so that a
 * restart picks up what was not acknowledged and a kill -9 loses at most the last interval. Until what the journal
 * kept from the last run has been read, nothing is sent (it goes first, in seq order) and nothing is written.
 */
export class LocalWebhookFeed implements WebhookFeed {
  private outbox = new WebhookOutbox();
  private readonly cursors = new Map<string, number>();
  private loaded: boolean;
  private lastSeq = 0;
  private unwritten: OutboxEvent[] = [];
  private movedCursors = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private writeAgain = false;

  constructor(
    private readonly settings: LocalFeedSettings,
    private readonly journal: OutboxJournal | null,
    private readonly observer: LocalFeedObserver,
    private readonly now: () => number,
  ) {
    this.loaded = journal === null;
  }

  async start(endpoints: readonly string[]): Promise<void> {
    for (const endpoint of endpoints) this.cursors.set(endpoint, 0);
    if (this.journal === null) return;
    await this.load();
    this.timer = setInterval(() => void this.write(), this.settings.journalEveryMs);
    this.timer.unref();
  }

  /** Writes what is left to the journal, then closes it: a graceful stop loses nothing. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.journal === null) return;
    await this.write();
    await this.writing;
    await this.journal.close();
  }

  append(event: OutboxEvent): void {
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    this.outbox.append(event);
    if (this.journal !== null) {
      this.unwritten.push(event);
      // A journal that cannot be written for long keeps no more than the outbox does (cut in steps, not per event).
      if (this.unwritten.length > this.settings.maxPending + 1_024) this.unwritten.splice(0, this.unwritten.length - this.settings.maxPending);
    }
    if (this.outbox.size > this.settings.maxPending) this.release();
  }

  next(endpoint: string, max: number): Promise<readonly OutboxEvent[]> {
    if (!this.loaded) return Promise.resolve([]);
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

  get problem(): string | undefined {
    return this.loaded ? undefined : 'the outbox the database kept from the last run has not been read yet (nothing is sent until it is)';
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

  /**
   * Reads what the journal kept (tried again every interval while the database cannot be reached), and puts it
   * before what this run appended meanwhile: its seqs are all lower. Each endpoint resumes after its cursor; one
   * the journal does not know starts after what it kept, and its place is written with the next write.
   */
  private async load(): Promise<boolean> {
    let kept: JournaledOutbox;
    try {
      kept = await (this.journal as OutboxJournal).load();
    } catch (error) {
      this.observer.journalFailed(error);
      return false;
    }
    const appended = this.outbox.after(-1, Number.MAX_SAFE_INTEGER);
    const firstAppended = appended[0]?.seq ?? Number.POSITIVE_INFINITY;
    this.outbox = new WebhookOutbox();
    for (const event of kept.events) if (event.seq < firstAppended) this.outbox.append(event);
    for (const event of appended) this.outbox.append(event);
    const end = kept.events.at(-1)?.seq ?? 0;
    for (const endpoint of this.cursors.keys()) {
      const cursor = kept.cursors.get(endpoint);
      this.cursors.set(endpoint, cursor ?? end);
      if (cursor === undefined) this.movedCursors.set(endpoint, end);
    }
    this.lastSeq = Math.max(this.lastSeq, end);
    this.loaded = true;
    this.release();
    return true;
  }

  /** One write at a time; a write asked for meanwhile follows it at once. */
  private write(): Promise<void> {
    if (this.writing !== undefined) {
      this.writeAgain = true;
      return this.writing;
    }
    this.writing = this.writeAll().finally(() => {
      this.writing = undefined;
      if (this.writeAgain) {
        this.writeAgain = false;
        void this.write();
      }
    });
    return this.writing;
  }

  /**
   * Appends what is still needed (an event every endpoint has, or one dropped, is not written), records the cursors
   * that moved, and lets go of every row before the oldest event still held: one round trip, or a few for a backlog.
   */
  private async writeAll(): Promise<void> {
    const journal = this.journal as OutboxJournal;
    if (!this.loaded && !(await this.load())) return;
    this.release();
    const oldestHeld = this.outbox.oldestAfter(-1)?.seq ?? this.lastSeq + 1;
    let events = this.unwritten.filter((e) => e.seq >= oldestHeld);
    this.unwritten = [];
    do {
      const chunk = events.slice(0, EVENTS_PER_WRITE);
      const cursors = this.movedCursors;
      this.movedCursors = new Map();
      try {
        await journal.write({ events: chunk, cursors, releasedThrough: oldestHeld - 1 });
      } catch (error) {
        // Kept for the next write, with what was appended and moved meanwhile.
        this.unwritten = [...events, ...this.unwritten];
        for (const [endpoint, seq] of cursors) if (!this.movedCursors.has(endpoint)) this.movedCursors.set(endpoint, seq);
        this.observer.journalFailed(error);
        return;
      }
      events = events.slice(EVENTS_PER_WRITE);
    } while (events.length > 0);
  }
}
