import type { LocalWebhookFeed } from '../../application/local-webhook-feed';
import type { TransitionConsumer } from '../../domain/ports/transition-feed.port';
import type { CommittedTransition } from '../../domain/presence.events';
import type { PresenceReset } from '../../protocol/presence-events';
import { webhookEventOf } from '../presence-events/presence-event-of';

/** What goes into a node's own outbox (an in-memory store): each transition it delivers, as a webhook's event. */
export class OutboxIntake implements TransitionConsumer {
  constructor(
    private readonly feed: LocalWebhookFeed,
    private readonly now: () => number,
  ) {}

  /** The in-memory store starts empty at `seq`: receivers are told every user they knew of is gone. */
  reset(seq: number): void {
    const reset: PresenceReset = { type: 'reset', seq };
    this.feed.append({ seq, at: this.now(), event: reset });
  }

  deliver(transition: CommittedTransition): void {
    this.feed.append({ seq: transition.seq, at: this.now(), event: webhookEventOf(transition) });
  }

  missedBefore(): void {}
}
