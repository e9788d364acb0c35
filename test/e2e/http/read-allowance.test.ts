import { buildTestApp, type TestApp } from '../../support/build-test-app';
import { FakeClock } from '../../support/fake-clock';
import { get } from '../../support/http-client';
import { closeAllSockets, connect, request } from '../../support/socket-client';
import { signToken, TEST_SECRET } from '../../support/tokens';

const bearer = (sub: string | number) => ({ Authorization: `Bearer ${signToken({ sub })}` });
const on = (connectionId: string, userId: string | number) => ({ connectionId, nodeId: 'test', userId });

/** GETs in turn until one is refused; how many were answered first. */
async function answeredBeforeRefusal(app: TestApp, path: string, headers: Record<string, string>, most: number): Promise<number> {
  for (let i = 0; i < most; i++) {
    const res = await get(app.url, path.startsWith('/presence/') ? '/presence/{userId}' : '/presence', path, headers);
    if (res.status === 429) return i;
    expect(res.status).toBe(200);
  }
  return most;
}

describe('the REST read allowance (CONTRACT §11)', () => {
  let app: TestApp;

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('answers a token user over its allowance with 429 RATE_LIMITED and Retry-After; other users read on', async () => {
    // The service's clock stands still: no token comes back while the test reads, however slow the machine.
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET, HTTP_READ_RATE: '1', PRESENCE_TTL_MS: '60000' }, { clock: new FakeClock() });
    expect(await answeredBeforeRefusal(app, '/presence', bearer('backend'), 10)).toBe(2);
    const refused = await get(app.url, '/presence/{userId}', '/presence/7', bearer('backend'));
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^over the read allowance/) } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The allowance is the token's user's, not the address's: another user from the same address is not refused.
    expect((await get(app.url, '/presence', '/presence', bearer('other'))).status).toBe(200);
    // A request without a valid token is told so first: it never reaches, nor spends, an allowance.
    expect((await get(app.url, '/presence', '/presence')).status).toBe(401);
  });

  it('tells readers without a token apart by the address the proxy gives, with TRUST_PROXY only', async () => {
    const fromProxy = (client: string) => ({ 'X-Forwarded-For': `forged, ${client}` });
    app = await buildTestApp({ HTTP_READ_RATE: '1', TRUST_PROXY: 'true', PRESENCE_TTL_MS: '60000' }, { clock: new FakeClock() });
    expect(await answeredBeforeRefusal(app, '/presence', fromProxy('203.0.113.1'), 10)).toBe(2);
    // Another client behind the same proxy has an allowance of its own; a forged first entry changes nothing.
    expect(await answeredBeforeRefusal(app, '/presence', fromProxy('203.0.113.2'), 10)).toBe(2);
    await app.stop();
    app = await buildTestApp({ HTTP_READ_RATE: '1', PRESENCE_TTL_MS: '60000' }, { clock: new FakeClock() });
    // Not behind a proxy: the header is anyone's to write, and every reader here is the one TCP peer.
    expect(await answeredBeforeRefusal(app, '/presence', fromProxy('203.0.113.1'), 10)).toBe(2);
    expect(await answeredBeforeRefusal(app, '/presence', fromProxy('203.0.113.2'), 10)).toBe(0);
  });

  it('charges a page by the users it lists, after it is answered', async () => {
    app = await buildTestApp({ HTTP_READ_RATE: '10', PRESENCE_TTL_MS: '60000' }, { clock: new FakeClock() });
    await Promise.all(Array.from({ length: 2_500 }, (_, i) => app.service.goOnline(on(`c${i}`, i))));
    // A burst of 20: a page of 2,500 costs 3 (1, and 1 per 1,000 users); the next reads draw on what is left.
    expect((await get(app.url, '/presence', '/presence?limit=10000')).status).toBe(200);
    expect((await get(app.url, '/presence', '/presence?limit=10000')).status).toBe(200);
    // 20 − 2 × 3 = 14 left: each page was charged 11 as it was taken, and given back what it did not list.
    expect(await answeredBeforeRefusal(app, '/presence?limit=1', {}, 30)).toBe(14);
  });

  it('never costs a socket heartbeat its place', async () => {
    app = await buildTestApp({ HTTP_READ_RATE: '1', PRESENCE_TTL_MS: '60000' }, { clock: new FakeClock() });
    const socket = await connect(app.url);
    await request(socket, 'userOnline', { userId: 'me' });
    expect(await answeredBeforeRefusal(app, '/presence', {}, 10)).toBe(2);
    expect(await request(socket, 'userHeartbeat', { userId: 'me' })).toMatchObject({ ok: true });
  });
});
