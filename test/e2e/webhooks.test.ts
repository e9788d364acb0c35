import request from 'supertest';
import { isGenuine, signatureOf } from '../../src/adapters/webhooks/webhook-signature';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { sample } from '../support/metrics-text';
import { closeAllSockets, connect, request as emit } from '../support/socket-client';
import { FakeClock } from '../support/fake-clock';
import { waitUntil } from '../support/wait-until';
import { WebhookReceiver } from '../support/webhook-receiver';

const SECRET = 'webhook-secret-that-is-long-enough-32';

/** CONTRACT §10's webhooks, to a real HTTP receiver, through its outages. */
describe('webhooks', () => {
  let app: TestApp;
  let receiver: WebhookReceiver;

  const start = async (env: Record<string, string> = {}, clock?: FakeClock) => {
    receiver = new WebhookReceiver();
    await receiver.start();
    const settings = { WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET: SECRET, WEBHOOK_BATCH_MS: '30', WEBHOOK_TIMEOUT_MS: '300', PRESENCE_TTL_MS: '60000' };
    app = await buildTestApp({ ...settings, ...env }, clock === undefined ? {} : { clock });
  };

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
    await receiver.stop();
  });

  it('sends a reset first, then every transition in seq order, in signed batches of at most WEBHOOK_BATCH_MAX', async () => {
    await start({ WEBHOOK_BATCH_MAX: '2' });
    const socket = await connect(app.url);
    await emit(socket, 'userOnline', { userId: 'a', userType: 'agent' });
    await emit(socket, 'userStatusSet', { userId: 'a', availability: 'busy' });
    await emit(socket, 'userOffline', { userId: 'a' });
    await receiver.waitFor((r) => r.events().length >= 4);
    const events = receiver.events();
    expect(events[0]).toEqual({ type: 'reset', seq: expect.any(Number) });
    expect(events.slice(1).map((e) => `${e['userId']} ${e['status']} ${e['reason']}`)).toEqual(['a online online', 'a online set', 'a offline explicit']);
    const seqs = events.map((e) => e['seq'] as number);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    for (const batch of receiver.accepted) {
      expect(batch.events.length).toBeLessThanOrEqual(2);
      expect(batch.signature).toBe(signatureOf(SECRET, batch.timestamp as string, batch.body));
      expect(isGenuine(SECRET, batch, batch.body, Math.floor(Date.now() / 1000))).toBe(true);
      // A tampered body, another secret, or an old timestamp is not genuine.
      expect(isGenuine(SECRET, batch, `${batch.body} `, Math.floor(Date.now() / 1000))).toBe(false);
      expect(isGenuine(`${SECRET}x`, batch, batch.body, Math.floor(Date.now() / 1000))).toBe(false);
      expect(isGenuine(SECRET, batch, batch.body, Math.floor(Date.now() / 1000) + 3_600)).toBe(false);
    }
  });

  it('delivers every event exactly once after deduplication, in order, through 503s, timeouts and a receiver that is down', async () => {
    await start();
    const deliveries = async (result: string) => sample((await request(app.url).get('/metrics')).text, `presence_webhook_deliveries_total{result="${result}"}`);
    const socket = await connect(app.url);
    await receiver.waitFor((r) => r.events().length >= 1);
    // Each announcement on the one socket ends the user before: an offline, then an online, per step.
    const step = async (i: number) => emit(socket, 'userOnline', { userId: `u${i}` });
    receiver.mode = 'fail';
    await step(1);
    await receiver.waitFor((r) => r.attempts >= 3);
    expect((await request(app.url).get('/ready')).body).toMatchObject({ status: 'ready', components: { webhooks: { status: 'degraded' } } });
    receiver.mode = 'hang';
    await step(2);
    await waitUntil(async () => ((await deliveries('timeout')) ?? 0) >= 1, 10_000, 20);
    await receiver.stop();
    await step(3);
    const errors = (await deliveries('error')) ?? 0;
    await waitUntil(async () => ((await deliveries('error')) ?? 0) > errors, 10_000, 20);
    receiver.mode = 'ok';
    await receiver.restart();
    await step(4);
    await receiver.waitFor((r) => r.events().length >= 8, 20_000);
    const told = receiver.events().slice(1).map((e) => `${e['userId']} ${e['status']}`);
    expect(told).toEqual(['u1 online', 'u1 offline', 'u2 online', 'u2 offline', 'u3 online', 'u3 offline', 'u4 online']);
    await receiver.waitFor(() => true);
    const metrics = (await request(app.url).get('/metrics')).text;
    expect(sample(metrics, 'presence_webhook_deliveries_total{result="error"}')).toBeGreaterThanOrEqual(2);
    expect(sample(metrics, 'presence_webhook_deliveries_total{result="timeout"}')).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'presence_webhook_deliveries_total{result="ok"}')).toBeGreaterThanOrEqual(2);
    expect(sample(metrics, 'presence_webhook_pending_events')).toBe(0);
    expect((await request(app.url).get('/ready')).body).toMatchObject({ components: { webhooks: { status: 'up' } } });
  });

  it('drops events older than WEBHOOK_MAX_AGE_MS unsent and counts them', async () => {
    const clock = new FakeClock();
    await start({ WEBHOOK_MAX_AGE_MS: '1000' }, clock);
    receiver.mode = 'fail';
    const socket = await connect(app.url);
    await emit(socket, 'userOnline', { userId: 'stale' });
    await receiver.waitFor((r) => r.attempts >= 2, 10_000);
    // The outbox ages by the service's clock.
    clock.advance(1_001);
    receiver.mode = 'ok';
    const other = await connect(app.url);
    await emit(other, 'userOnline', { userId: 'fresh' });
    await receiver.waitFor((r) => r.events().some((e) => e['userId'] === 'fresh'), 20_000);
    expect(receiver.events().map((e) => e['userId'] ?? e['type'])).toEqual(['fresh']);
    const metrics = (await request(app.url).get('/metrics')).text;
    expect(sample(metrics, 'presence_webhook_dropped_events_total')).toBe(2);
  });

  it('refuses to start without a secret of 32 bytes, saying why', async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    await expect(buildTestApp({ WEBHOOK_URLS: receiver.url })).rejects.toThrow(/WEBHOOK_SECRET: must be set/);
    await expect(buildTestApp({ WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET: 'short' })).rejects.toThrow(/at least 32 bytes/);
    app = await buildTestApp();
  });
});
