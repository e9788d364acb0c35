import fc from 'fast-check';
import { isOnline, OFFLINE, type PresenceState } from '../../../src/domain/presence-state';
import type { Availability } from '../../../src/domain/availability';
import type { PresenceEvent } from '../../../src/domain/presence.events';
import { buildDomain, on } from '../../support/build-domain';

const TTL = 1_000;
const GRACE = 300;
const SWEEP_INTERVAL = 100;
const USERS = 2;
const CONNECTIONS = 4;
const MAX_STALL = 2 * TTL;

const IDLE = 700;

type Action =
  | { kind: 'online'; connection: number; userType?: string }
  | { kind: 'heartbeat' | 'offline' | 'disconnect'; connection: number }
  /** CONTRACT §8: the user's chosen availability and text, or a connection's activity. */
  | { kind: 'status'; connection: number; availability?: Availability; statusText?: string | null }
  | { kind: 'activity'; connection: number; idle: boolean }
  /** Time passes while the node's stall allowance is `stallMs` (0: not stalled). */
  | { kind: 'advance'; ms: number; stallMs: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('heartbeat', 'offline', 'disconnect'),
      connection: fc.nat(CONNECTIONS - 1),
    }),
  },
  {
    weight: 1,
    // An announcement may name a type, another one, or none (the user keeps the one it has).
    arbitrary: fc.record({ kind: fc.constant('online'), connection: fc.nat(CONNECTIONS - 1), userType: fc.constantFrom('agent', 'client') }, { requiredKeys: ['kind', 'connection'] }),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        kind: fc.constant('status'),
        connection: fc.nat(CONNECTIONS - 1),
        availability: fc.constantFrom<Availability>('available', 'away', 'busy'),
        statusText: fc.constantFrom('lunch', 'call', null),
      },
      { requiredKeys: ['kind', 'connection'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('activity'), connection: fc.nat(CONNECTIONS - 1), idle: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('advance'),
      ms: fc.integer({ min: 1, max: (3 * TTL) / 4 }),
      stallMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: MAX_STALL })),
    }),
  },
) as fc.Arbitrary<Action>;

/** A dropped tab must not hold its user online once the user's other tab has logged out. */
const droppedTabThenOtherTabLogsOut: Action[] = [
  { kind: 'online', connection: 0 },
  { kind: 'online', connection: 2 },
  { kind: 'disconnect', connection: 0 },
  { kind: 'offline', connection: 2 },
];

/** Connection i always speaks for user i % USERS, as a socket speaks for the one user it announced. */
const userOf = (connection: number): string => `u${connection % USERS}`;

interface ModelConnection {
  live: boolean;
  until: number;
  /** CONTRACT §8: what it said, or that it went idle by time; when it goes idle by time (null: never, or already). */
  idle: boolean;
  idleAt: number | null;
}

/**
 * The rules restated as plainly as possible: which connections hold each user online, until when, its type, and
 * (CONTRACT §8) what the user chose and which of its connections are idle.
 */
class PresenceModel {
  readonly connections = new Map<number, ModelConnection>();
  private readonly types = new Map<string, string | null>();
  private readonly chosen = new Map<string, { availability: 'away' | 'busy' | null; statusText: string | null }>();

  /** An announcement: the type the user is shown with afterwards, and whether it changed while the user stayed online. */
  announce(connection: number, userType: string | undefined): { readonly type: string | null; readonly changed: boolean } {
    const user = userOf(connection);
    const wasOnline = this.onlineUsers().includes(user);
    const before = wasOnline ? (this.types.get(user) ?? null) : null;
    const type = userType ?? before;
    this.types.set(user, type);
    return { type, changed: wasOnline && type !== before };
  }

  /** A heartbeat that brings a user back keeps no type it had: it announces none. */
  heartbeat(connection: number): void {
    const user = userOf(connection);
    if (!this.onlineUsers().includes(user)) this.types.set(user, null);
  }

  live(connection: number, now: number): void {
    const known = this.connections.get(connection);
    for (const [id, c] of this.connections) if (!c.live && userOf(id) === userOf(connection)) this.connections.delete(id);
    const idleAt = known === undefined || !known.live ? null : known.idleAt;
    this.connections.set(connection, { live: true, until: now + TTL, idle: known?.idle ?? false, idleAt });
    this.forgetChoiceIfOffline();
  }

  end(connection: number): void {
    this.connections.delete(connection);
    this.forgetChoiceIfOffline();
  }

  drop(connection: number, now: number): void {
    const c = this.connections.get(connection);
    if (c === undefined || !c.live) return;
    const otherLive = [...this.connections].some(([id, o]) => id !== connection && o.live && userOf(id) === userOf(connection));
    if (otherLive) this.connections.delete(connection);
    // A lingering connection reports nothing: it keeps what it said, and does not go idle by time.
    else this.connections.set(connection, { live: false, until: now + GRACE, idle: c.idle, idleAt: null });
    this.forgetChoiceIfOffline();
  }

  /** A stalled node ends only what went silent before its stall, and counts as idle only what went quiet before it. */
  expire(now: number, stallMs: number): void {
    for (const [id, c] of this.connections) {
      if (c.until <= now - stallMs) this.connections.delete(id);
      else if (c.idleAt !== null && c.idleAt <= now - stallMs) Object.assign(c, { idle: true, idleAt: null });
    }
    this.forgetChoiceIfOffline();
  }

  /** Whether §8's events are taken on this connection: only on a live one. */
  accepts(connection: number): boolean {
    return this.connections.get(connection)?.live === true;
  }

  choose(connection: number, availability: Availability | undefined, statusText: string | null | undefined): void {
    const user = userOf(connection);
    const before = this.chosen.get(user) ?? { availability: null, statusText: null };
    const chosen = availability === undefined ? before.availability : availability === 'available' ? null : availability;
    this.chosen.set(user, { availability: chosen, statusText: statusText === undefined ? before.statusText : statusText });
  }

  activity(connection: number, idle: boolean, now: number): void {
    const c = this.connections.get(connection) as ModelConnection;
    if (idle) Object.assign(c, { idle: true, idleAt: null });
    else Object.assign(c, { idle: false, idleAt: now + IDLE });
  }

  /** What an online user is shown as. */
  viewOf(user: string): { availability: Availability; statusText: string | null } {
    const chosen = this.chosen.get(user) ?? { availability: null, statusText: null };
    const connections = [...this.connections].filter(([id]) => userOf(id) === user).map(([, c]) => c);
    const allIdle = connections.length > 0 && connections.every((c) => c.idle);
    return { availability: chosen.availability ?? (allIdle ? 'away' : 'available'), statusText: chosen.statusText };
  }

  /** A user's choice ends with its presence. */
  private forgetChoiceIfOffline(): void {
    const online = this.onlineUsers();
    for (const user of [...this.chosen.keys()]) if (!online.includes(user)) this.chosen.delete(user);
  }

  onlineUsers(): string[] {
    return [...new Set([...this.connections.keys()].map(userOf))].sort();
  }
}

describe('presence under random event sequences', () => {
  it('chains notifications per user, matches the model (availability too), and keeps a silent user online past TTL + sweep only by a stall', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 80, size: 'max' }), async (actions) => {
        const { service, notifier, clock } = buildDomain({ ttlMs: TTL, disconnectGraceMs: GRACE, sweepBatchSize: 2, idleMs: IDLE });
        const model = new PresenceModel();
        const lastSign = new Map<string, number>();
        let stalledSince: number | undefined;
        const expectSameOnlineUsers = async (): Promise<void> => {
          const listed = await service.listOnline();
          const online = listed.map((u) => String(u.userId)).sort();
          expect(online).toEqual(model.onlineUsers());
          for (const u of listed) expect({ availability: u.availability, statusText: u.statusText }).toEqual(model.viewOf(String(u.userId)));
          const excused = stalledSince === undefined ? 0 : MAX_STALL;
          for (const user of online) {
            expect(clock.now() - (lastSign.get(user) as number)).toBeLessThan(Math.max(TTL, GRACE) + SWEEP_INTERVAL + excused);
          }
        };
        for (const a of actions) {
          const now = clock.now();
          if (a.kind === 'advance') {
            // The sweeper runs every SWEEP_INTERVAL, so time passes in steps of at most that.
            for (let left = a.ms; left > 0; left -= SWEEP_INTERVAL) {
              clock.advance(Math.min(SWEEP_INTERVAL, left));
              const seen = notifier.events.length;
              await service.sweep({ stallMs: a.stallMs });
              model.expire(clock.now(), a.stallMs);
              if (a.stallMs > 0) stalledSince ??= clock.now();
              expectNoEarlyExpiry(notifier.events.slice(seen), clock.now());
              await expectSameOnlineUsers();
            }
            continue;
          }
          const command = on(`c${a.connection}`, userOf(a.connection));
          if (a.kind === 'online') {
            const seen = notifier.events.length;
            const expected = model.announce(a.connection, a.userType);
            await service.goOnline({ ...command, ...(a.userType !== undefined && { userType: a.userType }) });
            model.live(a.connection, now);
            const changes = notifier.events.slice(seen).filter((e) => e.type === 'UserPresenceChanged' && e.reason === 'type_changed');
            expect(changes.map((e) => (e.type === 'UserPresenceChanged' && isOnline(e.to) ? e.to.userType : 'not online'))).toEqual(
              expected.changed ? [expected.type] : [],
            );
          } else if (a.kind === 'status' || a.kind === 'activity') {
            const accepted = model.accepts(a.connection);
            const attempt =
              a.kind === 'status'
                ? service.setStatus(command, { availability: a.availability, statusText: a.statusText })
                : service.reportActivity(command, a.idle);
            if (accepted) {
              await attempt;
              if (a.kind === 'status') model.choose(a.connection, a.availability, a.statusText);
              else model.activity(a.connection, a.idle, now);
            } else {
              await expect(attempt).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
            }
            await expectSameOnlineUsers();
            // Not a sign of life: a heartbeat or announcement is what keeps a connection.
            continue;
          } else if (a.kind === 'heartbeat') {
            model.heartbeat(a.connection);
            await service.heartbeat(command);
            model.live(a.connection, now);
          } else if (a.kind === 'offline') {
            await service.goOffline(command);
            model.end(a.connection);
          } else {
            await service.disconnect(command);
            model.drop(a.connection, now);
          }
          lastSign.set(userOf(a.connection), now);
          await expectSameOnlineUsers();
        }
        await expectSameOnlineUsers();
        const online = model.onlineUsers();

        expectAlternatingPerUser(notifier.events, online);
        const seqs = notifier.events.map((e) => ('seq' in e ? e.seq : 0));
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        expect(new Set(seqs).size).toBe(seqs.length);
      }),
      { numRuns: 300, examples: [[droppedTabThenOtherTabLogsOut]] },
    );
  });
});

/** A sweep ends a connection at its deadline at the earliest, whatever the allowance: TTL or grace after its user's last sign. */
function expectNoEarlyExpiry(events: PresenceEvent[], now: number): void {
  for (const e of events) {
    if (e.type !== 'UserPresenceChanged' || (e.reason !== 'expired' && e.reason !== 'disconnect')) continue;
    expect(now - e.lastSeen).toBeGreaterThanOrEqual(e.reason === 'expired' ? TTL : GRACE);
  }
}

/** What a transition's state shows: its last activity and start change without one. */
const shown = (state: PresenceState) =>
  isOnline(state) ? { status: state.status, userType: state.userType, availability: state.availability, statusText: state.statusText } : state;

/**
 * Per user, each transition goes from the state the previous one went to (offline at first): to the other status, or,
 * online all along, to another type (`type_changed`) or another availability or text (`set`, `idle`, `active`).
 */
function expectAlternatingPerUser(events: PresenceEvent[], onlineAtEnd: string[]): void {
  const last = new Map<string, PresenceState>();
  for (const e of events) {
    if (e.type !== 'UserPresenceChanged') throw new Error(`unexpected ${e.type}`);
    const user = String(e.userId);
    const before = last.get(user) ?? OFFLINE;
    expect(shown(e.from)).toEqual(shown(before));
    if (e.reason === 'type_changed') {
      expect([e.from.status, e.to.status]).toEqual(['online', 'online']);
      expect(isOnline(e.to) && isOnline(e.from) && e.to.userType !== e.from.userType).toBe(true);
    } else if (e.reason === 'set' || e.reason === 'idle' || e.reason === 'active') {
      expect([e.from.status, e.to.status]).toEqual(['online', 'online']);
      expect(shown(e.to)).not.toEqual(shown(e.from));
      if (isOnline(e.to)) expect(e.to.userType).toBe(isOnline(e.from) ? e.from.userType : undefined);
      if (e.reason === 'idle' && isOnline(e.to)) expect(e.to.availability).toBe('away');
    } else expect(e.to.status).not.toBe(e.from.status);
    last.set(user, e.to);
  }
  for (const [user, state] of last) expect(isOnline(state)).toBe(onlineAtEnd.includes(user));
}
