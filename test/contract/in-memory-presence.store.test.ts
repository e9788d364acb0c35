import { InMemoryPresenceStore } from '../../src/adapters/memory/in-memory-presence.store';
import { onlineTransition } from '../support/transitions';
import { describePresenceStoreContract } from './presence-store.contract';
import { connection, storedUser } from '../support/presence-values';

describePresenceStoreContract('InMemoryPresenceStore', async () => ({ store: new InMemoryPresenceStore(), close: async () => undefined }));

describe('InMemoryPresenceStore as the source of the transition feed', () => {
  it('hands each committed transition to its sink at once, numbered after firstSeq, and nothing for a quiet update', async () => {
    const published: Array<[string, number]> = [];
    const gaps: number[] = [];
    const store = new InMemoryPresenceStore({ publish: (t) => published.push([String(t.userId), t.seq]), gap: (seq) => gaps.push(seq) }, 1_000);
    const online = (userId: string) => onlineTransition(userId, 0);
    const presence = (userId: string) => storedUser(userId, [connection('c', 'n', 0, 9)]);
    const committed = await store.update('a', () => ({ next: presence('a'), transition: online('a') }));
    await store.update('a', (current) => ({ next: current, transition: null }));
    await store.update('b', () => ({ next: presence('b'), transition: online('b') }));
    expect(committed.transition?.seq).toBe(1_001);
    expect(published).toEqual([
      ['a', 1_001],
      ['b', 1_002],
    ]);
    expect(gaps).toEqual([]);
  });
});
