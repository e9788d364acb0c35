import fc from 'fast-check';
import { DeliveredTransitions } from '../../../../../src/adapters/socket/subscriptions/delivered-transitions';
import { FlushedSnapshot, type OnlinePicture } from '../../../../../src/adapters/socket/subscriptions/flushed-snapshot';
import { PresenceScope } from '../../../../../src/adapters/socket/subscriptions/presence-scope';
import { diffFor, netOf, pictureStateFor, withOfflineListed, type StatusReader } from '../../../../../src/adapters/socket/subscriptions/scope-encoding';
import { ScopeIndex } from '../../../../../src/adapters/socket/subscriptions/scope-index';
import type { NetChange } from '../../../../../src/adapters/socket/subscriptions/transition-window';
import type { CommittedTransition } from '../../../../../src/domain/presence.events';
import type { UserStatus } from '../../../../../src/domain/presence.service';
import type { OnlineUser, UserId } from '../../../../../src/domain/presence.types';
import { committed, netLeave as leaveOf, offlineTransition, onlineTransition } from '../../../../support/transitions';
import { Mirror, runs, scopes, SEED_SEQ, seeded, Truth } from './presence-run.fixture';
import { offlineUser, onlineUser, wireOffline, wireOnline } from '../../../../support/presence-values';

/** A state read at once, its offline listed users with it: as the hub sends one. */
const stateFor = (scope: PresenceScope, picture: OnlinePicture, statusesOf: StatusReader) => withOfflineListed(pictureStateFor(scope, picture), statusesOf, scope);

/** A net join: the user as it came online. */
const join = (userId: UserId, userType: string | null): OnlineUser => onlineUser(userId, Date.UTC(2024, 0, 1, 12), userType, `name of ${String(userId)}`);
/** The transition that brought it online. */
const joined = (userId: UserId, userType: string | null, seq = 1): CommittedTransition =>
  committed(onlineTransition(userId, Date.UTC(2024, 0, 1, 12), userType, `name of ${String(userId)}`), seq);
const leave = (userId: UserId, seq = 2): CommittedTransition => committed(offlineTransition(userId, Date.UTC(2024, 0, 1, 13), 'expired'), seq);
const netLeave = (userId: UserId, userType: string | null): NetChange['leaves'][number] => leaveOf(userId, Date.UTC(2024, 0, 1, 13), 'expired', userType);
const offline = (userId: UserId): UserStatus => offlineUser(userId, Date.UTC(2023, 5, 1));

describe('diffFor', () => {
  it('encodes the part of a net change in the scope as a presenceDiff current to the seq given', () => {
    const net: NetChange = {
      joins: [join('agent-1', 'agent'), join('client-1', 'client'), join(7, null)],
      leaves: [netLeave('agent-2', 'agent'), netLeave('x', null)],
      updates: [],
      seq: 30,
    };
    expect(diffFor(new PresenceScope(['7'], ['agent']), net, 31)).toEqual({
      seq: 31,
      joins: [
        wireOnline('agent-1', '2024-01-01T12:00:00.000Z', 'agent', 'name of agent-1'),
        wireOnline(7, '2024-01-01T12:00:00.000Z', null, 'name of 7'),
      ],
      leaves: [{ userId: 'agent-2', lastSeen: '2024-01-01T13:00:00.000Z', reason: 'expired' }],
      updates: [],
    });
    expect(diffFor(new PresenceScope([], undefined), net, 31)).toEqual({ seq: 31, joins: [], leaves: [], updates: [] });
  });
});

describe('netOf', () => {
  it('nets replayed transitions, each leave with the type its user had when it was delivered', () => {
    const net = netOf([
      { transition: joined('flap', 'agent', 1), userType: 'agent' },
      { transition: leave('flap', 2), userType: 'agent' },
      { transition: leave('typed', 3), userType: 'agent' },
      { transition: joined('new', null, 4), userType: null },
    ]);
    expect(net.joins.map((j) => j.userId)).toEqual(['new']);
    expect(net.leaves).toEqual([expect.objectContaining({ userId: 'typed', userType: 'agent' })]);
    expect(net.seq).toBe(4);
    expect(diffFor(new PresenceScope(undefined, ['agent']), net, 4).leaves.map((l) => l.userId)).toEqual(['typed']);
  });
});

describe('stateFor', () => {
  const picture = (): FlushedSnapshot => {
    const snapshot = new FlushedSnapshot();
    snapshot.seed([join('a', 'agent'), join('b', 'client'), join(7, null)], 12);
    return snapshot;
  };

  it('tells the online users in the scope, and the listed ones that are offline with their lastSeen', async () => {
    const asked: UserId[][] = [];
    const state = await stateFor(new PresenceScope(['7', 'gone', 'online-elsewhere'], ['agent']), picture(), async (ids) => {
      asked.push([...ids]);
      return [offline('gone'), { ...onlineUser('online-elsewhere', 0), status: 'online' }];
    });
    expect(asked).toEqual([['gone', 'online-elsewhere']]);
    expect(state).toEqual({
      seq: 12,
      users: [
        expect.objectContaining({ userId: 'a', status: 'online' }),
        expect.objectContaining({ userId: 7, status: 'online' }),
        wireOffline('gone', '2023-06-01T00:00:00.000Z'),
        // Online by the time it was read, offline as of the state's seq: told as offline, its join comes in a diff.
        wireOffline('online-elsewhere', '1970-01-01T00:00:00.000Z'),
      ],
    });
  });

  it('does not ask persistence when every listed user is online, and looks listed users up by id', async () => {
    const statusesOf = jest.fn(async () => [] as UserStatus[]);
    const state = await stateFor(new PresenceScope([7, 'b'], undefined), picture(), statusesOf);
    expect(state.users.map((u) => u.userId).sort()).toEqual([7, 'b'].sort());
    expect(statusesOf).not.toHaveBeenCalled();
    expect((await stateFor(new PresenceScope(undefined, undefined), picture(), statusesOf)).users).toHaveLength(3);
  });

  it('is current to the picture as it was asked for, whatever changes while persistence answers', async () => {
    const snapshot = picture();
    const state = await stateFor(new PresenceScope(['gone'], undefined), snapshot, async () => {
      snapshot.apply({ joins: [join('late', null)], leaves: [], updates: [], seq: 13 });
      return [offline('gone')];
    });
    expect(state.seq).toBe(12);
  });

  it('fails when persistence cannot be read', async () => {
    await expect(stateFor(new PresenceScope(['gone'], undefined), picture(), () => Promise.reject(new Error('down')))).rejects.toThrow('down');
  });
});

describe('the encoding over random runs', () => {
  it('gives a client that applies a state then every later diff of its scope exactly who is online in it', async () => {
    await fc.assert(
      fc.asyncProperty(runs, fc.array(fc.record({ scope: scopes, atFlush: fc.nat(12) }), { minLength: 1, maxLength: 4 }), async (run, subscribers) => {
        const truth = new Truth(run);
        const snapshot = new FlushedSnapshot();
        snapshot.seed(seeded(run), SEED_SEQ);
        const delivered = new DeliveredTransitions(1_000, (key) => snapshot.get(key)?.userType ?? null);
        delivered.startAt(SEED_SEQ);
        const statusesOf = async (ids: readonly UserId[]): Promise<UserStatus[]> =>
          ids.map((id) => {
            const user = truth.online.get(String(id));
            return user === undefined ? offline(id) : { ...user, status: 'online' };
          });
        // One index entry per subscriber, as the hub has one per group; the clients that had a state are members.
        const entries = subscribers.map((s) => ({ ...s, mirror: new Mirror(), member: false }));
        const index = new ScopeIndex<(typeof entries)[number]>();
        for (const entry of entries) index.add(entry);

        let flushes = 0;
        const flush = async (last: boolean): Promise<void> => {
          const net = delivered.takeUnflushed();
          if (net !== undefined) {
            snapshot.apply(net);
            for (const [entry, change] of index.split(net)) if (entry.member) entry.mirror.diff(diffFor(entry.scope, change, snapshot.seq));
          }
          for (const entry of entries) {
            if (entry.member || (entry.atFlush > flushes && !last)) continue;
            entry.mirror.state(await stateFor(entry.scope, snapshot, statusesOf));
            entry.member = true;
          }
          flushes += 1;
          // Everything delivered has been flushed: every client that had its state sees the scope as it is.
          for (const entry of entries.filter((e) => e.member)) expect(entry.mirror.online()).toEqual(truth.inScope(entry.scope));
        };
        for (const step of run.steps) {
          if (step === 'flush') await flush(false);
          else delivered.add(truth.toggle(step));
        }
        await flush(true);

        expect(entries.every((e) => e.member)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
