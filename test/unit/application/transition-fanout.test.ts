import fc from 'fast-check';
import { TransitionFanout } from '../../../src/application/transition-fanout';
import type { TransitionConsumer } from '../../../src/domain/ports/transition-feed.port';
import { freshDetails, onlineState } from '../../../src/domain/presence-state';
import type { CommittedTransition } from '../../../src/domain/presence.events';
import type { OnlineUser } from '../../../src/domain/presence.types';
import { committed, offlineTransition, onlineTransition, statusOf } from '../../support/transitions';
import { onlineUser } from '../../support/presence-values';

const online = (userId: string | number, seq: number, userType: string | null = null): CommittedTransition =>
  committed(onlineTransition(userId, seq, userType), seq);
const offline = (userId: string | number, seq: number): CommittedTransition => committed(offlineTransition(userId, seq, 'expired'), seq);
const user = (userId: string | number, userType: string | null = null): OnlineUser => onlineUser(userId, 0, userType, `name of ${userId}`);

class RecordingConsumer implements TransitionConsumer {
  readonly delivered: string[] = [];
  readonly reasons: string[] = [];
  readonly missed: number[] = [];
  deliver(transition: CommittedTransition): void {
    this.reasons.push(transition.reason);
    this.delivered.push(`${String(transition.userId)} ${statusOf(transition)} ${transition.seq}`);
  }
  missedBefore(seq: number): void {
    this.missed.push(seq);
  }
}

describe('TransitionFanout', () => {
  it('hands every consumer each transition in the order published', () => {
    const fanout = new TransitionFanout(0);
    const [a, b] = [new RecordingConsumer(), new RecordingConsumer()];
    fanout.subscribe(a);
    fanout.subscribe(b);
    fanout.publish(online('u', 1));
    fanout.publish(online(7, 2));
    fanout.publish(offline('u', 3));
    expect(a.delivered).toEqual(['u online 1', '7 online 2', 'u offline 3']);
    expect(b.delivered).toEqual(a.delivered);
    expect(fanout.lastSeq).toBe(3);
  });

  it('passes on only what changes the picture: a repeated online or offline is dropped, 7 and "7" are one user', () => {
    const fanout = new TransitionFanout(0);
    const consumer = new RecordingConsumer();
    fanout.subscribe(consumer);
    fanout.publish(online(7, 1));
    fanout.publish(online('7', 2));
    fanout.publish(offline('x', 3));
    fanout.publish(offline(7, 4));
    fanout.publish(offline('7', 5));
    expect(consumer.delivered).toEqual(['7 online 1', '7 offline 4']);
    expect(fanout.lastSeq).toBe(5);
  });

  it('starts from a seeded picture and seq without telling anyone, and says who it believes online', () => {
    const fanout = new TransitionFanout(100);
    const consumer = new RecordingConsumer();
    fanout.subscribe(consumer);
    fanout.seed([user('a'), user('b')], 120);
    expect(fanout.lastSeq).toBe(120);
    fanout.publish(online('a', 121));
    fanout.publish(offline('b', 122));
    expect(consumer.delivered).toEqual(['b offline 122']);
    expect(fanout.believedOnline().map((u) => u.userId)).toEqual(['a']);
  });

  it('remembers the state each user online was told with, seeded or delivered, and forgets it when told offline', () => {
    const fanout = new TransitionFanout(0);
    fanout.seed([user('a', 'agent')], 10);
    fanout.publish(online(7, 11, 'client'));
    fanout.publish(online('7', 12, 'admin'));
    expect(fanout.toldStateOf({ userId: 'a' })).toEqual(onlineState('agent', 'name of a', freshDetails(0)));
    expect(fanout.toldStateOf({ userId: '7' })).toEqual(onlineState('client', null, freshDetails(11)));
    fanout.publish(offline(7, 13));
    expect(fanout.toldStateOf({ userId: 7 })).toBeUndefined();
    expect(fanout.toldStateOf({ userId: 'nobody' })).toBeUndefined();
  });

  it('passes on a change of availability once (CONTRACT §8), and as the user coming online to consumers not told it is online', () => {
    const fanout = new TransitionFanout(0);
    const consumer = new RecordingConsumer();
    fanout.subscribe(consumer);
    const joined = online('u', 1, 'agent');
    const shownAs = (availability: 'busy' | 'away', seq: number): CommittedTransition => ({
      ...joined,
      from: joined.to,
      to: onlineState('agent', null, { ...freshDetails(1), availability }),
      reason: 'set',
      seq,
    });
    fanout.publish(shownAs('busy', 2));
    fanout.publish(joined);
    fanout.publish(shownAs('away', 3));
    fanout.publish(shownAs('away', 3));
    expect(consumer.delivered).toEqual(['u online 2', 'u online 3']);
    expect(consumer.reasons).toEqual(['online', 'set']);
    expect(fanout.toldStateOf({ userId: 'u' })).toMatchObject({ availability: 'away' });
  });

  it('tells every consumer of a gap', () => {
    const fanout = new TransitionFanout(0);
    const [a, b] = [new RecordingConsumer(), new RecordingConsumer()];
    fanout.subscribe(a);
    fanout.subscribe(b);
    fanout.gap(41);
    expect([a.missed, b.missed]).toEqual([[41], [41]]);
  });

  it('delivers each user alternating, whatever arrives (duplicates, replays after an outage)', () => {
    const event = fc.tuple(fc.constantFrom('a', 'b', 7, '7'), fc.boolean());
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const fanout = new TransitionFanout(0);
        const consumer = new RecordingConsumer();
        fanout.subscribe(consumer);
        events.forEach(([userId, up], i) => fanout.publish(up ? online(userId, i + 1) : offline(userId, i + 1)));
        const last = new Map<string, string>();
        for (const line of consumer.delivered) {
          const [user, status] = line.split(' ') as [string, string];
          expect(last.get(user) ?? 'offline').not.toBe(status);
          last.set(user, status);
        }
        const model = new Set<string>();
        for (const [userId, up] of events) up ? model.add(String(userId)) : model.delete(String(userId));
        expect(fanout.believedOnline().map((u) => String(u.userId)).sort()).toEqual([...model].sort());
      }),
      { numRuns: 300 },
    );
  });
});
