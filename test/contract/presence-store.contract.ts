import type { PresenceStore } from '../../src/domain/ports/presence-store.port';
import type { PresenceTransition } from '../../src/domain/presence.events';
import type { UserPresence } from '../../src/domain/presence.types';

const presence = (userId: string, expiresAt: number, connectionId = 'c1'): UserPresence => ({
  userId,
  userType: null,
  userName: null,
  connections: { [connectionId]: { nodeId: 'n1', lastSeen: expiresAt - 1_000, expiresAt, dropped: false } },
});

const online = (userId: string): PresenceTransition => ({ type: 'UserWentOnline', userId, lastSeen: 0, reason: 'online', userType: null, userName: null });

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

    it('applies concurrent updates of one user one after another, none lost', async () => {
      const bump = (current: UserPresence | undefined) => {
        const count = Object.keys(current?.connections ?? {}).length;
        const next = presence('u', 5_000, `c${count}`);
        return { next: { ...next, connections: { ...current?.connections, ...next.connections } }, transition: null };
      };
      await Promise.all(Array.from({ length: 20 }, () => store.update('u', bump)));
      expect(Object.keys((await store.find('u'))?.connections ?? {})).toHaveLength(20);
    });
  });
}
