import fc from 'fast-check';
import { isWellFormed, parseUserId } from '../../src/adapters/validation/user-id.schema';
import type { OnlinePageQuery, PresenceStore } from '../../src/domain/ports/presence-store.port';
import { keyOfUser, userKeyOf, type UserId, type UserPresence } from '../../src/domain/presence.types';
import { onlineTransition } from '../support/transitions';
import { connection, storedUser } from '../support/presence-values';

const presence = (userId: string, expiresAt: number, connectionId = 'c1'): UserPresence =>
  storedUser(userId, [connection(connectionId, 'n1', expiresAt - 1_000, expiresAt)]);

const online = (userId: string) => onlineTransition(userId, 0);

/** Strings made of pieces that tempt a store to merge two ids: lone and paired surrogates, zeros, digits. */
const trickyText = fc.string({ unit: fc.constantFrom('\ud800', '\udc00', '\ud83d', '\ude00', 'a', 'é', '0', '7', '-'), minLength: 1, maxLength: 4 });
/** Ids as a client may send them, kept only when the boundary accepts them (as every id that reaches a store is). */
const acceptedIds = fc
  .oneof(trickyText, fc.integer({ min: -100, max: 100 }), fc.constantFrom<UserId>(7, '7', '07', 0, '0', '-0', '7.0'))
  .filter((id) => parseUserId(id) !== undefined);
const acceptedTypes = trickyText.filter(isWellFormed);

/** What every PresenceStore adapter must do; an adapter is done when it passes this suite. */
export function describePresenceStoreContract(name: string, create: () => Promise<{ store: PresenceStore; close(): Promise<void> }>): void {
  describe(`${name} (PresenceStore contract)`, () => {
    let store: PresenceStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await create());
    });

    afterEach(async () => {
      await close();
    });

    it('commits a decision and hands the rule the current presence', async () => {
      const seen: Array<UserPresence | undefined> = [];
      await store.update('u', (current) => (seen.push(current), { next: presence('u', 5_000), transition: online('u') }));
      await store.update('u', (current) => (seen.push(current), { next: current, transition: null }));
      expect(seen).toEqual([undefined, presence('u', 5_000)]);
      expect(await store.find('u')).toEqual(presence('u', 5_000));
      expect(await store.countOnline()).toBe(1);
    });

    it('hands out snapshots: what a read returned stays as it was when the user is updated afterwards', async () => {
      await store.update('u', () => ({ next: presence('u', 5_000), transition: null }));
      const found = await store.find('u');
      const [many] = await store.findMany(['u']);
      const [listed] = await store.listOnline();
      const [paged] = (await store.pageOnline({ limit: 1 })).users;
      await store.update('u', (current) => ({ next: { ...presence('u', 9_000), userType: 'agent', connections: [{ ...current!.connections[0]!, expiresAt: 9_000, lastSeen: 8_000 }] }, transition: null }));
      for (const read of [found, many, listed, paged]) expect(read).toEqual(presence('u', 5_000));
      expect(await store.find('u')).toEqual({ ...presence('u', 9_000), userType: 'agent' });
    });

    it('keeps tenants apart: the same id in two tenants is two users, and a tenant reads, pages and counts its own only', async () => {
      // Tenants whose names and ids could run together in a careless key, and one that sorts between the others.
      const users = [
        { tenant: 'a', userId: 'b:7' },
        { tenant: 'a:b', userId: '7' },
        { tenant: 'a', userId: '7' },
        { tenant: 'ab', userId: 7 },
        { tenant: 'a', userId: 'x' },
      ];
      for (const user of users) {
        const key = keyOfUser(user);
        const next = { ...presence(String(user.userId), 5_000), ...user, userType: user.userId === 'x' ? 'agent' : 'client' };
        await store.update(key, () => ({ next, transition: { ...online(String(user.userId)), ...user } }));
      }
      expect(await store.countOnline()).toBe(5);
      expect(await store.countTenants()).toBe(3);
      const ids = (listed: readonly UserPresence[]) => listed.map((u) => `${u.tenant}/${String(u.userId)}`).sort();
      expect(ids(await store.listOnline('a'))).toEqual(['a/7', 'a/b:7', 'a/x']);
      expect(ids(await store.listOnline('ab'))).toEqual(['ab/7']);
      expect(await store.listOnline('nobody')).toEqual([]);
      const first = await store.pageOnline({ tenant: 'a', limit: 2 });
      expect(first.total).toBe(3);
      expect(first.more).toBe(true);
      const last = keyOfUser(first.users[1] as UserPresence);
      const second = await store.pageOnline({ tenant: 'a', limit: 2, after: last });
      expect(ids([...first.users, ...second.users])).toEqual(['a/7', 'a/b:7', 'a/x']);
      expect(second.more).toBe(false);
      expect(await store.pageOnline({ tenant: 'a', limit: 10, userTypes: ['client'] })).toMatchObject({ total: 2, more: false });
      expect(ids((await store.pageOnline({ tenant: 'ab', limit: 10, userTypes: ['client', 'agent'] })).users)).toEqual(['ab/7']);
      expect((await store.find(keyOfUser({ tenant: 'ab', userId: 7 })))?.tenant).toBe('ab');
      await store.update(keyOfUser({ tenant: 'ab', userId: 7 }), () => ({ next: undefined, transition: null }));
      expect(await store.countTenants()).toBe(2);
    });

    it('removes a user whose next presence is undefined', async () => {
      await store.update('u', () => ({ next: presence('u', 5_000), transition: null }));
      await store.update('u', () => ({ next: undefined, transition: null }));
      expect(await store.find('u')).toBeUndefined();
      expect(await store.listOnline()).toEqual([]);
      expect(await store.dueUsers(10_000, 10)).toEqual([]);
    });

    it('numbers committed transitions with a seq that only grows', async () => {
      const seqs: number[] = [];
      for (const user of ['a', 'b', 'c']) {
        const committed = await store.update(user, () => ({ next: presence(user, 5_000), transition: online(user) }));
        seqs.push(committed.transition?.seq ?? -1);
      }
      const quiet = await store.update('a', (current) => ({ next: current, transition: null }));
      expect(quiet.transition).toBeNull();
      expect(seqs[0]).toBeGreaterThan(0);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(3);
    });

    it('lists the users due by their earliest deadline, up to a limit, and follows reschedules', async () => {
      await store.update('early', () => ({ next: presence('early', 1_000), transition: null }));
      await store.update('late', () => ({ next: presence('late', 9_000), transition: null }));
      await store.update('mid', () => ({ next: presence('mid', 5_000), transition: null }));
      expect((await store.dueUsers(5_000, 10)).sort()).toEqual(['early', 'mid']);
      expect(await store.dueUsers(5_000, 1)).toHaveLength(1);
      await store.update('early', () => ({ next: presence('early', 20_000), transition: null }));
      expect(await store.dueUsers(5_000, 10)).toEqual(['mid']);
    });

    it('says the earliest deadline of any user, following reschedules later and earlier, and removals', async () => {
      expect(await store.earliestDeadline()).toBeUndefined();
      await store.update('a', () => ({ next: presence('a', 5_000), transition: null }));
      await store.update('b', () => ({ next: presence('b', 7_000), transition: null }));
      expect(await store.earliestDeadline()).toBe(5_000);
      // A heartbeat moves a's deadline later: b's is the earliest now.
      await store.update('a', () => ({ next: presence('a', 9_000), transition: null }));
      expect(await store.earliestDeadline()).toBe(7_000);
      await store.update('a', () => ({ next: presence('a', 2_000), transition: null }));
      expect(await store.earliestDeadline()).toBe(2_000);
      await store.update('a', () => ({ next: undefined, transition: null }));
      await store.update('b', () => ({ next: undefined, transition: null }));
      expect(await store.earliestDeadline()).toBeUndefined();
    });

    it('counts the users whose earliest deadline falls in a range, after one bound and up to the other', async () => {
      for (const [id, deadline] of [['a', 1_000], ['b', 2_000], ['c', 3_000], ['d', 9_000]] as const) {
        await store.update(id, () => ({ next: presence(id, deadline), transition: null }));
      }
      expect(await store.countDue(1_000, 3_000)).toBe(2);
      expect(await store.countDue(0, 10_000)).toBe(4);
      expect(await store.countDue(3_000, 8_999)).toBe(0);
      await store.update('c', () => ({ next: presence('c', 20_000), transition: null }));
      await store.update('b', () => ({ next: undefined, transition: null }));
      expect(await store.countDue(1_000, 3_000)).toBe(0);
      expect(await store.countDue(0, 3_000)).toBe(1);
    });

    it('finds many users at once, in the order asked', async () => {
      await store.update('a', () => ({ next: presence('a', 5_000), transition: null }));
      await store.update('c', () => ({ next: presence('c', 5_000), transition: null }));
      expect(await store.findMany(['c', 'b', 'a'])).toEqual([presence('c', 5_000), undefined, presence('a', 5_000)]);
    });

    it('pages online users in key order, by type, stably while users come and go', async () => {
      const typed = (userId: string, userType: string | null): UserPresence => ({ ...presence(userId, 5_000), userType });
      for (const [id, type] of [['b', 'agent'], ['a', 'client'], ['d', 'agent'], ['c', null], ['e', 'agent']] as const) {
        await store.update(id, () => ({ next: typed(id, type), transition: null }));
      }
      const first = await store.pageOnline({ limit: 2 });
      expect(first.users.map((u) => u.userId)).toEqual(['a', 'b']);
      expect(first).toMatchObject({ total: 5, more: true });
      await store.update('aa', () => ({ next: typed('aa', null), transition: null }));
      await store.update('c', () => ({ next: undefined, transition: null }));
      const second = await store.pageOnline({ after: 'b', limit: 2 });
      expect(second.users.map((u) => u.userId)).toEqual(['d', 'e']);
      expect(second.more).toBe(false);
      const agents = await store.pageOnline({ limit: 2, userTypes: ['agent'] });
      expect(agents.users.map((u) => u.userId)).toEqual(['b', 'd']);
      expect(agents).toMatchObject({ total: 3, more: true });
      expect((await store.pageOnline({ after: 'd', limit: 2, userTypes: ['agent'] })).users.map((u) => u.userId)).toEqual(['e']);
    });

    it('pages online users by availability, alone or with types, and moves a user between pages as it changes (CONTRACT §8)', async () => {
      const shown = (userId: string, userType: string | null, chosen: 'away' | 'busy' | null, idle = false, tenant?: string): UserPresence => ({
        ...presence(userId, 5_000),
        ...(tenant === undefined ? {} : { tenant }),
        userType,
        chosen,
        connections: [{ ...connection('c1', 'n1', 4_000, 5_000), idle }],
      });
      const users = [shown('a', 'agent', 'busy'), shown('b', 'agent', null, true), shown('c', 'client', null), shown('d', null, 'busy'), shown('e', 'agent', null)];
      for (const user of users) await store.update(user.userId as string, () => ({ next: user, transition: null }));
      const page = async (query: Omit<OnlinePageQuery, 'limit'>, limit = 10) => {
        const found = await store.pageOnline({ limit, ...query });
        return { ids: found.users.map((u) => u.userId), total: found.total, more: found.more };
      };
      expect(await page({ availabilities: ['busy'] })).toEqual({ ids: ['a', 'd'], total: 2, more: false });
      expect(await page({ availabilities: ['available', 'away'] }, 2)).toEqual({ ids: ['b', 'c'], total: 3, more: true });
      expect(await page({ availabilities: ['available', 'away'], after: 'c' }, 2)).toEqual({ ids: ['e'], total: 3, more: false });
      expect(await page({ availabilities: ['busy', 'available'], userTypes: ['agent'] })).toEqual({ ids: ['a', 'e'], total: 2, more: false });
      // Changes of availability, of type, and going offline move the user; a heartbeat-like rewrite does not.
      await store.update('a', (u) => ({ next: { ...(u as UserPresence), chosen: null }, transition: null }));
      await store.update('e', (u) => ({ next: { ...(u as UserPresence), userType: 'client' }, transition: null }));
      await store.update('d', () => ({ next: undefined, transition: null }));
      await store.update('c', (u) => ({ next: { ...(u as UserPresence) }, transition: null }));
      expect(await page({ availabilities: ['busy'] })).toEqual({ ids: [], total: 0, more: false });
      expect(await page({ availabilities: ['available'], userTypes: ['agent'] })).toEqual({ ids: ['a'], total: 1, more: false });
      expect(await page({ availabilities: ['available'], userTypes: ['client'] })).toEqual({ ids: ['c', 'e'], total: 2, more: false });
      // A tenant's availability page is its own range.
      const tenantUser = shown('t', 'agent', 'busy', false, 'acme');
      await store.update(keyOfUser(tenantUser), () => ({ next: tenantUser, transition: null }));
      expect(await page({ availabilities: ['busy'], tenant: 'acme' })).toEqual({ ids: ['t'], total: 1, more: false });
      expect(await page({ availabilities: ['busy'] })).toMatchObject({ ids: ['t'] });
    });

    it('keeps apart every two ids the boundary accepts as different users, and every two types', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(acceptedIds, acceptedTypes), { minLength: 1, maxLength: 6 }), async (users) => {
          const byKey = new Map(users.map(([id, type]) => [userKeyOf(id), { id, type }]));
          for (const [key, { id, type }] of byKey) {
            await store.update(key, () => ({ next: { ...presence(String(id), 5_000), userId: id, userType: type }, transition: null }));
          }
          try {
            expect(await store.countOnline()).toBe(byKey.size);
            for (const [key, { id, type }] of byKey) {
              expect(await store.find(key)).toMatchObject({ userId: id, userType: type });
              const ofType = [...byKey.values()].filter((user) => user.type === type).length;
              expect((await store.pageOnline({ limit: 10, userTypes: [type] })).total).toBe(ofType);
            }
          } finally {
            for (const key of byKey.keys()) await store.update(key, () => ({ next: undefined, transition: null }));
          }
        }),
        { numRuns: 40 },
      );
    });

    it('counts online users by how many connections hold them: 1, 2, 3-5, 6-10, more', async () => {
      const holding = (userId: string, connections: number): UserPresence => ({
        ...presence(userId, 5_000),
        connections: Array.from({ length: connections }, (_, i) => connection(`c${i}`, `n${i % 2}`, 4_000, 5_000, i === 0)),
      });
      expect(await store.usersByConnections()).toEqual({ '1': 0, '2': 0, '3-5': 0, '6-10': 0, more: 0 });
      const held = [['a', 1], ['b', 1], ['c', 2], ['d', 3], ['e', 5], ['f', 6], ['g', 10], ['h', 11], ['é😀', 40]] as const;
      for (const [id, connections] of held) await store.update(id, () => ({ next: holding(id, connections), transition: null }));
      expect(await store.usersByConnections()).toEqual({ '1': 2, '2': 1, '3-5': 2, '6-10': 2, more: 2 });
      await store.update('c', () => ({ next: holding('c', 6), transition: null }));
      await store.update('h', () => ({ next: undefined, transition: null }));
      expect(await store.usersByConnections()).toEqual({ '1': 2, '2': 0, '3-5': 2, '6-10': 3, more: 1 });
    });

    it('counts every online user by connections, however many more than one read brings back', async () => {
      const keys = Array.from({ length: 2_500 }, (_, i) => `u${i}é`);
      for (let i = 0; i < keys.length; i += 250) {
        await Promise.all(keys.slice(i, i + 250).map((key) => store.update(key, () => ({ next: presence(key, 5_000), transition: null }))));
      }
      expect(await store.usersByConnections()).toEqual({ '1': 2_500, '2': 0, '3-5': 0, '6-10': 0, more: 0 });
    });

    it('applies concurrent updates of one user one after another, none lost', async () => {
      const bump = (current: UserPresence | undefined) => {
        const known = current?.connections ?? [];
        const next = presence('u', 5_000, `c${known.length}`);
        return { next: { ...next, connections: [...known, ...next.connections] }, transition: null };
      };
      await Promise.all(Array.from({ length: 20 }, () => store.update('u', bump)));
      expect((await store.find('u'))?.connections).toHaveLength(20);
    });
  });
}
