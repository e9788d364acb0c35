import { EncodedJson } from '../../../../src/adapters/socket/shared-encoding';
import { SharedOnlineList } from '../../../../src/adapters/socket/shared-online-list';
import { FakeClock } from '../../../support/fake-clock';

/** A list over a counter of reads, on a fake clock, with a version the test moves. */
function sharedList(read: () => Promise<EncodedJson> = () => Promise.resolve(EncodedJson.ofList([]))) {
  const clock = new FakeClock();
  let reads = 0;
  let version = 0;
  const list = new SharedOnlineList({
    read: () => {
      reads += 1;
      return read();
    },
    version: () => String(version),
    now: () => clock.now(),
    maxAgeMs: 250,
  });
  return { list, clock, reads: () => reads, transition: () => (version += 1) };
}

describe('SharedOnlineList', () => {
  it('serves one encoding to every request of a moment, a read in flight included', async () => {
    const { list, reads } = sharedList();
    const [first, second] = [list.get(), list.get()];
    expect(await first).toBe(await second);
    expect(await list.get()).toBe(await first);
    expect(reads()).toBe(1);
  });

  it('reads again after any transition, so that a client finds its own in the list', async () => {
    const { list, reads, transition } = sharedList();
    const before = await list.get();
    transition();
    expect(await list.get()).not.toBe(before);
    expect(reads()).toBe(2);
  });

  it('reads again once the encoding is maxAgeMs old, for fresh lastSeen values', async () => {
    const { list, reads, clock } = sharedList();
    await list.get();
    clock.advance(249);
    await list.get();
    expect(reads()).toBe(1);
    clock.advance(1);
    await list.get();
    expect(reads()).toBe(2);
  });

  it('shares a read still in flight however long it takes', async () => {
    let answer: (list: EncodedJson) => void = () => undefined;
    const { list, reads, clock } = sharedList(() => new Promise((resolve) => (answer = resolve)));
    const first = list.get();
    clock.advance(5_000);
    const second = list.get();
    answer(EncodedJson.ofList([]));
    expect(await second).toBe(await first);
    expect(reads()).toBe(1);
  });

  it('does not keep a read that failed', async () => {
    let fail = true;
    const { list, reads } = sharedList(() => (fail ? Promise.reject(new Error('store down')) : Promise.resolve(EncodedJson.ofList([1]))));
    await expect(list.get()).rejects.toThrow('store down');
    fail = false;
    expect((await list.get()).items).toBe(1);
    expect(reads()).toBe(2);
  });
});
