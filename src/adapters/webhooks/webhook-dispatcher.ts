import type { ComponentHealth, HealthCheck } from '../../application/health-check';
import { WebhookOutbox } from '../../application/webhook-outbox';
import type { TransitionConsumer } from '../../domain/ports/transition-feed.port';
import type { CommittedTransition } from '../../domain/presence.events';
import { streamEventOf } from '../presence-events/presence-event-of';
import type { PresenceReset } from '../../protocol/presence-events';
import { WebhookEndpoint, type WebhookObserver, type WebhookSettings } from './webhook-endpoint';

export interface WebhookDispatchSettings extends WebhookSettings {
  readonly urls: readonly string[];
  /** Events older than this are dropped and counted: WEBHOOK_MAX_AGE_MS. */
  readonly maxAgeMs: number;
  /** The most events the outbox holds: past it, the oldest are dropped and counted, so a dead endpoint cannot fill memory. */
  readonly maxPending: number;
}

export interface WebhookDispatchObserver extends WebhookObserver {
  dropped(events: number): void;
}

/**
 * CONTRACT §10's webhooks from this node: every transition it delivers goes into an outbox in memory, with its
 * tenant, and out to each endpoint in batches. One node only (the in-memory store): on a cluster, every node would
 * deliver, so the configuration refuses webhooks with Redis until the outbox there is shared.
 */
export class WebhookDispatcher implements TransitionConsumer {
  private readonly outbox = new WebhookOutbox();
  private readonly endpoints: WebhookEndpoint[];

  constructor(
    private readonly settings: WebhookDispatchSettings,
    private readonly observer: WebhookDispatchObserver,
    private readonly now: () => number,
  ) {
    this.endpoints = settings.urls.map((url) => new WebhookEndpoint(url, this.outbox, settings, observer, () => this.release()));
  }

  /** The node starts, current to `seq`; an in-memory store starts empty, so receivers are told every user is gone. */
  startAt(seq: number, startedEmpty: boolean): void {
    if (startedEmpty) {
      const reset: PresenceReset = { type: 'reset', seq };
      this.outbox.append({ seq, at: this.now(), event: reset });
    }
    for (const endpoint of this.endpoints) endpoint.start();
  }

  stop(): void {
    for (const endpoint of this.endpoints) endpoint.stop();
  }

  deliver(transition: CommittedTransition): void {
    const event = { ...streamEventOf(transition), ...(transition.tenant === undefined ? {} : { tenant: transition.tenant }) };
    this.outbox.append({ seq: transition.seq, at: this.now(), event });
    if (this.outbox.size > this.settings.maxPending) this.release();
  }

  missedBefore(): void {}

  /** Events waiting for the endpoint furthest behind. */
  get pending(): number {
    return Math.max(0, ...this.endpoints.map((e) => this.outbox.countAfter(e.cursor)));
  }

  /** How old the oldest event not yet acknowledged by every endpoint is, in ms (0: none). */
  get lagMs(): number {
    const oldest = Math.min(...this.endpoints.map((e) => this.outbox.oldestAfter(e.cursor)?.at ?? Number.POSITIVE_INFINITY));
    return Number.isFinite(oldest) ? Math.max(0, this.now() - oldest) : 0;
  }

  readonly health: HealthCheck = {
    check: (): Promise<ComponentHealth> => {
      const failing = this.endpoints.filter((e) => e.failing).length;
      return Promise.resolve(failing === 0 ? { status: 'up' } : { status: 'degraded', detail: `${failing} webhook endpoint(s) failing` });
    },
  };

  private release(): void {
    const acknowledged = Math.min(...this.endpoints.map((e) => e.cursor));
    let dropped = this.outbox.release(acknowledged, this.now() - this.settings.maxAgeMs);
    const over = this.outbox.size - this.settings.maxPending;
    if (over > 0) dropped += this.outbox.dropOldest(over);
    if (dropped > 0) this.observer.dropped(dropped);
  }
}
