import pino from 'pino';
import { SocketRefusal, toRefusal } from '../../../../src/adapters/socket/socket-refusal.mapper';
import { forbidden, invalidPayload, PresenceError, presenceErrorCodes } from '../../../../src/domain/presence.errors';
import { refusalCodes } from '../../../../src/protocol/socket-events';

function recordingLogger() {
  const logs: Array<{ msg: string; event?: string; err?: { message: string } }> = [];
  return { logs, logger: pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) }) };
}

describe('toRefusal', () => {
  it('tells a client which domain rule its event broke, with its message, and logs nothing', () => {
    const { logs, logger } = recordingLogger();
    expect(toRefusal(forbidden('userId is not the authenticated user'), logger, 'userOnline')).toEqual({
      code: 'FORBIDDEN',
      message: 'userId is not the authenticated user',
    });
    expect(toRefusal(invalidPayload('userId: is required'), logger, 'userOnline')).toEqual({ code: 'INVALID_PAYLOAD', message: 'userId: is required' });
    expect(logs).toEqual([]);
  });

  it('maps every domain error code to one of the protocol’s refusal codes', () => {
    const { logger } = recordingLogger();
    for (const code of presenceErrorCodes) {
      expect(refusalCodes).toContain(toRefusal(new PresenceError(code, 'm'), logger, 'userOnline').code);
    }
  });

  it('passes the adapter’s own refusals through as they are, and logs nothing', () => {
    const { logs, logger } = recordingLogger();
    for (const code of refusalCodes) expect(toRefusal(new SocketRefusal(code, 'why'), logger, 'userOnline')).toEqual({ code, message: 'why' });
    expect(logs).toEqual([]);
  });

  it('answers anything else INTERNAL without its detail, and logs it with the event', () => {
    const { logs, logger } = recordingLogger();
    expect(toRefusal(new Error('store is down: secret detail'), logger, 'userHeartbeat')).toEqual({ code: 'INTERNAL', message: 'internal error' });
    expect(toRefusal('a string thrown', logger, 'userHeartbeat')).toEqual({ code: 'INTERNAL', message: 'internal error' });
    expect(logs).toMatchObject([{ msg: 'socket event failed', event: 'userHeartbeat', err: { message: 'store is down: secret detail' } }, { event: 'userHeartbeat' }]);
  });
});
