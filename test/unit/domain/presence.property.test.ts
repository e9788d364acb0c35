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
  | { kind: 'online' | 'heartbeat' | 'offline' | 'disconnect'; connection: number }
  /** Time passes while the node's stall allowance is `stallMs` (0: not stalled). */
  | { kind: 'advance'; ms: number; stallMs: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom('online', 'heartbeat', 'offline', 'disconnect'),
      connection: fc.nat(CONNECTIONS - 1),
    }),
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

/** The rules restated as plainly as possible: which connections hold each user online, and until when. */
class PresenceModel {
  readonly connections = new Map<number, { live: boolean; until: number }>();

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
          if (a.kind === 'online' || a.kind === 'heartbeat') {
            await (a.kind === 'online' ? service.goOnline(command) : service.heartbeat(command));
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

/** Per user, each transition goes from the status the previous one went to (offline at first), to the other one. */
function expectAlternatingPerUser(events: PresenceEvent[], onlineAtEnd: string[]): void {
  const last = new Map<string, PresenceState>();
  for (const e of events) {
    if (e.type !== 'UserPresenceChanged') throw new Error(`unexpected ${e.type}`);
    const user = String(e.userId);
    expect(e.from.status).toBe((last.get(user) ?? OFFLINE).status);
    expect(e.to.status).not.toBe(e.from.status);
    last.set(user, e.to);
  }
  for (const [user, state] of last) expect(isOnline(state)).toBe(onlineAtEnd.includes(user));
}
