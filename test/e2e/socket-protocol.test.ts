import { buildTestApp, type TestApp } from '../support/build-test-app';
import { closeAllSockets, connect, nextEvent, request, StatusLog } from '../support/socket-client';

describe('socket protocol (open mode)', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000', PRESENCE_DISCONNECT_GRACE_MS: '150' });
  });

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('announces a user online to every client, the announcing one included, and acks', async () => {
    const alice = await connect(app.url);
    const observer = await connect(app.url);
    const aliceLog = new StatusLog(alice);
    const observerLog = new StatusLog(observer);

    const ack = await request(alice, 'userOnline', { userId: 7, userType: 'agent', userName: 'Alice' });

    expect(ack).toEqual({ ok: true, userId: 7, status: 'online' });
    const [change] = await observerLog.waitForCount(1);
    expect(change).toEqual({ userId: 7, status: 'online', lastSeen: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), reason: 'online' });
    await aliceLog.waitForCount(1);
  });

  it('lists online users with getOnlineUsers, by event and by ack', async () => {
    const alice = await connect(app.url);
    await request(alice, 'userOnline', { userId: 'a-1', userType: 'agent', userName: 'Alice' });
    const listed = nextEvent(alice, 'onlineUsersList');
    const ack = await request(alice, 'getOnlineUsers');
    const expected = [{ userId: 'a-1', status: 'online', lastSeen: expect.any(String), userType: 'agent', userName: 'Alice' }];
    expect(ack).toEqual({ ok: true, users: expected });
    expect(await listed).toEqual(expected);
  });
});
