/** One event of CONTRACT §10's webhooks, as an outbox holds it. */
export interface OutboxEvent {
  readonly seq: number;
  /** When it was appended (ms since the epoch): past the maximum age it is dropped. */
  readonly at: number;
  readonly event: object;
}

/**
 * Where an endpoint's batches come from, and where its acknowledgements go: the outbox of CONTRACT §10, in memory
 * (with a PostgreSQL journal or not) or Redis's transitions stream. An endpoint is named by a key of its URL.
 */
export interface WebhookFeed {
  /** Starts reading: an endpoint never heard of starts at the outbox's end (what is already there is not sent). */
  start(endpoints: readonly string[]): Promise<void>;
  stop(): Promise<void>;
  /**
   * Up to `max` events the endpoint has not acknowledged, in seq order (events too old, or lost to the outbox's
   * bound, are dropped and counted on the way); `undefined` while another node delivers them.
   */
  next(endpoint: string, max: number): Promise<readonly OutboxEvent[] | undefined>;
  /** The endpoint took every event up to and including `seq`. */
  acknowledge(endpoint: string, seq: number): Promise<void>;
  /** Events waiting for the endpoint furthest behind (0 where another node delivers). */
  readonly pending: number;
  /** How old the oldest event some endpoint has not acknowledged is, in ms (0: none). */
  readonly lagMs: number;
  /** Why nothing can be sent now, if so: `/ready` says webhooks are degraded. */
  readonly problem: string | undefined;
}
