import type { Clock } from '../../domain/ports/clock.port';
import type { Instant } from '../../domain/presence.types';

export class SystemClock implements Clock {
  now(): Instant {
    return Date.now();
  }
}
