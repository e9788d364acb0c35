import type { WebhookFeed } from '../../application/webhook-feed';
import { signatureOf } from './webhook-signature';

export interface WebhookSettings {
  readonly secret: string;
  /** A batch at most this often: WEBHOOK_BATCH_MS. */
  readonly batchMs: number;
  /** Events in one batch at most: WEBHOOK_BATCH_MAX. */
  readonly batchMax: number;
  /** An attempt with no answer within this is a failure: WEBHOOK_TIMEOUT_MS. */
  readonly timeoutMs: number;
  /** The longest wait between two attempts of a failing batch. */
  readonly maxBackoffMs: number;
  /** A number in [0, 1): the jitter source, replaceable in tests. */
  readonly random?: () => number;
}

/** What an endpoint's deliveries come to: the metrics count it. */
export interface WebhookObserver {
  attempted(result: 'ok' | 'error' | 'timeout', events: number): void;
  /** The outbox could not be read or written (Redis or the database is unreachable): tried again next interval. */
  feedFailed(error: unknown): void;
}

/**
 * One receiver of CONTRACT §10's webhooks: batches of the events it has not acknowledged, in seq order, each
 * attempt signed with a fresh timestamp. A 2xx acknowledges the batch; anything else, or no answer in time, is
 * tried again after an exponential backoff with jitter, the same events first, so the order is kept.
 */
export class WebhookEndpoint {
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: AbortController | undefined;
  private attempting: Promise<void> | undefined;
  private stopped = false;

  constructor(
    readonly url: string,
    /** The endpoint's name in the outbox: a key of its URL, which may hold credentials. */
    readonly key: string,
    private readonly feed: WebhookFeed,
    private readonly settings: WebhookSettings,
    private readonly observer: WebhookObserver,
  ) {}

  /** Whether its last attempt failed: `/ready` says webhooks are degraded. */
  get failing(): boolean {
    return this.failures > 0;
  }

  start(): void {
    this.schedule(this.settings.batchMs);
  }

  /** Stops, and waits for an attempt under way to end (its POST aborted): none starts after this. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.inFlight?.abort();
    await this.attempting;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.attempting = this.attempt().finally(() => (this.attempting = undefined));
    }, ms);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    try {
      const batch = await this.feed.next(this.key, this.settings.batchMax);
      // Stopped while the batch was read: a node shutting down sends nothing more (the next holder sends it).
      if (this.stopped) return;
      // Nothing to send, or another node of the cluster sends it.
      if (batch === undefined || batch.length === 0) {
        if (batch === undefined) this.failures = 0;
        this.schedule(this.settings.batchMs);
        return;
      }
      const result = await this.post(JSON.stringify({ events: batch.map((e) => e.event) }));
      this.observer.attempted(result, batch.length);
      if (result === 'ok') {
        this.failures = 0;
        await this.feed.acknowledge(this.key, (batch[batch.length - 1] as { seq: number }).seq);
      } else this.failures += 1;
      this.schedule(result === 'ok' ? this.settings.batchMs : this.backoffMs());
    } catch (error) {
      this.observer.feedFailed(error);
      this.schedule(this.settings.batchMs);
    }
  }

  private async post(body: string): Promise<'ok' | 'error' | 'timeout'> {
    const controller = new AbortController();
    this.inFlight = controller;
    const timer = setTimeout(() => controller.abort(), this.settings.timeoutMs);
    const timestamp = String(Math.floor(Date.now() / 1_000));
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-presence-timestamp': timestamp,
          'x-presence-signature': signatureOf(this.settings.secret, timestamp, body),
        },
        body,
        signal: controller.signal,
      });
      // The body is not needed, but its stream must be let go of.
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300 ? 'ok' : 'error';
    } catch {
      return controller.signal.aborted ? 'timeout' : 'error';
    } finally {
      clearTimeout(timer);
      this.inFlight = undefined;
    }
  }

  /** About the batch interval doubled per failure, up to the most, with jitter so that endpoints do not retry in step. */
  private backoffMs(): number {
    const { batchMs, maxBackoffMs, random = Math.random } = this.settings;
    const base = Math.min(maxBackoffMs, batchMs * 2 ** Math.min(this.failures - 1, 20));
    return Math.round(base * (0.5 + random() / 2));
  }
}
