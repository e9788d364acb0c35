import { buildTestApp, type TestApp } from '../../support/build-test-app';
import { get } from '../../support/http-client';
import { sample, sumOf } from '../../support/metrics-text';
import { promtoolCheckMetrics } from '../../support/promtool';
import { closeAllSockets, connect, request } from '../../support/socket-client';

describe('GET /metrics read by Prometheus', () => {
  let app: TestApp;

  beforeEach(async () => {
    // A TTL far longer than the test: no connection may expire while it runs.
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000' });
  });

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  /** Users online with 1, 2 and 3 connections, and some HTTP traffic, so that labelled series exist. */
  async function someTraffic(): Promise<void> {
    for (const [userId, connections] of [['alice', 1], ['bob', 2], ['carol', 3]] as const) {
      for (let i = 0; i < connections; i++) await request(await connect(app.url), 'userOnline', { userId });
    }
    await get(app.url, '/presence/{userId}', '/presence/alice');
    await get(app.url, '/presence/{userId}', '/presence/nobody');
  }

  it('passes `promtool check metrics` as a whole, prom-client default metrics included', async () => {
    await someTraffic();
    const text = (await get(app.url, '/metrics', '/metrics')).text;
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect(await promtoolCheckMetrics(text)).toEqual({ exitCode: 0, output: '' });
  });

  it("exports prom-client's `_total` gauges as `nodejs_active_*_all`, with prom-client's values", async () => {
    await someTraffic();
    const text = (await get(app.url, '/metrics', '/metrics')).text;
    for (const kind of ['handles', 'requests', 'resources']) {
      expect(text).not.toContain(`nodejs_active_${kind}_total`);
      expect(text).toContain(`# TYPE nodejs_active_${kind}_all gauge`);
    }
    // Both come from one call of the same Node API in one scrape: the total is the sum of the breakdown by type.
    expect(sample(text, 'nodejs_active_resources_all')).toBe(sumOf(text, 'nodejs_active_resources'));
    // The breakdown by type leaves out handles without a constructor; the socket pairs of this test are counted in both.
    expect(sumOf(text, 'nodejs_active_handles')).toBeGreaterThanOrEqual(12);
    expect(sample(text, 'nodejs_active_handles_all')).toBeGreaterThanOrEqual(sumOf(text, 'nodejs_active_handles'));
  });
});
