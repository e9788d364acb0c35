import type { Clock } from '../../src/domain/ports/clock.port';
import type { Instant } from '../../src/domain/presence.types';

/** A clock that moves only when a test moves it. */
export class FakeClock implements Clock {
  constructor(private current: Instant = Date.UTC(2026, 10, 27, 20, 0, 0)) {}

  now(): Instant {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
