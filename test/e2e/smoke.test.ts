import { createServer } from 'node:net';
import { Server } from 'socket.io';
import { runSmoke, smokeOptionsFrom } from '../../src/cli/smoke';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { signToken, TEST_SECRET } from '../support/tokens';

const steps = ['connect', 'userOnline', 'userHeartbeat', 'getOnlineUsers', 'userOffline', 'disconnect'];
const allPassed = [...steps.map((step) => expect.stringMatching(new RegExp(`^PASS ${step} \\(\\d+ ms\\)$`))), '6 passed, 0 failed'];

/** A port nothing listens on: one the OS just handed out and got back. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('smoke CLI', () => {
  let app: TestApp | undefined;

  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it('passes every step against a server in open mode, printing one line a step and the summary', async () => {
    app = await buildTestApp();
    const written: string[] = [];

    const result = await runSmoke({ url: app.url, write: (line) => written.push(line) });

    expect(result).toEqual({ passed: 6, failed: 0, lines: allPassed });
    expect(written).toEqual(result.lines);
  });

  it('passes with a numeric user id', async () => {
    app = await buildTestApp();
    const result = await runSmoke({ url: app.url, userId: 42, write: () => undefined });
    expect(result).toEqual({ passed: 6, failed: 0, lines: allPassed });
  });

  it('passes with a token, taking the user from the token', async () => {
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET });
    const result = await runSmoke({ url: app.url, token: signToken({ sub: 'u-1' }), write: () => undefined });
    expect(result).toEqual({ passed: 6, failed: 0, lines: allPassed });
  });

  it('stops at the first failing step, skips the rest, and never prints the token', async () => {
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET });
    const token = signToken({ sub: 'u-1' });

    const result = await runSmoke({ url: app.url, token, userId: 'u-2', write: () => undefined });

    expect(result.lines).toEqual([
      expect.stringMatching(/^PASS connect \(\d+ ms\)$/),
      expect.stringMatching(/^FAIL userOnline: refused: FORBIDDEN /),
      'SKIP userHeartbeat',
      'SKIP getOnlineUsers',
      'SKIP userOffline',
      'SKIP disconnect',
      '1 passed, 1 failed',
    ]);
    expect(result.lines.join('\n')).not.toContain(token);
  });

  it('fails the connect step on a refused token', async () => {
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET });
    const result = await runSmoke({ url: app.url, token: signToken({ sub: 'u-1' }, {}, 'another-secret-long-enough-for-hs256'), write: () => undefined });
    expect(result.failed).toBe(1);
    expect(result.lines[0]).toBe('FAIL connect: connect_error: unauthorized');
  });

  it('fails the connect step quickly when nothing listens', async () => {
    const url = `http://127.0.0.1:${await unusedPort()}`;
    const started = Date.now();

    const result = await runSmoke({ url, timeoutMs: 1_000, write: () => undefined });

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.passed).toBe(0);
    expect(result.failed).toBeGreaterThanOrEqual(1);
    expect(result.lines[0]).toMatch(/^FAIL connect: /);
    expect(result.lines.slice(1, -1)).toEqual(steps.slice(1).map((step) => `SKIP ${step}`));
    expect(result.lines.at(-1)).toBe('0 passed, 1 failed');
  });

  it('fails a step that gets no answer within its timeout', async () => {
    const silent = new Server();
    silent.listen(0);
    const url = `http://127.0.0.1:${(silent.httpServer.address() as { port: number }).port}`;
    try {
      const result = await runSmoke({ url, timeoutMs: 200, write: () => undefined });
      expect(result.lines.slice(0, 2)).toEqual([expect.stringMatching(/^PASS connect /), 'FAIL userOnline: timed out after 200 ms']);
      expect(result.failed).toBe(1);
    } finally {
      await silent.close();
    }
  });
});

describe('smoke CLI arguments', () => {
  it('takes flags over the environment, and sends a numeric user id as a number', () => {
    const env = { SMOKE_URL: 'http://env:1', SMOKE_TOKEN: 'env-token', SMOKE_USER_ID: 'env-user', PORT: '6000' };
    expect(smokeOptionsFrom(['--url', 'http://flag:2', '--token', 't', '--user', '42', '--timeout', '250'], env)).toEqual({
      url: 'http://flag:2',
      token: 't',
      userId: 42,
      timeoutMs: 250,
    });
    expect(smokeOptionsFrom([], env)).toEqual({ url: 'http://env:1', token: 'env-token', userId: 'env-user' });
  });

  it('defaults the URL to localhost on PORT, else 5000', () => {
    expect(smokeOptionsFrom([], { PORT: '6000' })).toEqual({ url: 'http://localhost:6000' });
    expect(smokeOptionsFrom([], {})).toEqual({ url: 'http://localhost:5000' });
  });

  it('recognises --help and refuses bad arguments', () => {
    expect(smokeOptionsFrom(['--help'], {})).toBe('help');
    expect(() => smokeOptionsFrom(['--timeout', 'soon'], {})).toThrow(/--timeout/);
    expect(() => smokeOptionsFrom(['--bogus'], {})).toThrow();
  });
});
