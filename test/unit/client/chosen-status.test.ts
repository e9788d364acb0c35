import { ChosenStatus, PresenceRefusal, type ShownStatus } from '../../../src/client/chosen-status';
import type { UserStatusSetPayload } from '../../../src/protocol/socket-events';

/** A service that answers every userStatusSet with `shown` first, then with what was set. */
function serviceShowing(shown: ShownStatus) {
  const sent: UserStatusSetPayload[] = [];
  let now = shown;
  const send = async (choice: UserStatusSetPayload): Promise<ShownStatus> => {
    sent.push(choice);
    now = { availability: choice.availability ?? now.availability, statusText: choice.statusText !== undefined ? choice.statusText : now.statusText };
    return now;
  };
  return { sent, send };
}

describe('the status a client chose, over reconnects', () => {
  it('keeps what a choice leaves out, as the service does', () => {
    const chosen = new ChosenStatus();
    chosen.record({ availability: 'busy' });
    chosen.record({ statusText: 'in a call' });
    expect(chosen.current).toEqual({ availability: 'busy', statusText: 'in a call' });
    chosen.record({ statusText: null });
    chosen.record({ availability: 'available' });
    expect(chosen.current).toEqual({ availability: 'available', statusText: null });
  });

  it('sends nothing after a reconnect when nothing was chosen', async () => {
    const service = serviceShowing({ availability: 'available', statusText: null });
    await new ChosenStatus().restore(service.send);
    expect(service.sent).toEqual([]);
  });

  it('asks, and applies the choice again when the service shows a fresh online period (a restart)', async () => {
    const chosen = new ChosenStatus();
    chosen.record({ availability: 'busy', statusText: 'in a call' });
    const service = serviceShowing({ availability: 'available', statusText: null });
    await chosen.restore(service.send);
    expect(service.sent).toEqual([{}, { availability: 'busy', statusText: 'in a call' }]);
  });

  it('asks, and sends nothing more when the service kept the choice (a reconnect within the grace)', async () => {
    const chosen = new ChosenStatus();
    chosen.record({ availability: 'busy', statusText: 'in a call' });
    const service = serviceShowing({ availability: 'busy', statusText: 'in a call' });
    await chosen.restore(service.send);
    expect(service.sent).toEqual([{}]);
  });

  it('takes a choice made meanwhile on another connection of the user over its own', async () => {
    const chosen = new ChosenStatus();
    chosen.record({ availability: 'busy' });
    const service = serviceShowing({ availability: 'away', statusText: 'back at 3' });
    await chosen.restore(service.send);
    expect(service.sent).toEqual([{}]);
    expect(chosen.current).toEqual({ availability: 'away', statusText: 'back at 3' });
  });

  it('turns a refusal into an Error carrying its code and message', () => {
    const refusal = new PresenceRefusal({ code: 'INVALID_PAYLOAD', message: 'statusText: at most 140 characters' });
    expect(refusal).toBeInstanceOf(Error);
    expect(refusal).toMatchObject({ code: 'INVALID_PAYLOAD', message: 'statusText: at most 140 characters', name: 'PresenceRefusal' });
  });
});
