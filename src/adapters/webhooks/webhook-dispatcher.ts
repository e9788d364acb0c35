import { createHash } from 'node:crypto';
import type { ComponentHealth, HealthCheck } from '../../application/health-check';
import type { WebhookFeed } from '../../application/webhook-feed';
import { WebhookEndpoint, type WebhookObserver, type WebhookSettings } from './webhook-endpoint';

export interface WebhookDispatchSettings extends WebhookSettings {
  readonly urls: readonly string[];
}

/** An endpoint's name in an outbox: its URL may hold credentials, which no key, table or log should. */
export function endpointKeyOf(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 32);
}

/**
 * CONTRACT §10's webhooks: each endpoint takes its batches from the outbox (`feed`), which on Redis gives them to
 * one node of the cluster only.
 */
export class WebhookDispatcher {
  private readonly endpoints: WebhookEndpoint[];

  constructor(
    settings: WebhookDispatchSettings,
    private readonly feed: WebhookFeed,
    observer: WebhookObserver,
  ) {
    this.endpoints = settings.urls.map((url) => new WebhookEndpoint(url, endpointKeyOf(url), feed, settings, observer));
  }

  async start(): Promise<void> {
    await this.feed.start(this.endpoints.map((e) => e.key));
    for (const endpoint of this.endpoints) endpoint.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.endpoints.map((endpoint) => endpoint.stop()));
    await this.feed.stop();
  }

  /** Events waiting for the endpoint furthest behind. */
  get pending(): number {
    return this.feed.pending;
  }

  /** How old the oldest event not yet acknowledged by every endpoint is, in ms (0: none). */
  get lagMs(): number {
    return this.feed.lagMs;
  }

  readonly health: HealthCheck = {
    check: (): Promise<ComponentHealth> => {
      const failing = this.endpoints.filter((e) => e.failing).length;
      const { problem } = this.feed;
      if (problem !== undefined) return Promise.resolve({ status: 'degraded', detail: problem });
      return Promise.resolve(failing === 0 ? { status: 'up' } : { status: 'degraded', detail: `${failing} webhook endpoint(s) failing` });
    },
  };
}
