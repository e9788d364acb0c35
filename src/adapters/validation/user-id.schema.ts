import { z } from 'zod';
import type { UserId } from '../../domain/presence.types';

export const MAX_ID_LENGTH = 128;

/** A `sys_user_id` on the wire: a string of 1 to 128 characters, or a safe integer. */
export const userIdSchema = z.union(
  [
    z.string().min(1, 'userId must not be empty').max(MAX_ID_LENGTH, `userId must be at most ${MAX_ID_LENGTH} characters`),
    z.number().refine(Number.isSafeInteger, 'userId must be a safe integer'),
  ],
  { error: 'userId must be a string or a safe integer' },
);

export function parseUserId(value: unknown): UserId | undefined {
  const parsed = userIdSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
