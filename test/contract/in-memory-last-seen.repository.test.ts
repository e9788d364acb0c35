import { InMemoryLastSeenRepository } from '../../src/adapters/memory/in-memory-last-seen.repository';
import { describeLastSeenRepositoryContract } from './last-seen-repository.contract';

// Memory mode has no table of users: whoever connects is a user, so every user has a row and none is reported
// missing; the suite skips its sys_user tests (known users, round trips) for this repository.
describeLastSeenRepositoryContract('InMemoryLastSeenRepository', {
  backing: 'process memory',
  async create() {
    const repository = new InMemoryLastSeenRepository();
    return {
      repository,
      addUsers: async () => undefined,
      // Nothing lies behind the map to read around it, so stored values are read through findMany.
      async lastSeenOf(ids) {
        const found = new Map((await repository.findMany(ids)).map((entry) => [String(entry.userId), entry.lastSeen]));
        return ids.map((id) => found.get(String(id)) ?? null);
      },
      async lastActiveOf(ids) {
        const found = new Map((await repository.findMany(ids)).map((entry) => [String(entry.userId), entry.lastActive ?? null]));
        return ids.map((id) => found.get(String(id)) ?? null);
      },
      close: () => repository.close(),
    };
  },
});
