import { Registry } from 'prom-client';
import { SocketEventTally } from '../../../../src/adapters/metrics/socket-event-tally';

async function exposition(tally: SocketEventTally): Promise<string[]> {
  const registry = new Registry();
  tally.counter('events_total', 'Events.').registerIn(registry);
  tally.histogram('event_seconds', 'Durations.').registerIn(registry);
  return (await registry.metrics()).split('\n');
}

describe('SocketEventTally', () => {
  it('counts each event by result, as a Prometheus counter', async () => {
    const tally = new SocketEventTally([0.01, 0.1]);
    tally.record('userHeartbeat', 'ok', 0.001);
    tally.record('userHeartbeat', 'ok', 0.001);
    tally.record('userHeartbeat', 'forbidden', 0.001);
    tally.record('userOnline', 'ok', 0.001);
    const lines = await exposition(tally);
    expect(lines).toEqual(
      expect.arrayContaining([
        '# TYPE events_total counter',
        'events_total{event="userHeartbeat",result="ok"} 2',
        'events_total{event="userHeartbeat",result="forbidden"} 1',
        'events_total{event="userOnline",result="ok"} 1',
      ]),
    );
  });

  it('puts each duration in the first bucket whose bound holds it, cumulatively, with +Inf, sum and count', async () => {
    const tally = new SocketEventTally([0.01, 0.1]);
    for (const seconds of [0.005, 0.01, 0.05, 0.5]) tally.record('userOnline', 'ok', seconds);
    const lines = await exposition(tally);
    expect(lines).toEqual(
      expect.arrayContaining([
        '# TYPE event_seconds histogram',
        'event_seconds_bucket{le="0.01",event="userOnline"} 2',
        'event_seconds_bucket{le="0.1",event="userOnline"} 3',
        'event_seconds_bucket{le="+Inf",event="userOnline"} 4',
        'event_seconds_sum{event="userOnline"} 0.565',
        'event_seconds_count{event="userOnline"} 4',
      ]),
    );
  });

  it('keeps its counts when the registry is reset: they live as long as the process', async () => {
    const tally = new SocketEventTally([1]);
    const registry = new Registry();
    tally.counter('events_total', 'Events.').registerIn(registry);
    tally.record('userOnline', 'ok', 0);
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('events_total{event="userOnline",result="ok"} 1');
  });
});
