import { z } from 'zod';
import { availabilities, codePointLength, MAX_STATUS_TEXT } from '../../domain/availability';
import { invalidPayload } from '../../domain/presence.errors';
import type { UserId } from '../../domain/presence.types';
import { isWellFormed, MAX_ID_LENGTH, userIdSchema, WELL_FORMED_MESSAGE } from '../validation/user-id.schema';

const label = z
  .string({ error: 'must be a string or null' })
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .refine(isWellFormed, WELL_FORMED_MESSAGE)
  .nullable()
  .optional();

const object = { error: 'payload must be an object' };

export const userOnlinePayload = z.object({ userId: userIdSchema.optional(), userType: label, userName: label }, object);

export const userPayload = z.object({ userId: userIdSchema.optional() }, object);

const statusText = z
  .string({ error: 'must be a string or null' })
  .refine((text) => text.length <= 2 * MAX_STATUS_TEXT && codePointLength(text) <= MAX_STATUS_TEXT, `must be at most ${MAX_STATUS_TEXT} characters`)
  .refine(isWellFormed, WELL_FORMED_MESSAGE)
  .nullable()
  .optional();

/** `userStatusSet` (CONTRACT §8): either field may be left out, to keep it as it is. */
export const userStatusSetPayload = z.object(
  {
    userId: userIdSchema.optional(),
    availability: z.enum(availabilities, { error: `must be one of ${availabilities.join(', ')}` }).optional(),
    statusText,
  },
  object,
);

/** `userActivity` (CONTRACT §8). */
export const userActivityPayload = z.object({ userId: userIdSchema.optional(), idle: z.boolean({ error: 'must be true or false' }) }, object);

/**
 * `userHeartbeat`'s and `userOffline`'s payload, read as `userPayload` reads it. These are the events every client
 * sends all the time, and zod allocates about 800 bytes to read one: a well-formed payload is read here without it,
 * anything else goes through the schema for its error message.
 */
export function parseUserPayload(raw: unknown): { userId?: UserId } {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const userId: unknown = (raw as { userId?: unknown }).userId;
    if (userId === undefined) return {};
    const wellFormedId =
      typeof userId === 'string' ? userId.length >= 1 && userId.length <= MAX_ID_LENGTH && isWellFormed(userId) : Number.isSafeInteger(userId);
    if (wellFormedId) {
      return { userId: userId as UserId };
    }
  }
  return parsePayload(userPayload, raw);
}

export const MAX_SUBSCRIBED_IDS = 10_000;
export const MAX_SUBSCRIBED_TYPES = 100;

/** `presenceSubscribe`'s payload; none at all means every user. */
export const presenceSubscribePayload = z
  .object(
    {
      userIds: z.array(userIdSchema, { error: 'must be an array of user ids' }).max(MAX_SUBSCRIBED_IDS, `at most ${MAX_SUBSCRIBED_IDS}`).optional(),
      userTypes: z
        .array(z.string().min(1).max(MAX_ID_LENGTH, `each at most ${MAX_ID_LENGTH} characters`).refine(isWellFormed, WELL_FORMED_MESSAGE), {
          error: 'must be an array of strings',
        })
        .max(MAX_SUBSCRIBED_TYPES, `at most ${MAX_SUBSCRIBED_TYPES}`)
        .optional(),
      since: z.number().int('must be a whole number').min(0).refine(Number.isSafeInteger, 'must be a safe integer').optional(),
    },
    object,
  )
  .optional()
  .transform((payload) => payload ?? {});

/** The payload as the schema reads it, or INVALID_PAYLOAD naming the first thing wrong. */
export function parsePayload<T>(schema: z.ZodType<T>, payload: unknown): T {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw invalidPayload(`${field}${issue?.message ?? 'invalid payload'}`);
}
