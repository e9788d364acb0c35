import request from 'supertest';
import { buildTestApp, type TestApp } from '../../support/build-test-app';
import { get } from '../../support/http-client';
import { signToken, TEST_SECRET, unsignedToken } from '../../support/tokens';

describe('HTTP authentication', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET, METRICS_TOKEN: 'scrape-me' });
    await app.service.goOnline({ connectionId: 'c1', nodeId: 'test', userId: 'alice' });
  });

  afterAll(() => app.stop());

  const refused: Array<[string, Record<string, string>]> = [
    ['no token', {}],
    ['a token signed with another secret', { Authorization: `Bearer ${signToken({ sub: 'svc' }, {}, 'other-secret')}` }],
    ['an expired token', { Authorization: `Bearer ${signToken({ sub: 'svc' }, { expiresIn: -10 })}` }],
    ['an alg:none token', { Authorization: `Bearer ${unsignedToken({ sub: 'svc' })}` }],
    ['an HS512 token', { Authorization: `Bearer ${signToken({ sub: 'svc' }, { algorithm: 'HS512' })}` }],
    ['a malformed header', { Authorization: 'Bearer' }],
    ['a Basic header', { Authorization: 'Basic dXNlcjpwYXNz' }],
  ];

  it.each(refused)('answers 401 UNAUTHORIZED as JSON for %s', async (_what, headers) => {
    for (const [template, path] of [
      ['/presence', '/presence'],
      ['/presence/{userId}', '/presence/alice'],
    ] as const) {
      const res = await get(app.url, template, path, headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required' } });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('serves a valid token from the Authorization header', async () => {
    const res = await get(app.url, '/presence', '/presence', { Authorization: `Bearer ${signToken({ sub: 'svc' })}` });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
  });

  it('serves a valid token from the access_token cookie', async () => {
    const res = await get(app.url, '/presence/{userId}', '/presence/alice', { Cookie: `access_token=${signToken({ sub: 'svc' })}` });
    expect(res.status).toBe(200);
  });

  it('leaves /health, /ready and /openapi.yaml open', async () => {
    expect((await get(app.url, '/health', '/health')).status).toBe(200);
    expect((await get(app.url, '/ready', '/ready')).status).toBe(200);
    expect((await get(app.url, '/openapi.yaml', '/openapi.yaml')).status).toBe(200);
  });

  it('keeps /metrics behind METRICS_TOKEN', async () => {
    expect((await get(app.url, '/metrics', '/metrics')).status).toBe(401);
    expect((await get(app.url, '/metrics', '/metrics', { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(app.url, '/metrics', '/metrics', { Authorization: `Bearer ${signToken({ sub: 'svc' })}` })).status).toBe(401);
    const ok = await get(app.url, '/metrics', '/metrics', { Authorization: 'Bearer scrape-me' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('presence_online_users 1');
  });
});

describe('HTTP errors and origins', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await buildTestApp({ REACT_WEB_URL: 'https://app.example.com' });
  });

  afterAll(() => app.stop());

  it('answers an unknown route, or an unknown method, with a JSON 404', async () => {
    for (const res of [await request(app.url).get('/nope'), await request(app.url).post('/presence'), await request(app.url).delete('/health')]) {
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/^no route/) } });
    }
  });

  it('refuses a browser request from another origin with a JSON 403', async () => {
    const res = await get(app.url, '/presence', '/presence', { Origin: 'https://evil.example.com' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'FORBIDDEN_ORIGIN', message: 'origin https://evil.example.com is not allowed' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows the listed origin with CORS headers, and answers its preflight', async () => {
    const res = await get(app.url, '/presence', '/presence', { Origin: 'https://app.example.com' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    const preflight = await request(app.url)
      .options('/presence')
      .set({ Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
  });

  it('sets security headers on every answer, errors included', async () => {
    for (const res of [await request(app.url).get('/health'), await request(app.url).get('/nope')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });
});
