import { buildTestApp, type TestApp } from '../support/build-test-app';
import { closeAllSockets, connect, refusedConnection, request, StatusLog } from '../support/socket-client';
import { signToken, TEST_SECRET, unsignedToken } from '../support/tokens';

describe('socket authentication', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET });
  });

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  describe('accepts a valid HS256 token', () => {
    it('in the handshake auth.token', async () => {
      const socket = await connect(app.url, { auth: { token: signToken({ sub: 'alice' }) } });
      expect(await request(socket, 'userOnline', {})).toMatchObject({ ok: true, userId: 'alice', status: 'online' });
    });

    it('in an Authorization: Bearer header', async () => {
      const socket = await connect(app.url, { extraHeaders: { Authorization: `Bearer ${signToken({ sub: 'alice' })}` } });
      expect(await request(socket, 'userOnline', {})).toMatchObject({ ok: true, userId: 'alice' });
    });

    it('in the access_token cookie', async () => {
      const socket = await connect(app.url, { extraHeaders: { Cookie: `theme=dark; access_token=${signToken({ sub: 'alice' })}` } });
      expect(await request(socket, 'userOnline', {})).toMatchObject({ ok: true, userId: 'alice' });
    });
  });

  const refusals: Array<[string, () => Record<string, unknown>]> = [
    ['no token', () => ({})],
    ['a token signed with another secret', () => ({ auth: { token: signToken({ sub: 'alice' }, {}, 'another-secret') } })],
    ['an expired token', () => ({ auth: { token: signToken({ sub: 'alice' }, { expiresIn: -10 }) } })],
    ['an unsigned alg:none token', () => ({ auth: { token: unsignedToken({ sub: 'alice' }) } })],
    ['an HS512 token', () => ({ auth: { token: signToken({ sub: 'alice' }, { algorithm: 'HS512' }) } })],
    ['a token with no user claim', () => ({ auth: { token: signToken({ name: 'alice' }) } })],
    ['a token whose user is a lone surrogate', () => ({ auth: { token: signToken({ sub: '\ud800' }) } })],
    ['a token whose user claim is not a user id', () => ({ auth: { token: signToken({ sub: 'x'.repeat(200) }) } })],
    ['garbage', () => ({ auth: { token: 'not.a.jwt' } })],
    ['a bad cookie', () => ({ extraHeaders: { Cookie: 'access_token=nope' } })],
  ];

  it.each(refusals)('refuses a handshake with %s as unauthorized, and nothing changes', async (_what, options) => {
    const observer = new StatusLog(await connect(app.url, { auth: { token: signToken({ sub: 'observer' }) } }));
    const error = await refusedConnection(app.url, options());
    expect(error.message).toBe('unauthorized');
    expect(await request(await connect(app.url, { auth: { token: signToken({ sub: 'probe' }) } }), 'getOnlineUsers')).toEqual({ ok: true, users: [] });
    expect(observer.changes).toEqual([]);
  });

  it('refuses an event for another user as FORBIDDEN and changes nothing', async () => {
    const observer = new StatusLog(await connect(app.url, { auth: { token: signToken({ sub: 'observer' }) } }));
    const mallory = await connect(app.url, { auth: { token: signToken({ sub: 'mallory' }) } });
    const victim = await connect(app.url, { auth: { token: signToken({ sub: 'victim' }) } });
    await request(victim, 'userOnline', {});
    await observer.waitForCount(1);

    for (const event of ['userOnline', 'userHeartbeat', 'userOffline']) {
      expect(await request(mallory, event, { userId: 'victim' })).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: expect.any(String) },
      });
    }
    expect(await request(mallory, 'getOnlineUsers')).toMatchObject({ users: [{ userId: 'victim' }] });
    expect(observer.summary()).toEqual(['victim online online']);
  });

  it('validates the payload before checking it against the token', async () => {
    const socket = await connect(app.url, { auth: { token: signToken({ sub: 'alice' }) } });
    expect(await request(socket, 'userOnline', { userId: ['bob'] })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });

  it('accepts the token user given as a number or a string, and speaks of it as announced', async () => {
    const socket = await connect(app.url, { auth: { token: signToken({ sub: '7' }) } });
    const log = new StatusLog(socket);
    expect(await request(socket, 'userOnline', { userId: 7 })).toMatchObject({ ok: true, userId: 7, status: 'online' });
    const [change] = await log.waitForCount(1);
    expect(change?.userId).toBe(7);
  });
});

describe('socket authentication settings', () => {
  let app: TestApp;

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('reads the user from JWT_USER_CLAIM and the cookie named by JWT_COOKIE_NAME', async () => {
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET, JWT_USER_CLAIM: 'sys_user_id', JWT_COOKIE_NAME: 'session' });
    const token = signToken({ sub: 'ignored', sys_user_id: 12 });
    const socket = await connect(app.url, { extraHeaders: { Cookie: `session=${token}` } });
    expect(await request(socket, 'userOnline', {})).toMatchObject({ ok: true, userId: 12, status: 'online' });
    expect((await refusedConnection(app.url, { extraHeaders: { Cookie: `access_token=${token}` } })).message).toBe('unauthorized');
  });

  it('refuses a handshake from an origin outside REACT_WEB_URL, and accepts the listed ones and non-browsers', async () => {
    app = await buildTestApp({ REACT_WEB_URL: 'http://localhost:5173,https://app.example.com' });
    await expect(connect(app.url, { extraHeaders: { Origin: 'https://evil.example.com' } })).rejects.toThrow();
    await expect(connect(app.url, { extraHeaders: { Origin: 'https://app.example.com' } })).resolves.toBeDefined();
    await expect(connect(app.url)).resolves.toBeDefined();
  });
});
