import type { Container } from 'inversify';
import { InMemoryNodeRegistry } from '../adapters/memory/in-memory-node.registry';
import { InMemoryPresenceStore } from '../adapters/memory/in-memory-presence.store';
import { inProcessHealth } from '../application/health-check';
import { TransitionFanout } from '../application/transition-fanout';
import type { PresenceStore } from '../domain/ports/presence-store.port';
import type { TransitionSink } from '../domain/ports/transition-feed.port';
import { TOKENS } from '../tokens';

/** A store made for a test (one that fails on demand): it hands its transitions to `sink`, numbered after `firstSeq`. */
export type StoreFactory = (sink: TransitionSink, firstSeq: number) => PresenceStore;

const inMemoryStore: StoreFactory = (sink, firstSeq) => new InMemoryPresenceStore(sink, firstSeq);

/**
 * One process: presence in memory, which hands each transition to the delivery path as it commits it. Numbering
 * starts at the node's start time in microseconds, so that seq only grows across restarts (unless a node made
 * more than a million transitions a second on average) and no replay reaches back past one.
 */
export function bindMemoryStore(c: Container, makeStore: StoreFactory = inMemoryStore): void {
  c.bind(TOKENS.Delivery).toDynamicValue((ctx) => new TransitionFanout(ctx.get(TOKENS.Clock).now() * 1_000));
  c.bind(TOKENS.PresenceStore).toDynamicValue((ctx) => makeStore(ctx.get(TOKENS.Delivery), ctx.get(TOKENS.Delivery).lastSeq));
  c.bind(TOKENS.NodeRegistry).toDynamicValue(() => new InMemoryNodeRegistry());
  c.bind(TOKENS.StoreHealth).toConstantValue(inProcessHealth);
  c.bind(TOKENS.SocketAdapter).toConstantValue(null);
  c.bind(TOKENS.StoreLifecycle).toDynamicValue((ctx) => {
    const hub = ctx.get(TOKENS.SubscriptionHub);
    const delivery = ctx.get(TOKENS.Delivery);
    const stream = ctx.get(TOKENS.EventStreamHub);
    const seed = () => {
      hub.seed([], delivery.lastSeq);
      stream.startAt(delivery.lastSeq);
    };
    return [{ name: 'presence seed', start: seed, stop: () => undefined }];
  });
}
