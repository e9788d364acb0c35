import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WriteBehindObserver } from '../../application/last-seen-write-behind';
import { CONNECTION_BUCKETS, type UsersByConnections } from '../../domain/connection-buckets';
import { registerDefaultMetrics } from './default-metrics';
import { SocketEventTally } from './socket-event-tally';
import { availabilities, type UsersByAvailability } from '../../domain/availability';

/** What the metrics read at scrape time instead of counting as things happen. */
export interface MetricsSources {
  countOnline(): Promise<number>;
  /** How many tenants have a user online (0 with tenants off). */
  countTenants(): Promise<number>;
  openConnections(): number;
  usersByConnections(): Promise<UsersByConnections>;
  usersByAvailability(): Promise<UsersByAvailability>;
  /** Consumers of `GET /presence-events` on this process (CONTRACT §10). */
  eventStreamClients(): number;
  /** Webhook events waiting for the endpoint furthest behind, and the age of the oldest of them (s); 0 without webhooks. */
  webhookPending(): number;
  webhookLagSeconds(): number;
}

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * Every metric of the contract, in a registry of its own (one per container, so tests never share state).
 * Labels are bounded: event names, results, reasons, route templates; never a user id.
 */
export class PresenceMetrics {
  readonly registry = new Registry();

  readonly statusChanges = new Counter({
    name: 'presence_status_changes_total',
    help: 'User transitions broadcast, by status and reason.',
    labelNames: ['status', 'reason'] as const,
    registers: [this.registry],
  });

  readonly availabilityChanges = new Counter({
    name: 'presence_availability_changes_total',
    help: 'Changes of an online user’s availability or status text (CONTRACT §8), by the availability after and reason.',
    labelNames: ['availability', 'reason'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'presence_webhook_deliveries_total',
    help: 'Webhook batch attempts (CONTRACT §10), by result: ok (a 2xx), error (another answer, or none), timeout.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly webhookDropped = new Counter({
    name: 'presence_webhook_dropped_events_total',
    help: 'Webhook events dropped unsent: older than WEBHOOK_MAX_AGE_MS, or over what the outbox holds.',
    registers: [this.registry],
  });

  readonly sweepDuration = new Histogram({
    name: 'presence_sweep_duration_seconds',
    help: 'Time one expiry sweep took.',
    buckets: latencyBuckets,
    registers: [this.registry],
  });

  readonly sweepLag = new Histogram({
    name: 'presence_sweep_lag_seconds',
    help: 'How late a sweep started against its schedule (event-loop delay shows here).',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly expiriesDeferred = new Counter({
    name: 'presence_expiries_deferred_total',
    help: 'Users whose expiry a sweep put off because this node had stalled (each deadline counted once): their heartbeats may have been unread.',
    registers: [this.registry],
  });

  readonly stallAllowance = new Gauge({
    name: 'presence_stall_allowance_seconds',
    help: 'How long this node stalled lately (event loop saturated or held up), as of the latest sweep: deadlines within it wait.',
    registers: [this.registry],
  });

  readonly persistFlushes = new Counter({
    name: 'presence_persist_flushes_total',
    help: 'last_seen flushes to the database, by result.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly persistSkipped = new Counter({
    name: 'presence_persist_skipped_total',
    help: 'last_seen writes skipped because the user has no sys_user row.',
    registers: [this.registry],
  });

  readonly persistReads = new Counter({
    name: 'presence_persist_reads_total',
    help: 'Read-backs of offline users\' last_seen from the database, by result: ok, timeout (PERSIST_READ_TIMEOUT_MS), error.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly frames = new Counter({
    name: 'presence_frames_total',
    help: 'Presence messages written to connections, by event: one per receiving connection.',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  /** How the socket side reports the frames it writes. */
  readonly frameCounter = { frames: (event: string, connections: number) => this.frames.inc({ event }, connections) };

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: latencyBuckets,
    registers: [this.registry],
  });

  readonly offlineDelay = new Histogram({
    name: 'presence_offline_delay_seconds',
    help: "From a user's last sign of life to its offline broadcast, by reason.",
    labelNames: ['reason'] as const,
    buckets: [0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 90, 120, 300],
    registers: [this.registry],
  });

  readonly slowConsumers = new Counter({
    name: 'presence_slow_consumers_disconnected_total',
    help: 'Connections disconnected for not reading what they were sent (unsent output over PRESENCE_MAX_BUFFERED_BYTES).',
    registers: [this.registry],
  });

  /** How the output guard reports a connection it cut off. */
  slowConsumerDisconnected(): void {
    this.slowConsumers.inc();
  }

  readonly flaps = new Counter({
    name: 'presence_flaps_total',
    help: 'Users that went offline and came back online within a minute.',
    registers: [this.registry],
  });

  /** Socket events by event and result, and how long each took: see `SocketEventTally`. */
  private readonly socketEvents = new SocketEventTally(latencyBuckets);

  /** Counts one socket event, its result (`ok` or the refusal code in lower case) and its duration. */
  eventHandled(event: string, result: string, seconds: number): void {
    this.socketEvents.record(event, result, seconds);
  }

  /** How the write-behind reports to these metrics. */
  readonly persistence: WriteBehindObserver = {
    flushed: (result) => this.persistFlushes.inc({ result }),
    skipped: (users) => this.persistSkipped.inc(users),
    read: (result) => this.persistReads.inc({ result }),
    pending: (users) => {
      this.persistPending = users;
    },
  };

  /** last_seen writes waiting for the next flush, as the write-behind last told. */
  private persistPending = 0;

  /** `version`: the package's, reported as `presence_build_info{version}`. */
  constructor(sources: MetricsSources, build: { readonly version: string }) {
    registerDefaultMetrics(this.registry);
    new Gauge({
      name: 'presence_build_info',
      help: 'The version running, as a label; the value is always 1.',
      labelNames: ['version'] as const,
      registers: [this.registry],
    }).set({ version: build.version }, 1);
    this.socketEvents
      .counter('presence_events_total', 'Socket events received, by event and result (ok, the refusal code in lower case, or dropped).')
      .registerIn(this.registry);
    this.socketEvents
      .histogram('presence_event_duration_seconds', 'Time to handle one socket event, from receipt to answer.')
      .registerIn(this.registry);

    this.readAtScrape('presence_persist_pending', 'last_seen writes waiting for the next flush (at most one per user).', () => this.persistPending);

    this.readFromStore('presence_online_users', 'Users online now.', () => sources.countOnline());
    this.readFromStore('presence_tenants_online', 'Tenants with at least one user online (CONTRACT §9; 0 with tenants off).', () =>
      sources.countTenants(),
    );

    this.readAtScrape('presence_connections', 'Open authenticated sockets on this process.', () => sources.openConnections());
    this.readAtScrape('presence_webhook_pending_events', 'Webhook events not yet acknowledged by the endpoint furthest behind.', () =>
      sources.webhookPending(),
    );
    this.readAtScrape('presence_webhook_lag_seconds', 'Age of the oldest webhook event not yet acknowledged by every endpoint (0: none).', () =>
      sources.webhookLagSeconds(),
    );
    this.readAtScrape('presence_event_stream_clients', 'Open GET /presence-events streams on this process (CONTRACT §10).', () =>
      sources.eventStreamClients(),
    );

    // Gauges, not a histogram: a histogram rebuilt at each scrape has a `_count` that falls as users leave, which
    // Prometheus reads as a counter reset.
    this.tallyFromStore('presence_users_by_connections', 'Online users by how many connections hold them online (1, 2, 3-5, 6-10, more), at scrape time.', 'connections', CONNECTION_BUCKETS, () => sources.usersByConnections());
    this.tallyFromStore('presence_users', 'Online users by availability (CONTRACT §8), at scrape time.', 'availability', availabilities, () =>
      sources.usersByAvailability(),
    );
  }

  /** A gauge the store answers when scraped; while the store is unreachable the last value stays, so that every other metric is still scraped. */
  private readFromStore(name: string, help: string, read: () => Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        const value = await read().catch(() => undefined);
        if (value !== undefined) this.set(value);
      },
    });
  }

  /** A gauge per bucket the store counts when scraped, every bucket always reported; the last values stay while it cannot answer. */
  private tallyFromStore<K extends string>(name: string, help: string, label: string, buckets: readonly K[], read: () => Promise<Record<K, number>>): void {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      async collect() {
        const tally = await read().catch(() => undefined);
        if (tally === undefined) return;
        for (const bucket of buckets) this.set({ [label]: bucket }, tally[bucket]);
      },
    });
  }

  /** A gauge whose value is read when scraped. */
  private readAtScrape(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}
