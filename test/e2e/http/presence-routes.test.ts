import { buildTestApp, type TestApp } from '../../support/build-test-app';
import { get } from '../../support/http-client';
import { closeAllSockets, connect, request } from '../../support/socket-client';
import { TOKENS } from '../../../src/tokens';

const on = (connectionId: string, userId: string | number, userType?: string) => ({ connectionId, nodeId: 'test', userId, userType });

describe('GET /presence', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000' });
  });

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('answers an empty list when nobody is online', async () => {
    const res = await get(app.url, '/presence', '/presence');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ seq: expect.any(Number), users: [], total: 0, nextCursor: null, asOf: expect.any(String), maxStalenessMs: 60_020, nodeLossBoundMs: null });
    expect(Math.abs(Date.parse(res.body.asOf) - Date.now())).toBeLessThan(5_000);
  });

  it('lists the users online through sockets, with their type, name and lastSeen', async () => {
    const socket = await connect(app.url);
    await request(socket, 'userOnline', { userId: 7, userType: 'agent', userName: 'Ada' });
    const res = await get(app.url, '/presence', '/presence');
    expect(res.body).toEqual({
      seq: expect.any(Number),
      users: [{ userId: 7, status: 'online', lastSeen: expect.stringMatching(/Z$/), userType: 'agent', userName: 'Ada', availability: 'available', statusText: null, lastActive: null, onlineSince: expect.any(String) }],
      total: 1,
      nextCursor: null,
      asOf: expect.any(String),
      maxStalenessMs: 60_020,
      nodeLossBoundMs: null,
    });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('filters by userType, repeatable', async () => {
    await app.service.goOnline(on('c1', 'a', 'agent'));
    await app.service.goOnline(on('c2', 'b', 'client'));
    await app.service.goOnline(on('c3', 'c', 'admin'));
    await app.service.goOnline(on('c4', 'd'));
    const agents = await get(app.url, '/presence', '/presence?userType=agent');
    expect(agents.body.users.map((u: { userId: string }) => u.userId)).toEqual(['a']);
    expect(agents.body.total).toBe(1);
    const two = await get(app.url, '/presence', '/presence?userType=agent&userType=admin');
    expect(two.body.users.map((u: { userId: string }) => u.userId)).toEqual(['a', 'c']);
    expect(two.body.total).toBe(2);
  });

  it('answers the named users online or offline, with persisted lastSeen, leaving out the never seen', async () => {
    await app.service.goOnline(on('c1', 'online-user', 'agent'));
    await app.service.goOnline(on('c2', 42));
    await app.service.goOffline({ connectionId: 'c2', userId: 42 });
    const res = await get(app.url, '/presence', '/presence?userId=online-user&userId=42&userId=never');
    expect(res.body).toEqual({
      seq: expect.any(Number),
      users: [
        { userId: 42, status: 'offline', lastSeen: expect.any(String), userType: null, userName: null, availability: null, statusText: null, lastActive: null, onlineSince: null },
        { userId: 'online-user', status: 'online', lastSeen: expect.any(String), userType: 'agent', userName: null, availability: 'available', statusText: null, lastActive: null, onlineSince: expect.any(String) },
      ],
      total: 2,
      nextCursor: null,
      asOf: expect.any(String),
      maxStalenessMs: 60_020,
      nodeLossBoundMs: null,
    });
  });

  it('pages through more users than one page, each exactly once, while others come and go', async () => {
    const steady = Array.from({ length: 10_000 }, (_, i) => `user-${String(i).padStart(5, '0')}`);
    for (const id of steady) await app.service.goOnline(on(`c-${id}`, id));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const path: string = `/presence?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await get(app.url, '/presence', path);
      expect(res.status).toBe(200);
      seen.push(...res.body.users.map((u: { userId: string }) => u.userId));
      cursor = res.body.nextCursor;
      pages += 1;
      // Churn between pages: newcomers before and after the cursor, and leavers that are not steady users.
      await app.service.goOnline(on(`new-a-${pages}`, `aaa-${pages}`));
      await app.service.goOnline(on(`new-z-${pages}`, `zzz-${pages}`));
      await app.service.goOffline({ connectionId: `new-a-${pages}`, userId: `aaa-${pages}` });
    } while (cursor !== null);
    expect(pages).toBeGreaterThanOrEqual(10);
    const steadySeen = seen.filter((id) => id.startsWith('user-'));
    expect(steadySeen).toEqual(steady);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('pages the named users too', async () => {
    for (const id of ['a', 'b', 'c']) await app.service.goOnline(on(`c-${id}`, id));
    const first = await get(app.url, '/presence', '/presence?userId=c&userId=a&userId=b&limit=2');
    expect(first.body.users.map((u: { userId: string }) => u.userId)).toEqual(['a', 'b']);
    expect(first.body.total).toBe(3);
    const second = await get(app.url, '/presence', `/presence?userId=c&userId=a&userId=b&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ users: [{ userId: 'c' }], nextCursor: null });
  });

  const badRequests: Array<[string, string, RegExp]> = [
    ['limit 0', '/presence?limit=0', /limit/],
    ['limit over 10000', '/presence?limit=10001', /limit/],
    ['a limit that is not a number', '/presence?limit=ten', /limit/],
    ['a negative limit', '/presence?limit=-5', /limit/],
    ['limit twice', '/presence?limit=5&limit=6', /limit/],
    ['a malformed cursor', '/presence?cursor=garbage', /cursor/],
    ['a forged cursor', `/presence?cursor=v1.${Buffer.from('{"after":5}').toString('base64url')}`, /cursor/],
    ['an unknown parameter', '/presence?status=online', /unknown parameter status/],
    ['an over-long userId', `/presence?userId=${'x'.repeat(129)}`, /userId/],
    ['an empty userId', '/presence?userId=', /userId/],
    ['too many userIds', `/presence?${Array.from({ length: 1001 }, (_, i) => `userId=${i}`).join('&')}`, /userId/],
    ['an over-long userType', `/presence?userType=${'t'.repeat(129)}`, /userType/],
  ];

  it.each(badRequests)('answers 400 INVALID_REQUEST for %s, saying what is wrong', async (_what, path, message) => {
    const res = await get(app.url, '/presence', path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'INVALID_REQUEST', message: expect.stringMatching(message) } });
  });
});

describe('GET /presence/{userId}', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000' });
  });

  afterEach(() => app.stop());

  it('answers an online user, in the type it was announced with', async () => {
    await app.service.goOnline(on('c1', 7, 'agent'));
    const res = await get(app.url, '/presence/{userId}', '/presence/7');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: 7, status: 'online', lastSeen: expect.any(String), userType: 'agent', userName: null, availability: 'available', statusText: null, lastActive: null, onlineSince: expect.any(String) });
  });

  it('answers an offline user with the lastSeen persistence holds', async () => {
    await app.service.goOnline(on('c1', 'bob'));
    await app.service.goOffline({ connectionId: 'c1', userId: 'bob' });
    const persisted = (await app.service.status('bob'))?.lastSeen;
    const res = await get(app.url, '/presence/{userId}', '/presence/bob');
    expect(res.body).toEqual({ userId: 'bob', status: 'offline', lastSeen: new Date(persisted as number).toISOString(), userType: null, userName: null, availability: null, statusText: null, lastActive: null, onlineSince: null });
  });

  it('answers 404 NOT_FOUND for a user never seen', async () => {
    const res = await get(app.url, '/presence/{userId}', '/presence/nobody');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'user nobody has never been seen' } });
  });

  it('answers 400 INVALID_REQUEST for an over-long id', async () => {
    const res = await get(app.url, '/presence/{userId}', `/presence/${'x'.repeat(129)}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/userId/) });
  });

  it('decodes an id with reserved characters', async () => {
    await app.service.goOnline(on('c1', 'a/b c'));
    const res = await get(app.url, '/presence/{userId}', `/presence/${encodeURIComponent('a/b c')}`);
    expect(res.body).toMatchObject({ userId: 'a/b c', status: 'online' });
  });

  it('answers offline users with lastSeen null when the database does not answer within PERSIST_READ_TIMEOUT_MS', async () => {
    await app.stop();
    app = await buildTestApp({ PERSIST_READ_TIMEOUT_MS: '100' });
    await app.service.goOnline(on('c1', 'here'));
    jest.spyOn(app.app.container.get(TOKENS.LastSeenRepository), 'findMany').mockReturnValue(new Promise(() => undefined));
    const one = await get(app.url, '/presence/{userId}', '/presence/gone');
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ userId: 'gone', status: 'offline', lastSeen: null, userType: null, userName: null, availability: null, statusText: null, lastActive: null, onlineSince: null });
    const listed = await get(app.url, '/presence', '/presence?userId=gone&userId=here');
    expect(listed.body.users).toEqual([
      { userId: 'gone', status: 'offline', lastSeen: null, userType: null, userName: null, availability: null, statusText: null, lastActive: null, onlineSince: null },
      expect.objectContaining({ userId: 'here', status: 'online' }),
    ]);
  });
});
