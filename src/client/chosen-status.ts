/**
 * What the user chose with `setStatus` (CONTRACT §8), kept by the client so that a fresh online period on the
 * service (after a restart, or offline longer than the disconnect grace) does not silently drop it.
 */
import type { Refusal, UserStatusSetPayload, WireAvailability } from '../protocol/socket-events';

/** What the service shows a user as, from a `userStatusSet` ack. */
export interface ShownStatus {
  readonly availability: WireAvailability;
  readonly statusText: string | null;
}

/** A `userStatusSet` refused by the service: the ack's `{ code, message }`, as an Error. */
export class PresenceRefusal extends Error implements Refusal {
  readonly code: Refusal['code'];

  constructor(refusal: Refusal) {
    super(refusal.message);
    this.name = 'PresenceRefusal';
    this.code = refusal.code;
  }
}

/** Sends a `userStatusSet` and resolves with what the service shows, or rejects with its refusal. */
export type StatusSender = (choice: UserStatusSetPayload) => Promise<ShownStatus>;

const NOTHING_CHOSEN: ShownStatus = { availability: 'available', statusText: null };

const isNothing = (status: ShownStatus): boolean => status.availability === 'available' && status.statusText === null;

export class ChosenStatus {
  private chosen: ShownStatus = NOTHING_CHOSEN;

  get current(): ShownStatus {
    return this.chosen;
  }

  /** A choice the service accepted. Fields left out keep what was chosen before, as on the service. */
  record(choice: Pick<UserStatusSetPayload, 'availability' | 'statusText'>): void {
    this.chosen = {
      availability: choice.availability ?? this.chosen.availability,
      statusText: choice.statusText !== undefined ? choice.statusText : this.chosen.statusText,
    };
  }

  /**
   * After a (re)connect, once online: asks what the service shows (a `userStatusSet` with no field changes nothing
   * and acks it), and re-applies the choice only when the service shows nothing chosen, which is how a fresh online
   * period starts. Asked right after `userOnline`, the answer is the choice itself: the new connection has reported
   * no idleness, so the user is not `away` by idleness. When the service shows another choice (this one, kept over a
   * reconnect within the grace, or one made meanwhile on another connection of the user), that one is kept.
   * Nothing is sent when nothing was chosen.
   */
  async restore(send: StatusSender): Promise<void> {
    if (isNothing(this.chosen)) return;
    const shown = await send({});
    if (isNothing(shown)) await send({ availability: this.chosen.availability, statusText: this.chosen.statusText });
    else this.chosen = shown;
  }
}
