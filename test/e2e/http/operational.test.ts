import type { HealthCheck } from '../../../src/application/health-check';
import { TOKENS } from '../../../src/tokens';
import { buildTestApp, type TestApp } from '../../support/build-test-app';
import { FakeClock } from '../../support/fake-clock';
import { get } from '../../support/http-client';
import { sample } from '../../support/metrics-text';
import { closeAllSockets, connect, request, StatusLog } from '../../support/socket-client';

describe('GET /health and GET /ready', () => {
  let app: TestApp;

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('answers health, and readiness with each component up', async () => {
    app = await buildTestApp();
    expect((await get(app.url, '/health', '/health')).body).toEqual({ status: 'ok' });
    const ready = await get(app.url, '/ready', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', components: { store: { status: 'up' }, persistence: { status: 'up' } } });
  });

  it('answers 503 naming the component that is not up and since when, and 200 again once it is', async () => {
    let persistence: 'up' | 'degraded' = 'degraded';
    const flaky: HealthCheck = { check: async () => (persistence === 'up' ? { status: 'up' } : { status: 'degraded', detail: 'writes failing' }) };
    const failing: HealthCheck = { check: () => Promise.reject(new Error('connection refused')) };
    const clock = new FakeClock();
    const firstSeen = new Date(clock.now()).toISOString();
    app = await buildTestApp({}, { health: { store: failing, persistence: flaky }, clock });
    const down = await get(app.url, '/ready', '/ready');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      status: 'not_ready',
      components: { store: { status: 'down', since: firstSeen }, persistence: { status: 'degraded', since: firstSeen } },
    });
    clock.advance(5_000);
    expect((await get(app.url, '/ready', '/ready')).body.components.store).toEqual({ status: 'down', since: firstSeen });
    persistence = 'up';
    expect((await get(app.url, '/ready', '/ready')).body.components.persistence).toEqual({ status: 'up' });
    expect((await get(app.url, '/health', '/health')).status).toBe(200);
  });

  it('never echoes a database error on /ready, which answers without auth; the log has it', async () => {
    const log: string[] = [];
    app = await buildTestApp({ DATABASE_URL: 'postgres://nosuchuser@127.0.0.1:5432/postgres' }, {}, { log: (line) => log.push(line) });
    const down = await get(app.url, '/ready', '/ready');
    expect(down.status).toBe(503);
    expect(down.body.components.persistence).toEqual({ status: 'down', since: expect.any(String) });
    expect(down.text).not.toMatch(/nosuchuser|127\.0\.0\.1|role/);
    const reported = log.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'component is not up');
    expect(reported).toMatchObject({ component: 'persistence', status: 'down', detail: expect.stringMatching(/role "nosuchuser" does not exist/) });
  });
});

describe('GET /metrics', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await buildTestApp({ PRESENCE_DISCONNECT_GRACE_MS: '0' });
  });

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('reports the contract metrics after socket and HTTP traffic, with bounded labels', async () => {
    const observer = new StatusLog(await connect(app.url));
    const alice = await connect(app.url);
    const aliceTab = await connect(app.url);
    const bob = await connect(app.url);
    await request(alice, 'userOnline', { userId: 'alice' });
    await request(aliceTab, 'userOnline', { userId: 'alice' });
    await request(bob, 'userOnline', { userId: 'bob' });
    await request(bob, 'userHeartbeat', { userId: 'bob' });
    await request(bob, 'userOffline', { userId: 'bob' });
    await request(bob, 'userOnline', { userId: 'bob' });
    await request(bob, 'userOnline', { userId: '' });
    bob.disconnect();
    await observer.waitForCount(5);
    await get(app.url, '/presence/{userId}', '/presence/alice');
    await get(app.url, '/presence/{userId}', '/presence/someone-else');

    const res = await get(app.url, '/metrics', '/metrics');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(sample(text, 'presence_online_users')).toBe(1);
    expect(sample(text, 'presence_connections')).toBe(3);
    expect(sample(text, 'presence_events_total{event="userOnline",result="ok"}')).toBe(4);
    expect(sample(text, 'presence_events_total{event="userOnline",result="invalid_payload"}')).toBe(1);
    expect(sample(text, 'presence_events_total{event="userHeartbeat",result="ok"}')).toBe(1);
    expect(sample(text, 'presence_status_changes_total{status="online",reason="online"}')).toBe(3);
    expect(sample(text, 'presence_status_changes_total{status="offline",reason="explicit"}')).toBe(1);
    expect(sample(text, 'presence_status_changes_total{status="offline",reason="disconnect"}')).toBe(1);
    expect(sample(text, 'presence_flaps_total')).toBe(1);
    expect(sample(text, 'presence_offline_delay_seconds_count{reason="explicit"}')).toBe(1);
    expect(sample(text, 'presence_users_by_connections{connections="1"}')).toBe(0);
    expect(sample(text, 'presence_users_by_connections{connections="2"}')).toBe(1);
    expect(sample(text, 'presence_event_duration_seconds_count{event="userOnline"}')).toBe(5);
    expect(sample(text, 'presence_sweep_duration_seconds_count')).toBeGreaterThan(0);
    expect(sample(text, 'presence_sweep_lag_seconds_count')).toBeGreaterThan(0);
    expect(sample(text, 'presence_persist_pending')).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/presence/:userId",status="200"}')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/presence/:userId",status="404"}')).toBe(1);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('# TYPE presence_persist_flushes_total counter');
    expect(text).not.toMatch(/alice|someone-else/);
  });

  it('keeps a registry per service, so two services in one process count apart', async () => {
    const other = await buildTestApp();
    try {
      await app.service.goOnline({ connectionId: 'c', nodeId: 't', userId: 'u' });
      expect(sample((await get(other.url, '/metrics', '/metrics')).text, 'presence_online_users')).toBe(0);
      expect(sample((await get(app.url, '/metrics', '/metrics')).text, 'presence_online_users')).toBe(1);
    } finally {
      await other.stop();
    }
  });

  it('still answers while the store cannot be read, keeping the last store figures', async () => {
    await app.service.goOnline({ connectionId: 'c', nodeId: 't', userId: 'u' });
    await get(app.url, '/metrics', '/metrics');
    const store = app.app.container.get(TOKENS.PresenceStore);
    jest.spyOn(store, 'countOnline').mockRejectedValue(new Error('store down'));
    jest.spyOn(store, 'usersByConnections').mockRejectedValue(new Error('store down'));
    const res = await get(app.url, '/metrics', '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('presence_persist_pending');
    expect(sample(res.text, 'presence_online_users')).toBe(1);
    expect(sample(res.text, 'presence_users_by_connections{connections="1"}')).toBe(1);
  });
});
