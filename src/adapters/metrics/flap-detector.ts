import type { Instant, UserKey } from '../../domain/presence.types';

/** Tells whether a user coming online went offline less than `windowMs` ago. Holds only the last window's users. */
export class FlapDetector {
  /** Users by the time they went offline; a Map keeps insertion order, so the oldest are first. */
  private readonly wentOffline = new Map<UserKey, Instant>();

  constructor(private readonly windowMs: number) {}

  offline(key: UserKey, now: Instant): void {
    this.forgetBefore(now - this.windowMs);
    this.wentOffline.delete(key);
    this.wentOffline.set(key, now);
  }

  /** True when this online undoes an offline of the window. */
  online(key: UserKey, now: Instant): boolean {
    this.forgetBefore(now - this.windowMs);
    const at = this.wentOffline.get(key);
    this.wentOffline.delete(key);
    return at !== undefined;
  }

  private forgetBefore(oldest: Instant): void {
    for (const [key, at] of this.wentOffline) {
      if (at >= oldest) return;
      this.wentOffline.delete(key);
    }
  }
}
