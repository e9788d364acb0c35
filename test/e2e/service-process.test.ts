import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/postgres';
import { ServiceProcess } from '../support/service-process';
import { closeAllSockets, connect, refusedConnection, request } from '../support/socket-client';
import { signToken } from '../support/tokens';

describe('the service process', () => {
  const started: ServiceProcess[] = [];
  const start = (env: Record<string, string>, cwd?: string): ServiceProcess => {
    const service = new ServiceProcess(env, cwd);
    started.push(service);
    return service;
  };

  afterEach(() => {
    closeAllSockets();
    for (const service of started.splice(0)) service.kill('SIGKILL');
  });

  it('starts on in-memory defaults, serves, and on SIGTERM closes cleanly and exits 0', async () => {
    const service = start({ PORT: '0' });
    const port = await service.listening();
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const socket = await connect(`http://127.0.0.1:${port}`);
    expect(await request(socket, 'userOnline', { userId: 'alice' })).toMatchObject({ ok: true });
    expect(service.output).toContain('JWT_ACCESS_SECRET is not set');

    const stoppedAt = Date.now();
    service.kill('SIGTERM');
    expect(await service.exited()).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(service.output).toContain('presence service stopped');
  });

  it('closes cleanly and exits 0 on SIGINT too (Ctrl-C in a terminal)', async () => {
    const service = start({ PORT: '0' });
    await service.listening();
    service.kill('SIGINT');
    expect(await service.exited()).toBe(0);
    expect(service.output).toContain('presence service stopped');
  });

  it('exits 1 when closing takes longer than SHUTDOWN_TIMEOUT_MS', async () => {
    // A last_seen write waits for a database that never answers: the drain would retry for seconds.
    const service = start({
      PORT: '0',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/unreachable',
      PERSIST_FLUSH_INTERVAL_MS: '3600000',
      SHUTDOWN_TIMEOUT_MS: '300',
    });
    const port = await service.listening();
    const socket = await connect(`http://127.0.0.1:${port}`);
    expect(await request(socket, 'userOnline', { userId: 'alice' })).toMatchObject({ ok: true });

    const stoppedAt = Date.now();
    service.kill('SIGTERM');
    expect(await service.exited()).toBe(1);
    expect(Date.now() - stoppedAt).toBeLessThan(4_000);
    expect(service.output).toContain('shutdown took too long');
  });

  it('refuses to start in production without JWT_ACCESS_SECRET, and says why', async () => {
    const service = start({ NODE_ENV: 'production', PORT: '0' });
    expect(await service.exited()).toBe(1);
    expect(service.output).toContain('JWT_ACCESS_SECRET: must be set when NODE_ENV=production');
  });

  it('names every bad setting in one message and does not start', async () => {
    const service = start({ PORT: 'x', PRESENCE_TTL_MS: '-1' });
    expect(await service.exited()).toBe(1);
    expect(service.output).toMatch(/PORT: .*\n.*PRESENCE_TTL_MS: /);
  });

  it('reads settings from a .env file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'presence-env-'));
    writeFileSync(join(dir, '.env'), 'PORT=0\nNODE_ID=from-dotenv\n');
    const service = start({}, dir);
    await service.listening();
    expect(service.output).toContain('"node":"from-dotenv"');
  });

  it('never logs the secret or a token, even at trace level and for refused handshakes', async () => {
    const secret = 'a-very-secret-signing-key-0123456789';
    const service = start({ PORT: '0', JWT_ACCESS_SECRET: secret, LOG_LEVEL: 'trace' });
    const url = `http://127.0.0.1:${await service.listening()}`;
    const good = signToken({ sub: 'alice' }, {}, secret);
    const forged = signToken({ sub: 'alice' }, {}, 'wrong');
    await refusedConnection(url, { auth: { token: forged } });
    await refusedConnection(url, { extraHeaders: { Authorization: `Bearer ${forged}`, Cookie: `access_token=${forged}` } });
    const socket = await connect(url, { auth: { token: good } });
    await request(socket, 'userOnline', {});
    service.kill('SIGTERM');
    await service.exited();
    expect(service.output).toContain('socket handshake refused');
    for (const leaked of [secret, good, forged]) expect(service.output).not.toContain(leaked);
  });

  it('says which persistence it uses at start, without credentials', async () => {
    const db = await createTestDatabase();
    try {
      const url = db.url.replace('postgres@', 'postgres:hunter2-password@');
      const service = start({ PORT: '0', DATABASE_URL: url });
      await service.listening();
      expect(service.output).toContain(`"persistence":"postgres 127.0.0.1:5432/${db.name}"`);
      service.kill('SIGTERM');
      expect(await service.exited()).toBe(0);
      expect(service.output).not.toContain('hunter2');
    } finally {
      await db.drop();
    }
  });
});
