import fc from 'fast-check';
import { isOnline, OFFLINE, type PresenceState } from '../../../src/domain/presence-state';
import type { PresenceEvent } from '../../../src/domain/presence.events';
import { buildDomain, on } from '../../support/build-domain';

const TTL = 1_000;
const GRACE = 300;
const SWEEP_INTERVAL = 100;
const USERS = 2;
const CONNECTIONS = 4;
const MAX_STALL = 2 * TTL;

type Action =
  | { kind: 'online'; connection: number; userType?: string }
  | { kind: 'heartbeat' | 'offline' | 'disconnect'; connection: number }
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

/** The rules restated as plainly as possible: which connections hold each user online, until when, and its type. */
class PresenceModel {
  readonly connections = new Map<number, { live: boolean; until: number }>();
  private readonly types = new Map<string, string | null>();

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
    for (const [id, c] of this.connections) if (!c.live && userOf(id) === userOf(connection)) this.connections.delete(id);
    this.connections.set(connection, { live: true, until: now + TTL });
  }

  end(connection: number): void {
    this.connections.delete(connection);
  }

  drop(connection: number, now: number): void {
    const c = this.connections.get(connection);
    if (c === undefined || !c.live) return;
    const otherLive = [...this.connections].some(([id, o]) => id !== connection && o.live && userOf(id) === userOf(connection));
    if (otherLive) this.connections.delete(connection);
    else this.connections.set(connection, { live: false, until: now + GRACE });
  }

  /** A stalled node ends only what went silent before its stall. */
  expire(now: number, stallMs: number): void {
    for (const [id, c] of this.connections) if (c.until <= now - stallMs) this.connections.delete(id);
  }

  onlineUsers(): string[] {
    return [...new Set([...this.connections.keys()].map(userOf))].sort();
  }
}

describe('presence under random event sequences', () => {
  it('alternates notifications per user, matches the model, and keeps a silent user online past TTL + sweep only by a stall', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 80, size: 'max' }), async (actions) => {
        const { service, notifier, clock } = buildDomain({ ttlMs: TTL, disconnectGraceMs: GRACE, sweepBatchSize: 2 });
        const model = new PresenceModel();
        const lastSign = new Map<string, number>();
        let stalledSince: number | undefined;
        const expectSameOnlineUsers = async (): Promise<void> => {
          const online = (await service.listOnline()).map((u) => String(u.userId)).sort();
          expect(online).toEqual(model.onlineUsers());
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
    if (e.type !== 'UserPresenceChanged') continue;
    expect(now - e.lastSeen).toBeGreaterThanOrEqual(e.reason === 'expired' ? TTL : GRACE);
  }
}

/**
 * Per user, each transition goes from the state the previous one went to (offline at first): to the other status, or,
 * online all along, to another type (`type_changed`).
 */
function expectAlternatingPerUser(events: PresenceEvent[], onlineAtEnd: string[]): void {
  const last = new Map<string, PresenceState>();
  for (const e of events) {
    if (e.type !== 'UserPresenceChanged') throw new Error(`unexpected ${e.type}`);
    const user = String(e.userId);
    const before = last.get(user) ?? OFFLINE;
    expect(e.from).toEqual(before);
    if (e.reason === 'type_changed') {
      expect([e.from.status, e.to.status]).toEqual(['online', 'online']);
      expect(isOnline(e.to) && isOnline(e.from) && e.to.userType !== e.from.userType).toBe(true);
    } else expect(e.to.status).not.toBe(e.from.status);
    last.set(user, e.to);
  }
  for (const [user, state] of last) expect(isOnline(state)).toBe(onlineAtEnd.includes(user));
}
