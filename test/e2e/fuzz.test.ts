import fc from 'fast-check';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { closeAllSockets, connect, request as emit, type TestSocket } from '../support/socket-client';
import { signToken, TEST_SECRET } from '../support/tokens';

/** Values a hostile client may send: odd types, deep objects, prototype keys, binary, long strings. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 4, withBigInt: false, withBoxedValues: false, withMap: false, withSet: false }),
  fc.constantFrom(null, undefined, NaN, Infinity, -0, 2 ** 53, '', '7', 7, true, [], {}),
  fc.string({ maxLength: 200 }),
  fc.string({ minLength: 120, maxLength: 140 }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom('__proto__', 'constructor', 'prototype').map((key) => JSON.parse(`{"${key}":{"polluted":true},"userId":"victim"}`)),
  fc.record({ userId: fc.oneof(fc.constant('victim'), fc.string({ maxLength: 130 }), fc.integer(), fc.double()), userType: fc.anything({ maxDepth: 1 }) }),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.anything({ maxDepth: 3 }), { maxKeys: 6 }),
);

const events = ['userOnline', 'userHeartbeat', 'userOffline', 'getOnlineUsers', 'presenceSubscribe', 'presenceUnsubscribe', 'noSuchEvent', 'toString', '__proto__', 'hasOwnProperty'];

const message = fc.record({
  event: fc.constantFrom(...events),
  args: fc.array(hostileValue, { maxLength: 4 }),
  ack: fc.constantFrom('function', 'none', 'not-a-function'),
});

jest.setTimeout(60_000);

describe('hostile input', () => {
  let app: TestApp;
  const logs: string[] = [];
  const fuzzerToken = signToken({ sub: 'fuzzer' });
  const victimToken = signToken({ sub: 'victim' });

  beforeAll(async () => {
    // The limits are others' tests: here, every event is to reach its handler.
    const unlimited = { PRESENCE_EVENT_RATE: '100000', HTTP_READ_RATE: '100000', PRESENCE_STATUS_RATE: '100000' };
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET, PRESENCE_TTL_MS: '600000', ...unlimited }, {}, { log: (l) => logs.push(l) });
    const victim = await connect(app.url, { auth: { token: victimToken } });
    await emit(victim, 'userOnline', { userType: 'agent', userName: 'Victim' });
  });

  afterAll(async () => {
    closeAllSockets();
    await app.stop();
  });

  const othersOnline = async (): Promise<string> => {
    const users = (await request(app.url).get('/presence').set('Authorization', `Bearer ${victimToken}`)).body.users as Array<Record<string, unknown>>;
    return JSON.stringify(users.filter((u) => u['userId'] !== 'fuzzer').map((u) => [u['userId'], u['userType'], u['userName']]));
  };

  it('never crashes, never lets a client change another user, and a refused event changes nothing', async () => {
    const baseline = await othersOnline();
    let socket: TestSocket | undefined;
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 8 }), async (messages) => {
        if (socket === undefined || !socket.connected) socket = await connect(app.url, { auth: { token: fuzzerToken } });
        for (const m of messages) {
          const before = await othersOnline();
          const args = m.ack === 'not-a-function' ? [...m.args, 'ack?'] : m.args;
          let answer: { ok?: boolean } | undefined;
          if (m.ack === 'function') {
            answer = await (socket as unknown as { timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<{ ok?: boolean }> } })
              .timeout(1_000)
              .emitWithAck(m.event, ...args)
              .catch(() => undefined);
          } else {
            (socket as unknown as { emit(e: string, ...a: unknown[]): void }).emit(m.event, ...args);
          }
          if (answer?.ok === false) expect(await othersOnline()).toBe(before);
          if (!socket.connected) break;
        }
        expect(await othersOnline()).toBe(baseline);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 80 },
    );
    expect((await request(app.url).get('/health')).status).toBe(200);
  });

  it('answers every HTTP parameter and header with the contract’s codes, never a 500', async () => {
    const known = ['userId', 'userType', 'limit', 'cursor'];
    const query = fc.array(
      fc.tuple(fc.oneof(fc.constantFrom(...known), fc.string({ maxLength: 10 })), fc.oneof(fc.string({ maxLength: 40 }), fc.integer().map(String), fc.string({ minLength: 120, maxLength: 300 }))),
      { maxLength: 5 },
    );
    const headers = fc.record({
      Authorization: fc.oneof(fc.constant(`Bearer ${fuzzerToken}`), fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`), fc.string({ maxLength: 40 })),
      Cookie: fc.oneof(fc.constant(''), fc.string({ maxLength: 60 }).map((s) => `access_token=${s}`)),
      Origin: fc.oneof(fc.constant(''), fc.constant('http://localhost:5173'), fc.webUrl()),
    });
    const path = fc.oneof(fc.constantFrom('/presence', '/presence/victim', '/ready', '/metrics', '/health', '/openapi.yaml'), fc.string({ maxLength: 20 }).map((s) => `/presence/${encodeURIComponent(s) || 'x'}`));
    await fc.assert(
      fc.asyncProperty(path, query, headers, async (p, q, h) => {
        const search = new URLSearchParams(q).toString();
        const set = Object.fromEntries(Object.entries(h).filter(([, v]) => v !== ''));
        let res;
        try {
          res = await request(app.url).get(`${p}${search ? `?${search}` : ''}`).set(set);
        } catch {
          return; // a header value Node itself refuses to send never reaches the service
        }
        expect([200, 400, 401, 403, 404]).toContain(res.status);
        if (res.status >= 400) expect(['INVALID_REQUEST', 'UNAUTHORIZED', 'NOT_FOUND', 'FORBIDDEN_ORIGIN']).toContain(res.body?.error?.code);
      }),
      { numRuns: 300 },
    );
  });

  it('never logs the secret or a token', () => {
    expect(logs.length).toBeGreaterThan(0);
    const all = logs.join('\n');
    for (const secret of [TEST_SECRET, fuzzerToken, victimToken]) expect(all).not.toContain(secret);
  });
});
