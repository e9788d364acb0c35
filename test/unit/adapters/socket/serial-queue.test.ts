import { SerialQueue } from '../../../../src/adapters/socket/serial-queue';

const later = <T>(value: T, log: string[], name: string): Promise<T> =>
  new Promise((resolve) =>
    setImmediate(() => {
      log.push(name);
      resolve(value);
    }),
  );

describe('SerialQueue', () => {
  it('starts a task at once when nothing runs, and runs the rest one after another in order', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const first = queue.run(() => {
      log.push('first started');
      return later(1, log, 'first done');
    });
    expect(log).toEqual(['first started']);
    const second = queue.run(() => {
      log.push('second started');
      return later(2, log, 'second done');
    });
    const third = queue.run(async () => {
      log.push('third started');
      return 3;
    });
    expect(await Promise.all([first, second, third])).toEqual([1, 2, 3]);
    expect(log).toEqual(['first started', 'first done', 'second started', 'second done', 'third started']);
  });

  it('goes on after a task that fails, or throws before returning its promise', async () => {
    const queue = new SerialQueue();
    const failing = queue.run(() => Promise.reject(new Error('async')));
    const throwing = queue.run(() => {
      throw new Error('sync');
    });
    const next = queue.run(async () => 'next');
    await expect(failing).rejects.toThrow('async');
    await expect(throwing).rejects.toThrow('sync');
    await expect(next).resolves.toBe('next');
    // Idle again: a task that throws at once is a rejection, not an exception in the caller.
    await expect(
      queue.run(() => {
        throw new Error('idle');
      }),
    ).rejects.toThrow('idle');
  });

  it('waits for a task given while another runs even when the queue had gone idle in between', async () => {
    const queue = new SerialQueue();
    await queue.run(async () => undefined);
    const log: string[] = [];
    const slow = queue.run(() => later('slow', log, 'slow done'));
    const fast = queue.run(async () => {
      log.push('fast');
      return 'fast';
    });
    await Promise.all([slow, fast]);
    expect(log).toEqual(['slow done', 'fast']);
  });
});
