import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/**
 * prom-client's gauges named like counters, and what they are exported as instead. Prometheus keeps `_total` for
 * counters (`promtool check metrics` rejects it on a gauge) and prom-client has no option to rename them; the plain
 * names, `nodejs_active_handles` and the like, are taken by prom-client's breakdowns by type.
 */
const RENAMED = [
  { from: 'nodejs_active_handles_total', to: 'nodejs_active_handles_all', help: 'Active libuv handles, of every type.' },
  { from: 'nodejs_active_requests_total', to: 'nodejs_active_requests_all', help: 'Active libuv requests, of every type.' },
  { from: 'nodejs_active_resources_total', to: 'nodejs_active_resources_all', help: 'Resources keeping the event loop alive, of every type.' },
] as const;

/** prom-client's default process metrics, each under a name Prometheus reads as its type. */
export function registerDefaultMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const { from, to, help } of RENAMED) {
    const original = registry.getSingleMetric(from);
    // prom-client registers none where this Node lacks the API behind it.
    if (original === undefined) continue;
    registry.removeSingleMetric(from);
    new Gauge({
      name: to,
      help,
      registers: [registry],
      // prom-client's own gauge still computes the value, out of the registry: its logic, under the new name.
      async collect() {
        const { values } = await original.get();
        this.reset();
        for (const { value } of values) this.set(value);
      },
    });
  }
}
