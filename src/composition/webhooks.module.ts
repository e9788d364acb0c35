import type { Container } from 'inversify';
import { WebhookDispatcher } from '../adapters/webhooks/webhook-dispatcher';
import type { Config } from '../config';
import { TOKENS } from '../tokens';

/** The longest wait between two attempts of a failing batch. */
const MAX_BACKOFF_MS = 60_000;
/** The most events the in-memory outbox holds for endpoints that are behind (about 300 MB at its fullest). */
const MAX_PENDING_EVENTS = 1_000_000;

/** CONTRACT §10's webhooks, when `WEBHOOK_URLS` names endpoints: null otherwise. */
export function bindWebhooks(c: Container, config: Config): void {
  c.bind(TOKENS.Webhooks).toDynamicValue((ctx) => {
    if (config.webhooks === null) return null;
    const metrics = ctx.get(TOKENS.Metrics);
    const clock = ctx.get(TOKENS.Clock);
    return new WebhookDispatcher(
      { ...config.webhooks, maxBackoffMs: MAX_BACKOFF_MS, maxPending: MAX_PENDING_EVENTS },
      {
        attempted: (result) => metrics.webhookDeliveries.inc({ result }),
        dropped: (events) => metrics.webhookDropped.inc(events),
      },
      () => clock.now(),
    );
  });
}
