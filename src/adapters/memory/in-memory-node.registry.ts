import type { NodeRegistry } from '../../domain/ports/node-registry.port';
import type { Instant } from '../../domain/presence.types';

/** Node leases in this process: for one node, where no other node can be lost, and for domain tests. */
export class InMemoryNodeRegistry implements NodeRegistry {
  private readonly leases = new Map<string, Instant>();

  renew(nodeId: string, until: Instant): Promise<void> {
    this.leases.set(nodeId, until);
    return Promise.resolve();
  }

  claimLapsed(now: Instant, claimUntil: Instant, limit: number): Promise<string[]> {
    const lapsed = [...this.leases].filter(([, until]) => until <= now).slice(0, limit).map(([id]) => id);
    for (const id of lapsed) this.leases.set(id, claimUntil);
    return Promise.resolve(lapsed);
  }

  forget(nodeId: string): Promise<void> {
    this.leases.delete(nodeId);
    return Promise.resolve();
  }
}
