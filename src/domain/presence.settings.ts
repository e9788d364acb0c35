import type { Instant } from './presence.types';

export interface PresenceSettings {
  /** A live connection with no userOnline/userHeartbeat for this long is stale. */
  readonly ttlMs: Instant;
  /** A connection that reported activity and then nothing active for this long is idle (CONTRACT §8). */
  readonly idleMs: Instant;
  /** How long a dropped connection keeps its user online, so that a reload does not flap. */
  readonly disconnectGraceMs: Instant;
  /** Publish a heartbeat event on every heartbeat of an online user (the original backend's behaviour). */
  readonly broadcastHeartbeats: boolean;
  /** How many users one store round trip of a sweep may expire. */
  readonly sweepBatchSize: number;
  /** The node this service runs on: it never recovers itself. */
  readonly nodeId: string;
  /** How long a node that recovers a lost node may take before another may take the job over. */
  readonly nodeRecoveryClaimMs: number;
}
