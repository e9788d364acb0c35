import type { Instant } from '../../domain/presence.types';

/** An instant as every surface tells it: ISO 8601 UTC with milliseconds (CONTRACT §1). */
export const isoOf = (instant: Instant): string => new Date(instant).toISOString();

/** An instant that may be unknown (an offline user's last activity, a `lastSeen` that could not be read). */
export const isoOrNull = (instant: Instant | null): string | null => (instant === null ? null : isoOf(instant));
