import { z } from 'zod';
import type { UserId } from '../../domain/presence.types';

export const MAX_ID_LENGTH = 128;

const loneSurrogate = /\p{Cs}/u;

/**
 * Whether a string is well-formed Unicode. A lone surrogate has no UTF-8 form: Redis, PostgreSQL and every JSON
 * encoder turn each one into U+FFFD, so `"\ud800"` and `"\udc00"` would become one key.
 */
export function isWellFormed(text: string): boolean {
  return !loneSurrogate.test(text);
}

export const WELL_FORMED_MESSAGE = 'must be well-formed Unicode (no lone surrogate)';

/** A `sys_user_id` on the wire: a string of 1 to 128 well-formed characters, or a safe integer. */
export const userIdSchema = z.union(
  [
    z
      .string()
      .min(1, 'userId must not be empty')
      .max(MAX_ID_LENGTH, `userId must be at most ${MAX_ID_LENGTH} characters`)
      .refine(isWellFormed, `userId ${WELL_FORMED_MESSAGE}`),
    z.number().refine(Number.isSafeInteger, 'userId must be a safe integer'),
  ],
  { error: 'userId must be a string or a safe integer' },
);

export function parseUserId(value: unknown): UserId | undefined {
  const parsed = userIdSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
