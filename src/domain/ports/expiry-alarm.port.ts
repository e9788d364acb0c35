import type { Instant } from '../presence.types';

/**
 * Hears of the next deadline (a connection's expiry or going idle) of each user a commit leaves online, so that the
 * sweep can run when it comes rather than at its next interval. Most are later than the sweep already planned
 * (a heartbeat moves a deadline later): hearing one costs a comparison.
 */
export interface ExpiryAlarm {
  dueAt(at: Instant): void;
}
