import type { PresenceEvent } from '../presence.events';

/** Tells the clients about presence events. Delivery is the adapter's business; publishing never fails. */
export interface PresenceNotifier {
  publish(event: PresenceEvent): void;
}
