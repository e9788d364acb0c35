import { createPostgresPool } from '../../../src/adapters/postgres/postgres-pool';
import { PostgresOutboxJournal } from '../../../src/adapters/postgres/postgres-outbox.journal';
import { ServiceProcess } from '../../support/service-process';
import { createTestDatabase, type TestDatabase } from '../../support/postgres';
import { closeAllSockets, connect, request as emit } from '../../support/socket-client';
import { waitUntil } from '../../support/wait-until';
import { WebhookReceiver } from '../../support/webhook-receiver';

jest.setTimeout(60_000);

/**
 * CONTRACT §10's PostgreSQL outbox (an in-memory store with DATABASE_URL): what reached the table survives a kill -9
 * and a restart, and is delivered after them, in seq order, before the new start's reset.
 */
describe('the webhook outbox in PostgreSQL', () => {
  let db: TestDatabase;
  const receiver = new WebhookReceiver();
  let service: ServiceProcess | undefined;

  const start = async (): Promise<string> => {
    service = new ServiceProcess({
      PORT: '0',
      DATABASE_URL: db.url,
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET: 'webhook-secret-that-is-long-enough-32',
      WEBHOOK_BATCH_MS: '100',
      WEBHOOK_TIMEOUT_MS: '500',
      PRESENCE_TTL_MS: '60000',
    });
    return `http://127.0.0.1:${await service.listening()}`;
  };
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    closeAllSockets();
    service?.kill(signal);
    await service?.exited();
  };
  const rows = async () => Number((await db.pool.query('SELECT count(*) AS n FROM presence_webhook_outbox')).rows[0].n);
  const told = () => receiver.events().map((e) => (e['type'] === 'reset' ? 'reset' : `${e['userId']} ${e['status']} ${e['reason']}`));

  beforeAll(async () => {
    db = await createTestDatabase();
    await receiver.start();
  });

  afterAll(async () => {
    await stop('SIGTERM');
    await receiver.stop();
    await db.drop();
  });

  it('reads back in pages the newest events it may hold, with the cursors, and lets go of a range by seq', async () => {
    const journal = new PostgresOutboxJournal(createPostgresPool({ connectionString: db.url }), 20_000);
    try {
      const events = Array.from({ length: 25_000 }, (_, i) => ({ seq: 1_000 + i, at: Date.UTC(2026, 11, 2) + i, event: { seq: 1_000 + i, userId: `u${i}` } }));
      for (let i = 0; i < events.length; i += 5_000) await journal.write({ events: events.slice(i, i + 5_000), cursors: new Map([['e', 999]]), releasedThrough: 0 });
      const kept = await journal.load();
      expect(kept.cursors).toEqual(new Map([['e', 999]]));
      expect(kept.events).toHaveLength(20_000);
      expect(kept.events[0]).toEqual(events[5_000]);
      expect(kept.events.at(-1)).toEqual(events.at(-1));
      // A cursor never goes back; a release removes the rows up to it, and only those.
      await journal.write({ events: [], cursors: new Map([['e', 500]]), releasedThrough: 25_000 });
      expect((await journal.load()).cursors).toEqual(new Map([['e', 999]]));
      // Seqs 1,000 to 25,999 were written: 25,001 and on are left.
      expect(await rows()).toBe(999);
      await journal.write({ events: [], cursors: new Map(), releasedThrough: Number.MAX_SAFE_INTEGER });
      expect(await rows()).toBe(0);
    } finally {
      await db.pool.query('DELETE FROM presence_webhook_cursors');
      await journal.close();
    }
  });

  it('delivers what reached the table before a kill -9 after the restart, then the restart\'s reset; a graceful stop writes what is left', async () => {
    receiver.mode = 'fail';
    let url = await start();
    const [a, b] = [await connect(url), await connect(url)];
    await emit(a, 'userOnline', { userId: 'a', userType: 'agent' });
    await emit(b, 'userOnline', { userId: 'b' });
    await emit(a, 'userStatusSet', { userId: 'a', availability: 'busy' });
    // The reset and three transitions, written within an interval or two of being appended.
    await waitUntil(async () => (await rows()) === 4, 10_000);
    await stop('SIGKILL');

    receiver.mode = 'ok';
    url = await start();
    await receiver.waitFor(() => told().length >= 5, 20_000);
    expect(told()).toEqual(['reset', 'a online online', 'b online online', 'a online set', 'reset']);
    const seqs = receiver.events().map((e) => e['seq'] as number);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(receiver.events()[1]).toMatchObject({ userType: 'agent', availability: 'available' });

    // A graceful stop right after a change: the last write on the way out carries it.
    receiver.mode = 'fail';
    await emit(await connect(url), 'userOnline', { userId: 'c' });
    await stop('SIGTERM');
    receiver.mode = 'ok';
    await start();
    await receiver.waitFor(() => told().length >= 7, 20_000);
    expect(told().slice(5)).toEqual(['c online online', 'reset']);
    // Acknowledged by the only endpoint: the table lets go of every row.
    await waitUntil(async () => (await rows()) === 0, 10_000);
    const cursors = await db.pool.query('SELECT endpoint, seq::text FROM presence_webhook_cursors');
    expect(cursors.rows).toEqual([{ endpoint: expect.stringMatching(/^[0-9a-f]{32}$/), seq: String(receiver.events().at(-1)?.['seq']) }]);
  });
});
