import request from 'supertest';
import { buildTestApp, type TestApp } from '../../support/build-test-app';

const API_POLICY = ["default-src 'none'", "frame-ancestors 'none'"];
const directives = (policy: unknown): string[] => String(policy).split(';').map((d) => d.trim()).filter((d) => d !== '').sort();

describe('origins and security headers', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await buildTestApp({ REACT_WEB_URL: 'https://app.example.com,https://admin.example.com' });
  });

  afterAll(() => app.stop());

  it('passes a request with no Origin without CORS headers, as a server is no browser', async () => {
    const res = await request(app.url).get('/presence');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it("passes the service's own pages: an Origin that is the request's host", async () => {
    const own = `http://127.0.0.1:${app.port}`;
    const res = await request(app.url).get('/presence').set('Origin', own);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(own);
  });

  it('answers each listed origin with its own origin, credentials allowed, and Vary: Origin', async () => {
    for (const origin of ['https://app.example.com', 'https://admin.example.com']) {
      const res = await request(app.url).get('/health').set('Origin', origin);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['vary']).toMatch(/Origin/);
    }
  });

  it('answers a preflight with the methods, headers and max age, and refuses one from another origin', async () => {
    const preflight = (origin: string) =>
      request(app.url).options('/presence').set({ Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' });
    const ok = await preflight('https://app.example.com');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(ok.headers['access-control-allow-methods']).toBe('GET,HEAD');
    expect(ok.headers['access-control-allow-headers']).toBe('Authorization,Content-Type');
    expect(ok.headers['access-control-max-age']).toBe('600');
    // Without Access-Control-Request-Method it is no preflight (CORS): an OPTIONS of nothing the API has.
    const bare = await request(app.url).options('/presence').set({ Origin: 'https://app.example.com' });
    expect(bare.status).toBe(404);
    expect(bare.body.error.code).toBe('NOT_FOUND');

    const refused = await preflight('https://evil.example.com');
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'FORBIDDEN_ORIGIN', message: 'origin https://evil.example.com is not allowed' } });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a page file to another origin too', async () => {
    const res = await request(app.url).get('/client/presence-client.js').set('Origin', 'https://evil.example.com');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN_ORIGIN');
  });

  it("sets the API's headers on answers and errors alike: no sniffing, no framing, no referrer, nothing loaded", async () => {
    const answers = [
      await request(app.url).get('/health'),
      await request(app.url).get('/nope'),
      await request(app.url).get('/presence').set('Origin', 'https://evil.example.com'),
      await request(app.url).get('/presence?limit=0'),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 404, 403, 400]);
    for (const res of answers) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(directives(res.headers['content-security-policy'])).toEqual(API_POLICY);
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['origin-agent-cluster']).toBe('?1');
      expect(res.headers['x-dns-prefetch-control']).toBe('off');
      // HSTS is left to the proxy that ends TLS: this service speaks plain HTTP.
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });
});
