import fc from 'fast-check';
import { DeliveredTransitions } from '../../../../../src/adapters/socket/subscriptions/delivered-transitions';
import { FlushedSnapshot } from '../../../../../src/adapters/socket/subscriptions/flushed-snapshot';
import { PresenceScope } from '../../../../../src/adapters/socket/subscriptions/presence-scope';
import { diffFor } from '../../../../../src/adapters/socket/subscriptions/scope-encoding';
import type { CommittedTransition } from '../../../../../src/domain/presence.events';
import type { OnlineUser } from '../../../../../src/domain/presence.types';
import { Mirror, runs, scopes, SEED_SEQ, seeded, Truth } from './presence-run.fixture';
import { committed, offlineTransition, onlineTransition } from '../../../../support/transitions';
import { wireOnline } from '../../../../support/presence-values';

const online = (userId: string, seq: number, userType: string | null = null): CommittedTransition =>
  committed(onlineTransition(userId, seq * 1_000, userType), seq);
const offline = (userId: string, seq: number): CommittedTransition => committed(offlineTransition(userId, seq * 1_000, 'expired'), seq);
const idsOf = (net: { joins: Array<{ userId: unknown }>; leaves: Array<{ userId: unknown }> } | undefined) =>
  net && { joins: net.joins.map((j) => j.userId), leaves: net.leaves.map((l) => l.userId) };

describe('DeliveredTransitions', () => {
  it('hands over the net change not flushed yet once, and keeps the seq of the last transition delivered', () => {
    const delivered = new DeliveredTransitions(10, () => null);
    expect(delivered.takeUnflushed()).toBeUndefined();
    delivered.add(online('a', 1));
    delivered.add(online('b', 2));
    delivered.add(offline('b', 3));
    expect(idsOf(delivered.takeUnflushed())).toEqual({ joins: ['a'], leaves: [] });
    expect(delivered.takeUnflushed()).toBeUndefined();
    expect(delivered.seq).toBe(3);
  });

  it('gives a leave the type its user had, from the window or else from the flushed picture', () => {
    const types = new Map([['flushed', 'agent']]);
    const delivered = new DeliveredTransitions(10, (key) => types.get(key) ?? null);
    delivered.add(online('windowed', 1, 'client'));
    delivered.add(offline('windowed', 2));
    delivered.add(online('windowed', 3, 'client'));
    delivered.add(offline('flushed', 4));
    delivered.add(offline('windowed', 5));
    expect(delivered.takeUnflushed()?.leaves).toEqual([expect.objectContaining({ userId: 'flushed', userType: 'agent' })]);
    // The replay remembers the types too, for resumes after the window is gone.
    const replayed = delivered.between(0, 5);
    expect(diffFor(new PresenceScope(undefined, ['agent']), replayed!, 5).leaves.map((l) => l.userId)).toEqual(['flushed']);
    expect(diffFor(new PresenceScope(undefined, ['client']), delivered.between(3, 5)!, 5).leaves.map((l) => l.userId)).toEqual(['windowed']);
  });

  it('replays only from a seq it covers: not from before its start, a gap or what it let go of', () => {
    const delivered = new DeliveredTransitions(2, () => null);
    delivered.startAt(10);
    expect(delivered.between(9, 10)).toBeUndefined();
    expect(idsOf(delivered.between(10, 10))).toEqual({ joins: [], leaves: [] });
    for (const seq of [11, 12, 13]) delivered.add(online(`u${seq}`, seq));
    expect(delivered.between(10, 13)).toBeUndefined();
    expect(idsOf(delivered.between(11, 13))).toEqual({ joins: ['u12', 'u13'], leaves: [] });
    expect(idsOf(delivered.between(11, 12))).toEqual({ joins: ['u12'], leaves: [] });
    delivered.missedBefore(20);
    expect(delivered.between(13, 20)).toBeUndefined();
    expect(idsOf(delivered.between(20, 20))).toEqual({ joins: [], leaves: [] });
  });

  it('replays to a client current to any earlier seq exactly what makes its picture the present one, while it holds it', () => {
    fc.assert(
      fc.property(runs, scopes, fc.integer({ min: 1, max: 40 }), fc.nat(), (run, scope, replaySize, pick) => {
        const truth = new Truth(run);
        const snapshot = new FlushedSnapshot();
        snapshot.seed(seeded(run), SEED_SEQ);
        const delivered = new DeliveredTransitions(replaySize, (key) => snapshot.get(key)?.userType ?? null);
        delivered.startAt(SEED_SEQ);
        // Who was online as of each seq a client could have been current to.
        const pictures = [{ seq: truth.seq, online: new Map<string, OnlineUser>(truth.online) }];
        for (const step of run.steps) {
          if (step === 'flush') {
            // Flushes let the window go, so leaves take their type from the flushed picture.
            const net = delivered.takeUnflushed();
            if (net !== undefined) snapshot.apply(net);
          } else {
            delivered.add(truth.toggle(step));
            pictures.push({ seq: truth.seq, online: new Map(truth.online) });
          }
        }
        const since = pictures[pick % pictures.length]!;

        const missed = delivered.between(since.seq, truth.seq);

        // Seqs follow one another: it holds what came after `since` when that is no more than it keeps.
        expect(missed !== undefined).toBe(truth.seq - since.seq <= replaySize);
        if (missed === undefined) return;
        const mirror = new Mirror();
        mirror.state({ seq: since.seq, users: truth.inScope(scope, since.online).map((id) => wireOnline(id, '')) });
        mirror.diff(diffFor(scope, missed, truth.seq));
        expect(mirror.online()).toEqual(truth.inScope(scope));
      }),
      { numRuns: 500 },
    );
  });
});
