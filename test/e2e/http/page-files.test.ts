import request from 'supertest';
import { buildTestApp, type TestApp } from '../../support/build-test-app';
import { expectMatchesSpec, spec } from '../../support/openapi-spec';

const PAGE_POLICY = ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self' ws: wss:", "img-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"];
const directives = (policy: unknown): string[] => String(policy).split(';').map((d) => d.trim()).filter((d) => d !== '').sort();

describe('the page and its files', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await buildTestApp();
  });

  afterAll(() => app.stop());

  const files: Array<[string, RegExp]> = [
    ['/', /^text\/html/],
    ['/app.js', /^text\/javascript/],
    ['/style.css', /^text\/css/],
    ['/favicon.svg', /^image\/svg\+xml/],
    ['/favicon.ico', /^image\/svg\+xml/],
    ['/client/presence-client.js', /^text\/javascript/],
  ];

  // supertest keeps no text of an image, and fetch asks past the cache (`Cache-Control: no-cache`) when it revalidates.
  const load = async (path: string) => {
    const res = await fetch(`${app.url}${path}`);
    const text = await res.text();
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => (headers[name] = value));
    return expectMatchesSpec('GET', path, { status: res.status, headers, text, body: text });
  };

  it.each(files)('serves %s with validators, and a 304 with no body to a browser that holds the same copy', async (path, type) => {
    const first = await load(path);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(type);
    expect(Number(first.headers['content-length'])).toBeGreaterThan(0);
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.headers['etag']).toMatch(/^(W\/)?"[^"]+"$/);
    expect(first.headers['last-modified']).toBeDefined();
    expect(directives(first.headers['content-security-policy'])).toEqual([...PAGE_POLICY].sort());

    const again = await request(app.url).get(path).set('If-None-Match', first.headers['etag'] as string);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers['etag']).toBe(first.headers['etag']);
    expect(spec['paths'][path].get.responses['304']).toBeDefined();

    const stale = await request(app.url).get(path).set('If-None-Match', 'W/"another-copy"');
    expect(stale.status).toBe(200);
  });

  it('links the icon from the page, so that a load asks for no /favicon.ico', async () => {
    const page = await request(app.url).get('/');
    expect(page.text).toContain('<link rel="icon" href="/favicon.svg"');
  });

  it('answers a browser that asks for /favicon.ico with the icon, not a 404', async () => {
    const [icon, oldName] = [await load('/favicon.svg'), await load('/favicon.ico')];
    expect(oldName.status).toBe(200);
    expect(oldName.text).toBe(icon.text);
  });

  it('serves only its routes from the folders: other files there are a JSON 404', async () => {
    for (const path of ['/index.html', '/client/../index.html', '/public/app.js', '/.client-build.json', '/client/.client-build.json']) {
      const res = await request(app.url).get(path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/^no route/) } });
    }
  });
});
