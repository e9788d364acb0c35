import type { PresenceStatePayload } from '../../../src/protocol/socket-events';
import { buildTestApp, type TestApp } from '../../support/build-test-app';
import { FaultyProxy } from '../../support/faulty-proxy';
import { createTestDatabase, insertUsers, type TestDatabase } from '../../support/postgres';
import { PresenceMirror } from '../../support/presence-mirror';
import { closeAllSockets, connect, nextEvent, request as emit } from '../../support/socket-client';
import { waitUntil } from '../../support/wait-until';
import { wireOffline } from '../../support/presence-values';

/** CONTRACT §11: a slow or hung database delays nothing but the writes and reads waiting for it. */
describe('a hung PostgreSQL behind a proxy', () => {
  let db: TestDatabase;
  let proxy: FaultyProxy;
  let app: TestApp;

  beforeEach(async () => {
    db = await createTestDatabase();
    await insertUsers(db.pool, [101]);
    await db.pool.query(`UPDATE sys_user SET last_seen = '2026-11-30T10:00:00Z' WHERE sys_user_id = 101`);
    proxy = new FaultyProxy('127.0.0.1', 5432);
    const port = await proxy.start();
    app = await buildTestApp({
      PERSISTENCE: 'postgres',
      DATABASE_URL: db.url.replace(':5432/', `:${port}/`),
      PERSIST_READ_TIMEOUT_MS: '2000',
      PRESENCE_DIFF_INTERVAL_MS: '50',
    });
  });

  afterEach(async () => {
    closeAllSockets();
    proxy.forward();
    await app.stop();
    await proxy.close();
    await db.drop();
  });

  it('does not hold an unrelated subscriber’s diffs, nor the subscriber’s own events, and answers it at the time limit', async () => {
    const watcherSocket = await connect(app.url);
    const watcher = new PresenceMirror(watcherSocket);
    await emit(watcherSocket, 'presenceSubscribe', {});
    const subscriber = await connect(app.url);
    // The database answers before it hangs: the state of a listed offline user carries its last_seen.
    const before = nextEvent<PresenceStatePayload>(subscriber, 'presenceState');
    expect(await emit(subscriber, 'presenceSubscribe', { userIds: [101] })).toMatchObject({ ok: true });
    expect((await before).users).toEqual([wireOffline(101, '2026-11-30T10:00:00.000Z')]);

    proxy.hang();
    const state = nextEvent<PresenceStatePayload>(subscriber, 'presenceState');
    let stateCame = false;
    void state.then(() => (stateCame = true));
    const subscribed = emit(subscriber, 'presenceSubscribe', { userIds: [101, 'arrives'] });
    expect(await emit(subscriber, 'userOnline', { userId: 'arrives' })).toMatchObject({ ok: true });
    await watcher.waitFor(() => watcher.online().includes('arrives'));
    // The watcher's diff went out while the state's read still waited on the database: not behind it.
    expect(stateCame).toBe(false);

    expect(await subscribed).toMatchObject({ ok: true });
    expect((await state).users).toContainEqual(wireOffline(101, null));

    proxy.forward();
    await waitUntil(async () => {
      const again = nextEvent<PresenceStatePayload>(subscriber, 'presenceState');
      await emit(subscriber, 'presenceSubscribe', { userIds: [101] });
      return (await again).users.some((u) => u.lastSeen !== null);
    });
  });
});
