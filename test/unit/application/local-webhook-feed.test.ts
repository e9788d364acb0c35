import { LocalWebhookFeed } from '../../../src/application/local-webhook-feed';
import type { JournaledOutbox, JournalWrite, OutboxJournal } from '../../../src/application/outbox-journal';
import type { OutboxEvent } from '../../../src/application/webhook-feed';

const EVERY_MS = 100;

/** A journal that records its writes (in PostgreSQL's place: the SQL runs in the integration tests). */
class RecordingJournal implements OutboxJournal {
  readonly writes: JournalWrite[] = [];
  failing = false;
  constructor(
    private readonly kept: JournaledOutbox = { events: [], cursors: new Map() },
    /** How many loads fail first (the database not up yet). */
    private loadFailures = 0,
  ) {}
  load(): Promise<JournaledOutbox> {
    if (this.loadFailures > 0) {
      this.loadFailures -= 1;
      return Promise.reject(new Error('database down'));
    }
    return Promise.resolve(this.kept);
  }
  write(change: JournalWrite): Promise<void> {
    if (this.failing) return Promise.reject(new Error('database down'));
    this.writes.push({ ...change, cursors: new Map(change.cursors) });
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const event = (seq: number, at = 0): OutboxEvent => ({ seq, at, event: { seq } });
const seqs = (events: readonly OutboxEvent[] | undefined) => events?.map((e) => e.seq);

/** CONTRACT §10's in-memory outbox and its journal: written every batch interval, read back at the start. */
describe('the local webhook feed', () => {
  let now = 0;
  let dropped = 0;
  const make = (journal: OutboxJournal | null, maxPending = 1_000) =>
    new LocalWebhookFeed({ maxAgeMs: 10_000, maxPending, journalEveryMs: EVERY_MS }, journal, { dropped: (n) => (dropped += n), journalFailed: () => undefined }, () => now);

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    now = 0;
    dropped = 0;
  });
  afterEach(() => jest.useRealTimers());

  it('writes what was appended, and the cursors that moved, in one write per interval, and lets go of what every endpoint has', async () => {
    const journal = new RecordingJournal();
    const feed = make(journal);
    await feed.start(['x', 'y']);
    feed.append(event(1));
    feed.append(event(2));
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(journal.writes).toHaveLength(1);
    expect(journal.writes[0]).toEqual({ events: [event(1), event(2)], cursors: new Map([['x', 0], ['y', 0]]), releasedThrough: 0 });
    expect(seqs(await feed.next('x', 10))).toEqual([1, 2]);
    await feed.acknowledge('x', 2);
    expect(feed.pending).toBe(2);
    await feed.acknowledge('y', 1);
    feed.append(event(3));
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(journal.writes[1]).toMatchObject({ events: [event(3)], cursors: new Map([['x', 2], ['y', 1]]), releasedThrough: 1 });
    expect(feed.pending).toBe(2);
    // Nothing new: the write still happens each interval (it carries nothing), and never more often.
    await jest.advanceTimersByTimeAsync(EVERY_MS - 1);
    expect(journal.writes).toHaveLength(2);
  });

  it('keeps what a failed write held for the next one, but for what every endpoint has meanwhile', async () => {
    const journal = new RecordingJournal();
    const feed = make(journal);
    await feed.start(['x']);
    journal.failing = true;
    feed.append(event(1));
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    await feed.acknowledge('x', 1);
    journal.failing = false;
    feed.append(event(2));
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(journal.writes.at(-1)).toEqual({ events: [event(2)], cursors: new Map([['x', 1]]), releasedThrough: 1 });
  });

  it('starts from what the journal kept: each endpoint after its cursor, a new endpoint at the end; too old is dropped and counted', async () => {
    now = 20_000;
    const kept = { events: [event(1, 0), event(2, 15_000), event(3, 15_000), event(4, 15_000)], cursors: new Map([['x', 2]]) };
    const feed = make(new RecordingJournal(kept));
    await feed.start(['x', 'new']);
    expect(seqs(await feed.next('x', 10))).toEqual([3, 4]);
    expect(await feed.next('new', 10)).toEqual([]);
    // Event 1 was past its age, but x had it already: only what nobody had is counted.
    expect(dropped).toBe(0);
    expect(feed.lagMs).toBe(5_000);
    const stale = make(new RecordingJournal({ events: [event(5, 0)], cursors: new Map([['x', 4]]) }));
    await stale.start(['x']);
    expect(await stale.next('x', 10)).toEqual([]);
    expect(dropped).toBe(1);
  });

  it('sends and writes nothing until the journal has been read, tried again every interval; then what it kept goes first', async () => {
    const journal = new RecordingJournal({ events: [event(50)], cursors: new Map([['x', 40]]) }, 1);
    const feed = make(journal);
    await feed.start(['x']);
    feed.append(event(100));
    expect(await feed.next('x', 10)).toEqual([]);
    expect(feed.problem).toMatch(/not been read yet/);
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(feed.problem).toBeUndefined();
    expect(seqs(await feed.next('x', 10))).toEqual([50, 100]);
    // The table has 50 already; nothing before it is let go of that was not read.
    expect(journal.writes).toEqual([{ events: [event(100)], cursors: new Map(), releasedThrough: 49 }]);
  });

  it('writes a backlog in several round trips of at most 5,000 events', async () => {
    const journal = new RecordingJournal();
    const feed = make(journal, 20_000);
    await feed.start(['x']);
    for (let seq = 1; seq <= 12_000; seq += 1) feed.append(event(seq));
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(journal.writes.map((w) => w.events.length)).toEqual([5_000, 5_000, 2_000]);
  });

  it('holds at most its bound: past it, the oldest events are dropped and counted', async () => {
    const feed = make(null, 3);
    await feed.start(['x']);
    for (let seq = 1; seq <= 5; seq += 1) feed.append(event(seq));
    expect(seqs(await feed.next('x', 10))).toEqual([3, 4, 5]);
    expect(dropped).toBe(2);
  });
});
