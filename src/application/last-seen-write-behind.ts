/**
 * Write-behind of `last_seen` and `last_active`, whatever the database: presence hands over each user's latest sign of
 * life and activity and never waits; this buffer keeps one entry a user (the latest of each), flushes them all in one
 * `saveMany` per interval, and on a failure keeps them and retries with exponential backoff and jitter. Values only
 * move forwards, each on its own: a newer value recorded while a flush is in flight wins over the older one that failed.
 */
import type {
  LastSeenEntry,
  LastSeenLookup,
  LastSeenRead,
  LastSeenRecorder,
  LastSeenRepository,
  LastSeenSubject,
} from '../domain/ports/last-seen.port';
import { persistedEntryOf } from '../domain/ports/last-seen.port';
import type { Instant, UserId, UserKey } from '../domain/presence.types';
import { keyIn, keyOfUser } from '../domain/presence.types';
import { BoundedRead, ReadTimedOut } from './bounded-read';
import type { ComponentHealth, HealthCheck } from './health-check';

export interface WriteBehindSettings {
  readonly flushIntervalMs: number;
  /** The first retry waits about this long; each failure doubles it, up to `maxBackoffMs`. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** How long a read-back may wait for the database; after it, the answer goes without what it did not read. */
  readonly readTimeoutMs: number;
  /** Read-backs let through to the database at once: fewer than its connections, so that a flush still finds one. */
  readonly maxReadsInFlight: number;
  /** A number in [0, 1): the jitter source, replaceable in tests. */
  readonly random?: () => number;
}

/** What the write-behind reports as it works: the metrics adapter counts it. */
export interface WriteBehindObserver {
  flushed(result: 'ok' | 'error', users: number): void;
  skipped(users: number): void;
  /** How many users' values wait for the next flush now (not counting a flush in flight), told when it changes. */
  pending(users: number): void;
  /** A read-back of the database, by how it ended. */
  read(result: 'ok' | 'timeout' | 'error'): void;
}

export interface FlushFailure {
  readonly since: Instant;
  readonly attempts: number;
  readonly message: string;
}

/** An entry the buffer owns, so that it can change it in place. */
interface BufferedEntry {
  readonly tenant?: string;
  userId: UserId;
  lastSeen: Instant;
  userType: string | null;
  lastActive: Instant | null;
}

const laterOf = (a: Instant | null | undefined, b: Instant | null | undefined): Instant | null =>
  a == null ? (b ?? null) : b == null || a >= b ? a : b;

/** Moves `into` forwards: its last_seen (with the id and type that came with it) and its last_active, each on its own. */
function advance(into: BufferedEntry, userId: UserId, lastSeen: Instant, userType: string | null, lastActive: Instant | null): void {
  if (lastSeen > into.lastSeen) {
    into.userId = userId;
    into.lastSeen = lastSeen;
    into.userType = userType;
  }
  into.lastActive = laterOf(into.lastActive, lastActive);
}

/** Adds `entry` to what was read, keeping the latest of each value; `into`'s entries are not changed, only replaced. */
function keepLatest(into: Map<UserKey, LastSeenEntry>, entry: LastSeenEntry): void {
  const key = keyOfUser(entry);
  const known = into.get(key);
  if (known === undefined) into.set(key, entry);
  else into.set(key, { ...(entry.lastSeen > known.lastSeen ? entry : known), lastActive: laterOf(known.lastActive, entry.lastActive) });
}

export class LastSeenWriteBehind implements LastSeenRecorder, LastSeenLookup {
  private readonly reads: BoundedRead;
  private pending = new Map<UserKey, BufferedEntry>();
  private inFlight = new Map<UserKey, BufferedEntry>();
  private flushing: Promise<boolean> | undefined;
  private failure: FlushFailure | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly repository: LastSeenRepository,
    private readonly settings: WriteBehindSettings,
    private readonly observer: WriteBehindObserver,
    private readonly now: () => Instant,
  ) {
    this.reads = new BoundedRead({ timeoutMs: settings.readTimeoutMs, maxInFlight: settings.maxReadsInFlight });
  }

  /**
   * Updates the user's entry in place: a new entry for every heartbeat would live until the next flush, long enough
   * to be promoted out of V8's young generation, and die in the old one.
   */
  record(user: LastSeenSubject, lastSeen: Instant, key = keyOfUser(user)): void {
    const known = this.pending.get(key);
    const userType = user.userType ?? null;
    const lastActive = user.lastActive ?? null;
    if (known === undefined) {
      // One shape for every entry, `tenant` included when undefined: the updates below stay monomorphic.
      this.pending.set(key, { tenant: user.tenant, userId: user.userId, lastSeen, userType, lastActive });
      this.observer.pending(this.pending.size);
    } else {
      advance(known, user.userId, lastSeen, userType, lastActive);
    }
  }

  /**
   * What the database holds, overlaid with newer values still waiting to be written. A database that does not answer
   * within the time limit (or fails) leaves the read incomplete: what the buffer holds is still told.
   */
  async lookUp(userIds: readonly UserId[], tenant?: string): Promise<LastSeenRead> {
    const found = new Map<UserKey, LastSeenEntry>();
    let complete = true;
    if (userIds.length > 0) {
      try {
        for (const entry of await this.reads.run(() => this.repository.findMany(userIds, tenant))) keepLatest(found, entry);
        this.observer.read('ok');
      } catch (error) {
        complete = false;
        this.observer.read(error instanceof ReadTimedOut ? 'timeout' : 'error');
      }
    }
    for (const userId of userIds) {
      const key = keyIn(tenant, userId);
      for (const buffer of [this.inFlight, this.pending]) {
        const waiting = buffer.get(key);
        if (waiting !== undefined) keepLatest(found, waiting);
      }
    }
    return { entries: Array.from(found.values(), persistedEntryOf), complete };
  }

  /** Users whose value waits for the next flush (not counting one in flight). */
  get pendingUsers(): number {
    return this.pending.size;
  }

  get waiting(): number {
    return this.pending.size + this.inFlight.size;
  }

  get lastFailure(): FlushFailure | undefined {
    return this.failure;
  }

  /** Writes everything waiting in one round trip. Resolves false when the database refused it (kept for later). */
  flush(): Promise<boolean> {
    this.flushing ??= this.writeBatch().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleNext();
  }

  /** Stops the timer and flushes what is left, retrying until `deadlineMs` has passed. Resolves how many were left. */
  async stop(deadlineMs: number): Promise<number> {
    this.running = false;
    clearTimeout(this.timer);
    const giveUpAt = this.now() + deadlineMs;
    while (this.waiting > 0 && this.now() < giveUpAt) {
      if (await this.flush()) continue;
      await new Promise((r) => setTimeout(r, Math.min(this.backoffMs(), Math.max(0, giveUpAt - this.now()))));
    }
    return this.waiting;
  }

  /** Down when the database does not answer; degraded while writes fail; up otherwise. */
  health(): HealthCheck {
    return {
      check: async (): Promise<ComponentHealth> => {
        try {
          await this.repository.ping();
        } catch (error) {
          return { status: 'down', detail: `${error instanceof Error ? error.message : 'no answer'}; ${this.waiting} waiting` };
        }
        const failing = this.failure;
        if (failing === undefined) return { status: 'up' };
        return { status: 'degraded', detail: `${failing.attempts} failed flushes: ${failing.message}; ${this.waiting} waiting` };
      },
    };
  }

  private async writeBatch(): Promise<boolean> {
    if (this.pending.size === 0) return true;
    this.inFlight = this.pending;
    this.pending = new Map();
    this.observer.pending(0);
    const batch = [...this.inFlight.values()];
    try {
      const { missing } = await this.repository.saveMany(batch);
      this.failure = undefined;
      this.observer.flushed('ok', batch.length);
      if (missing.length > 0) this.observer.skipped(missing.length);
      return true;
    } catch (error) {
      for (const entry of batch) this.putBack(entry);
      this.observer.pending(this.pending.size);
      this.failure = {
        since: this.failure?.since ?? this.now(),
        attempts: (this.failure?.attempts ?? 0) + 1,
        message: error instanceof Error ? error.message : String(error),
      };
      this.observer.flushed('error', batch.length);
      return false;
    } finally {
      this.inFlight = new Map();
    }
  }

  /** A failed entry goes back beside what was recorded meanwhile: the later of each value wins. */
  private putBack(entry: BufferedEntry): void {
    const key = keyOfUser(entry);
    const recorded = this.pending.get(key);
    if (recorded === undefined) this.pending.set(key, entry);
    else advance(recorded, entry.userId, entry.lastSeen, entry.userType, entry.lastActive);
  }

  private backoffMs(): number {
    const attempts = this.failure?.attempts ?? 0;
    const ceiling = Math.min(this.settings.maxBackoffMs, this.settings.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(ceiling * (0.5 + (this.settings.random ?? Math.random)()));
  }

  private scheduleNext(): void {
    if (!this.running) return;
    const delay = this.failure === undefined ? this.settings.flushIntervalMs : this.backoffMs();
    this.timer = setTimeout(() => {
      void this.flush().finally(() => this.scheduleNext());
    }, delay);
    this.timer.unref();
  }
}
