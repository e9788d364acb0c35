import type { UserKey } from '../../domain/presence.types';
import { invalidRequest } from './http-error';

const PREFIX = 'v1.';

/** An opaque cursor: where the next page starts. */
export function encodeCursor(after: UserKey): string {
  return PREFIX + Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): UserKey {
  if (cursor.startsWith(PREFIX)) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8'));
      const after = (parsed as { after?: unknown } | null)?.after;
      if (typeof after === 'string' && after.length > 0) return after;
    } catch {
      // falls through to the refusal below
    }
  }
  throw invalidRequest('cursor: malformed; pass the nextCursor of the previous page unchanged');
}
