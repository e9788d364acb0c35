import type { Instant } from '../presence.types';

/**
 * The nodes of the service and their leases. A node renews its lease while it lives; connections hang on their
 * node's lease as well as on their heartbeats, so a node that dies is noticed when its lease lapses.
 */
export interface NodeRegistry {
  /** Extends the node's lease to `until`. */
  renew(nodeId: string, until: Instant): Promise<void>;
  /**
   * Nodes whose lease lapsed at or before `now`, at most `limit`. Each is claimed until `claimUntil`, so that one node
   * recovers it; if that node dies too, the claim lapses and another node takes it over.
   */
  claimLapsed(now: Instant, claimUntil: Instant, limit: number): Promise<string[]>;
  /** Forgets a node: once its connections are recovered, or when it stops cleanly. */
  forget(nodeId: string): Promise<void>;
}
