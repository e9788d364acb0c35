import request from 'supertest';
import { FaultyProxy } from '../../support/faulty-proxy';
import { sample } from '../../support/metrics-text';
import { createTestDatabase, insertUsers, lastSeenOf, type TestDatabase } from '../../support/postgres';
import { ServiceProcess } from '../../support/service-process';
import { closeAllSockets, connect, request as emit } from '../../support/socket-client';
import { waitUntil } from '../../support/wait-until';

jest.setTimeout(60_000);

const message = (code: string, body: number[]): Buffer => {
  const length = Buffer.alloc(4);
  length.writeInt32BE(4 + body.length);
  return Buffer.concat([Buffer.from(code), length, Buffer.from(body)]);
};

/**
 * Messages no PostgreSQL sends where they come: a DataRow too short for its column count (pg-protocol throws a
 * RangeError from its socket listener), a message type that does not exist, a ReadyForQuery that ends a query with
 * no rows and no completion, and noise.
 */
const SHORT_DATA_ROW = message('D', [0, 1]);
const GARBAGE: readonly Buffer[] = [message('!', []), message('Z', [0x49]), Buffer.from('-ERR\r\n$-5\r\n\u0000\u00ff garbage')];

describe('PostgreSQL answering garbage (CONTRACT §11)', () => {
  let db: TestDatabase;
  const proxy = new FaultyProxy('127.0.0.1', 5432);
  let service: ServiceProcess;
  let url: string;

  const metrics = async (): Promise<string> => (await request(url).get('/metrics')).text;

  beforeEach(async () => {
    db = await createTestDatabase();
    await insertUsers(db.pool, [201, 202]);
    const port = await proxy.start();
    service = new ServiceProcess({
      PORT: '0',
      PERSISTENCE: 'postgres',
      DATABASE_URL: db.url.replace(':5432/', `:${port}/`),
      DATABASE_STATEMENT_TIMEOUT_MS: '300',
      PERSIST_FLUSH_INTERVAL_MS: '100',
      PRESENCE_TTL_MS: '60000',
      LOG_LEVEL: 'info',
    });
    url = `http://127.0.0.1:${await service.listening()}`;
  });

  afterEach(async () => {
    closeAllSockets();
    service.kill('SIGKILL');
    proxy.forward();
    await proxy.close();
    await db.drop();
  });

  it('stays up, fails the writes cleanly, and the write-behind lands them once the database answers again', async () => {
    const socket = await connect(url);
    expect((await emit(socket, 'userOnline', { userId: 201 })).ok).toBe(true);
    await waitUntil(async () => (await lastSeenOf(db.pool, 201)) !== null);

    proxy.garble(() => SHORT_DATA_ROW);
    // Presence does not wait on the database: the event is answered, its last_seen waits in the buffer.
    expect((await emit(socket, 'userOnline', { userId: 202 })).ok).toBe(true);
    await waitUntil(async () => {
      const text = await metrics();
      const caught = sample(text, 'presence_process_errors_total{kind="malformed_reply",source="postgres"}') ?? 0;
      return caught >= 1 && (sample(text, 'presence_persist_flushes_total{result="error"}') ?? 0) >= 1;
    });
    for (const garbage of GARBAGE) {
      const sent = proxy.garbageSent;
      proxy.garble(() => garbage);
      await waitUntil(async () => proxy.garbageSent > sent, 10_000);
      expect((await request(url).get('/health')).status).toBe(200);
    }
    expect(await lastSeenOf(db.pool, 202)).toBeNull();
    expect(service.child.exitCode).toBeNull();

    proxy.forward();
    await waitUntil(async () => (await lastSeenOf(db.pool, 202)) !== null, 30_000, 50);
    await waitUntil(async () => (await request(url).get('/ready')).status === 200, 10_000, 50);
    expect(service.output).not.toMatch(/RangeError|uncaught/i);
  });
});
