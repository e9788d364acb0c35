import type { Metric, Registry } from 'prom-client';

/** One sample as a prom-client registry prints it. */
interface Sample {
  readonly metricName?: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

/** One event name's counts: results as they come, durations in fixed buckets. */
interface EventCounts {
  readonly results: Map<string, number>;
  /** Per bucket, the observations at or under its bound (not cumulative); the last is +Inf. */
  readonly buckets: number[];
  sum: number;
  count: number;
}

/**
 * `presence_events_total` and `presence_event_duration_seconds`, counted in plain numbers and turned into
 * Prometheus samples only at scrape time. Socket events are the hottest path of the service: a prom-client
 * label lookup hashes and validates its labels on every call, which here costs more than handling a heartbeat.
 */
export class SocketEventTally {
  private readonly byEvent = new Map<string, EventCounts>();

  constructor(private readonly bounds: readonly number[]) {}

  /** Counts one event with its result, and its duration in seconds. */
  record(event: string, result: string, seconds: number): void {
    const counts = this.countsOf(event);
    counts.results.set(result, (counts.results.get(result) ?? 0) + 1);
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > (this.bounds[bucket] as number)) bucket += 1;
    counts.buckets[bucket] = (counts.buckets[bucket] as number) + 1;
    counts.sum += seconds;
    counts.count += 1;
  }

  /** The counter, for a prom-client registry. */
  counter(name: string, help: string): CollectedMetric {
    return new CollectedMetric(name, help, 'counter', () => {
      const values: Sample[] = [];
      for (const [event, counts] of this.byEvent) {
        for (const [result, value] of counts.results) values.push({ labels: { event, result }, value });
      }
      return values;
    });
  }

  /** The duration histogram, for a prom-client registry. */
  histogram(name: string, help: string): CollectedMetric {
    return new CollectedMetric(name, help, 'histogram', () => {
      const values: Sample[] = [];
      for (const [event, counts] of this.byEvent) {
        let cumulative = 0;
        counts.buckets.forEach((observed, i) => {
          cumulative += observed;
          const le = i < this.bounds.length ? (this.bounds[i] as number) : '+Inf';
          values.push({ metricName: `${name}_bucket`, labels: { le, event }, value: cumulative });
        });
        values.push({ metricName: `${name}_sum`, labels: { event }, value: counts.sum });
        values.push({ metricName: `${name}_count`, labels: { event }, value: counts.count });
      }
      return values;
    });
  }

  private countsOf(event: string): EventCounts {
    let counts = this.byEvent.get(event);
    if (counts === undefined) {
      counts = { results: new Map(), buckets: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.byEvent.set(event, counts);
    }
    return counts;
  }
}

/** A metric whose samples are computed when scraped: what a prom-client registry needs of a metric. */
export class CollectedMetric {
  readonly aggregator = 'sum' as const;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    private readonly samples: () => Sample[],
  ) {}

  get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.samples() };
  }

  /** prom-client's registry takes any object with a name and `get()`; its typings want a subclass of its own. */
  registerIn(registry: Registry): void {
    registry.registerMetric(this as unknown as Metric);
  }

  reset(): void {
    // Counts live as long as the process: a registry reset does not rewind them.
  }
}
