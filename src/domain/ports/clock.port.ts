import type { Instant } from '../presence.types';

export interface Clock {
  now(): Instant;
}
