import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ProcessGuard, sourceOf, type ErrorSource, type ProcessErrorKind } from '../../../../src/adapters/process/process-guard';

/** An error as if thrown at these frames (innermost first). */
function thrownAt(...frames: string[]): Error {
  const error = new TypeError("Cannot read properties of null (reading 'toString')");
  error.stack = [`TypeError: ${error.message}`, ...frames.map((f) => `    at ${f}`)].join('\n');
  return error;
}

const IOREDIS = 'DataHandler.shiftCommand (/app/node_modules/ioredis/built/DataHandler.js:183:45)';
const PG_PROTOCOL = 'BufferReader.int32 (/app/node_modules/pg-protocol/dist/buffer-reader.js:27:32)';
const NODE_BUFFER = 'boundsError (node:internal/buffer:88:9)';
const OURS = 'RedisPresenceStore.update (/app/dist/adapters/redis/redis-presence.store.js:43:31)';

function guarded() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _, done) => (lines.push(String(chunk)), done()) }));
  const counted: Array<[ProcessErrorKind, ErrorSource]> = [];
  const resets: string[] = [];
  const exits: number[] = [];
  const guard = new ProcessGuard({
    logger,
    count: (kind, source) => counted.push([kind, source]),
    reset: { redis: () => resets.push('redis') },
    exit: (code) => exits.push(code),
  });
  return { guard, lines, counted, resets, exits };
}

describe('the process guard', () => {
  it('tells a backend client library from the first frame outside Node, and our own code from anything else', () => {
    expect(sourceOf(thrownAt(IOREDIS, 'Socket.emit (node:events:524:28)'))).toBe('redis');
    expect(sourceOf(thrownAt(NODE_BUFFER, PG_PROTOCOL))).toBe('postgres');
    expect(sourceOf(thrownAt(OURS, IOREDIS))).toBe('other');
    expect(sourceOf(thrownAt('Timeout._onTimeout (/app/node_modules/koa/lib/application.js:1:1)'))).toBe('other');
    expect(sourceOf('a string thrown')).toBe('other');
  });

  it('survives an exception a backend client threw: logs it, counts it and resets that backend’s connections', () => {
    const { guard, lines, counted, resets, exits } = guarded();
    guard.handle('uncaught_exception', thrownAt(IOREDIS));
    expect(counted).toEqual([['uncaught_exception', 'redis']]);
    expect(resets).toEqual(['redis']);
    expect(exits).toEqual([]);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 50, kind: 'uncaught_exception', backend: 'redis', error: { type: 'TypeError' } });
  });

  it('only logs and counts a rejection a backend client created: the library was in control when it failed', () => {
    const { guard, counted, resets, exits } = guarded();
    guard.handle('unhandled_rejection', thrownAt(NODE_BUFFER, PG_PROTOCOL));
    expect(counted).toEqual([['unhandled_rejection', 'postgres']]);
    expect(resets).toEqual([]);
    expect(exits).toEqual([]);
  });

  it('exits 1 after any other error, logged and counted, for the orchestrator to start a fresh process', () => {
    const { guard, lines, counted, exits } = guarded();
    guard.handle('uncaught_exception', thrownAt(OURS));
    guard.handle('unhandled_rejection', new Error('from anywhere'));
    expect(counted).toEqual([
      ['uncaught_exception', 'other'],
      ['unhandled_rejection', 'other'],
    ]);
    expect(exits).toEqual([1, 1]);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 60, kind: 'uncaught_exception' });
  });

  it('logs an error’s name, message and stack, never its other properties (a command’s arguments)', () => {
    const { guard, lines } = guarded();
    const error = Object.assign(thrownAt(IOREDIS), { command: { name: 'auth', args: ['s3cret-password'] } });
    guard.handle('uncaught_exception', error);
    expect(lines.join('')).not.toContain('s3cret-password');
  });

  it('installs itself on the process events', () => {
    const { guard, counted } = guarded();
    const target = new EventEmitter();
    guard.install(target as NodeJS.Process);
    target.emit('uncaughtException', thrownAt(IOREDIS), 'uncaughtException');
    target.emit('unhandledRejection', thrownAt(IOREDIS), Promise.resolve());
    expect(counted).toEqual([
      ['uncaught_exception', 'redis'],
      ['unhandled_rejection', 'redis'],
    ]);
  });
});
