import { InMemoryPresenceStore } from '../../src/adapters/memory/in-memory-presence.store';
import { describePresenceStoreContract } from './presence-store.contract';

describePresenceStoreContract('InMemoryPresenceStore', async () => ({ store: new InMemoryPresenceStore(), close: async () => undefined }));
