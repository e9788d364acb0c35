import { MalformedRedisReply } from '../../../../src/adapters/redis/redis-reply.guard';
import {
  commitOutcome,
  count,
  fieldValues,
  optionalString,
  pipelineReplies,
  pong,
  readEntries,
  streamEntries,
  stringList,
} from '../../../../src/adapters/redis/redis-replies';

describe('decoding the Redis replies the adapters use', () => {
  it('reads each reply of the shape its command answers with', () => {
    expect(stringList('ZRANGE')(['a', 'b'])).toEqual(['a', 'b']);
    expect(fieldValues(2)(['3', null])).toEqual(['3', null]);
    expect(optionalString(null)).toBeNull();
    expect(count('ZCARD')(4)).toBe(4);
    expect(() => pong('PONG')).not.toThrow();
    expect(commitOutcome([0])).toEqual({ committed: false, seq: 0 });
    expect(commitOutcome([1, 42])).toEqual({ committed: true, seq: 42 });
    expect(pipelineReplies(2)([[null, 'x'], [null, null]])).toEqual(['x', null]);
    expect(streamEntries([['1-0', ['seq', '1']]])).toEqual([['1-0', ['seq', '1']]]);
    expect(readEntries(null)).toEqual([]);
    expect(readEntries([['stream', [['1-0', ['seq', '1']]]]])).toEqual([['1-0', ['seq', '1']]]);
  });

  it.each([
    ['a list of keys', stringList('ZRANGE'), [null, 7, 'OK', [null], [['a']]]],
    ['HMGET', fieldValues(2), [null, [], ['v'], [1, null], 'OK']],
    ['HGET', optionalString, [7, [], ['p']]],
    ['ZCARD', count('ZCARD'), [null, '3', -1, 1.5, []]],
    ['ZCOUNT', count('ZCOUNT'), [null, '3']],
    ['PING', pong, [null, 'OK', 1]],
    ['the commit script', commitOutcome, [null, [], [1], [1, '9'], [2, 1], [0, 1], 'OK']],
    ['XREVRANGE', streamEntries, [null, 7, [['1-0']], [['1-0', [1]]]]],
    ['XREAD', readEntries, [7, [], [['stream']], [['stream', [['1-0', 'seq']]]]]],
  ] as const)('refuses any other reply to %s with MalformedRedisReply', (_, decode, wrong) => {
    for (const reply of wrong) expect(() => (decode as (r: unknown) => unknown)(reply)).toThrow(MalformedRedisReply);
  });

  it('names the command and the shape, never the content (which can hold user ids)', () => {
    expect(() => stringList('ZRANGE')(['user-42', 3])).toThrow(/^ZRANGE answered an array of 2$/);
    expect(() => fieldValues(2)(['user-42'])).toThrow(/^HMGET answered an array of 1$/);
    expect(() => count('ZCOUNT')('3')).toThrow(/^ZCOUNT answered/);
  });

  it('throws the error a pipelined command failed with, and refuses a pipeline of another length', () => {
    const failed = new Error('WRONGTYPE');
    expect(() => pipelineReplies(2)([[null, 1], [failed, null]])).toThrow(failed);
    expect(() => pipelineReplies(2)([[null, 1]])).toThrow(MalformedRedisReply);
    expect(() => pipelineReplies(0)(null)).toThrow(MalformedRedisReply);
  });
});
