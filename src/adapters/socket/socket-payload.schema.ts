import { z } from 'zod';
import { invalidPayload } from '../../domain/presence.errors';
import { MAX_ID_LENGTH, userIdSchema } from '../validation/user-id.schema';

const label = z
  .string({ error: 'must be a string or null' })
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .nullable()
  .optional();

const object = { error: 'payload must be an object' };

export const userOnlinePayload = z.object({ userId: userIdSchema.optional(), userType: label, userName: label }, object);

export const userPayload = z.object({ userId: userIdSchema.optional() }, object);

/** The payload as the schema reads it, or INVALID_PAYLOAD naming the first thing wrong. */
export function parsePayload<T>(schema: z.ZodType<T>, payload: unknown): T {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw invalidPayload(`${field}${issue?.message ?? 'invalid payload'}`);
}
