import type { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/** A reply that is not what its command answers: garbage on the wire, or a reply meant for another command. */
export class MalformedRedisReply extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MalformedRedisReply';
  }
}

const QUEUE_STATE_ERROR = 'Command queue state error';

/** Connections dropped after a malformed reply: whatever else their socket sends is not heard. */
const deafened = new WeakSet<object>();

/**
 * Drops a connection whose replies can no longer be trusted, as ioredis does after a protocol error: every command
 * waiting on it fails with `error` (the replies still to come could be meant for any of them), and it reconnects.
 */
export function resetConnection(redis: Redis, error: Error): void {
  if (redis.status !== 'ready' && redis.status !== 'connect') return;
  deafened.add(redis.stream);
  redis.recoverFromFatalError(error, error, { offlineQueue: false });
}

/** Runs a socket's 'data' listeners so that one throwing reaches `onThrow` instead of the event loop. */
function catchDataThrows(stream: EventEmitter, onThrow: (error: unknown) => void): void {
  const emit = stream.emit.bind(stream);
  stream.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (event !== 'data') return emit(event, ...args);
    if (deafened.has(stream)) return false;
    try {
      return emit(event, ...args);
    } catch (error) {
      onThrow(error);
      return false;
    }
  };
}

/**
 * Keeps a reply ioredis cannot handle from ending the process, on a connection and on those `duplicate()` makes of it
 * (Socket.IO's adapter makes its own). A reply that no command waits for makes ioredis throw from its socket's 'data'
 * listener if it is null (`-ERR\r\n$-5\r\n` answering one command: a TypeError on `null.toString()`), where only the
 * process could catch it; if not null, ioredis only emits 'error', but from then on replies go to the wrong commands.
 * Either resets the connection. `report` hears of every malformed reply, ioredis's own protocol errors included.
 */
export function guardReplies(redis: Redis, report: (error: Error) => void): void {
  redis.on('connect', () => {
    catchDataThrows(redis.stream, (thrown) => resetConnection(redis, new MalformedRedisReply('ioredis could not handle a reply', { cause: thrown })));
  });
  // Also what keeps an 'error' event from ending the process: failures are seen through the commands that fail
  // and through readiness.
  redis.on('error', (error: Error) => {
    if (error instanceof MalformedRedisReply || error.name === 'ParserError') report(error);
    else if (error.message.startsWith(QUEUE_STATE_ERROR)) {
      resetConnection(redis, new MalformedRedisReply('a reply came that no command was waiting for', { cause: error }));
    }
  });
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (override) => {
    const copy = duplicate(override);
    guardReplies(copy, report);
    return copy;
  };
}

/**
 * A reply as `decode` reads it. A reply it finds malformed resets the connection (the next replies could be
 * misaligned too) and fails with MalformedRedisReply, instead of a TypeError wherever the reply is used. A command
 * that timed out does not: ioredis keeps it queued, so the replies still to come go to the commands they answer; a
 * Redis that stops answering altogether is the connection's `socketTimeout`'s to end.
 */
export function checked<T>(redis: Redis, reply: unknown, decode: (reply: unknown) => T): T {
  try {
    return decode(reply);
  } catch (error) {
    if (error instanceof MalformedRedisReply) resetConnection(redis, error);
    throw error;
  }
}

export async function decoded<T>(redis: Redis, sent: Promise<unknown>, decode: (reply: unknown) => T): Promise<T> {
  return checked(redis, await sent, decode);
}
