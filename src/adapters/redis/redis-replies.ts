/** The replies the adapters use, each checked for the shape its command answers with (see `decoded`). */
import { MalformedRedisReply } from './redis-reply.guard';

const malformed = (command: string, reply: unknown): MalformedRedisReply =>
  new MalformedRedisReply(`${command} answered ${describe(reply)}`);

/** What a reply was, without its content (which can hold user ids). */
function describe(reply: unknown): string {
  if (Array.isArray(reply)) return `an array of ${reply.length}`;
  return reply === null ? 'null' : typeof reply;
}

const isString = (value: unknown): value is string => typeof value === 'string';

export const stringList =
  (command: string) =>
  (reply: unknown): string[] => {
    if (Array.isArray(reply) && reply.every(isString)) return reply;
    throw malformed(command, reply);
  };

/** HMGET: one string or null a field. */
export const fieldValues =
  (fields: number) =>
  (reply: unknown): Array<string | null> => {
    if (Array.isArray(reply) && reply.length === fields && reply.every((v) => v === null || isString(v))) return reply;
    throw malformed('HMGET', reply);
  };

export function optionalString(reply: unknown): string | null {
  if (reply === null || isString(reply)) return reply;
  throw malformed('HGET', reply);
}

/** A count a command answers (ZCARD, ZCOUNT), named in the error when the reply is not one. */
export const count =
  (command: string) =>
  (reply: unknown): number => {
    if (typeof reply === 'number' && Number.isSafeInteger(reply) && reply >= 0) return reply;
    throw malformed(command, reply);
  };

export function pong(reply: unknown): void {
  if (reply !== 'PONG') throw malformed('PING', reply);
}

/** The commit script's `{0}` (a conflict) or `{1, seq}`. */
export function commitOutcome(reply: unknown): { committed: boolean; seq: number } {
  if (Array.isArray(reply) && reply.length === 1 && reply[0] === 0) return { committed: false, seq: 0 };
  if (Array.isArray(reply) && reply.length === 2 && reply[0] === 1 && typeof reply[1] === 'number' && Number.isSafeInteger(reply[1])) {
    return { committed: true, seq: reply[1] };
  }
  throw malformed('the commit script', reply);
}

/** A pipeline's replies, one a command sent, the first error thrown. */
export const pipelineReplies =
  (commands: number) =>
  (reply: unknown): unknown[] => {
    if (!Array.isArray(reply) || reply.length !== commands) throw malformed('a pipeline', reply);
    return reply.map((entry: unknown) => {
      if (!Array.isArray(entry) || entry.length !== 2) throw malformed('a pipeline', reply);
      if (entry[0] instanceof Error) throw entry[0];
      if (entry[0] !== null) throw malformed('a pipeline', reply);
      return entry[1] as unknown;
    });
  };

export type StreamEntry = readonly [id: string, fields: readonly string[]];

function isStreamEntry(value: unknown): value is StreamEntry {
  return Array.isArray(value) && value.length === 2 && isString(value[0]) && Array.isArray(value[1]) && value[1].every(isString);
}

/** XRANGE / XREVRANGE: entries, each an id and its fields. */
export function streamEntries(reply: unknown): StreamEntry[] {
  if (Array.isArray(reply) && reply.every(isStreamEntry)) return reply;
  throw malformed('XREVRANGE', reply);
}

/** XREAD of one stream: its new entries, none when it timed out (null). */
export function readEntries(reply: unknown): StreamEntry[] {
  if (reply === null) return [];
  if (Array.isArray(reply) && reply.length === 1) {
    const [stream] = reply as unknown[];
    if (Array.isArray(stream) && stream.length === 2 && isString(stream[0]) && Array.isArray(stream[1]) && stream[1].every(isStreamEntry)) {
      return stream[1];
    }
  }
  throw malformed('XREAD', reply);
}

/** ZRANGE key 0 0 WITHSCORES: the first member's score, undefined for an empty set. */
export function firstScore(reply: unknown): number | undefined {
  const [member, score] = stringList('ZRANGE')(reply);
  if (member === undefined) return undefined;
  const value = Number(score);
  if (score === undefined || !Number.isFinite(value)) throw malformed('ZRANGE', reply);
  return value;
}
