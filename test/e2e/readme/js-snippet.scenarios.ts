/**
 * What each README JavaScript snippet must do when it runs against the real service, with a secret and without.
 * A scenario finds its snippet by a piece of code only that snippet has (`claims`); a new snippet needs a new
 * scenario here, and a name it uses without defining it needs a stand-in in test/support/readme/snippet-stand-ins.ts.
 */
import * as crypto from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { signatureOf } from '../../../src/adapters/webhooks/webhook-signature';
import * as presenceClientModule from '../../../src/client/presence-client';
import type { PresenceClient } from '../../../src/client/presence-client';
import type { WirePresenceUser, WireUserId } from '../../../src/protocol/socket-events';
import { runJsSnippet } from '../../support/readme/js-snippet.runner';
import type { SnippetService } from '../../support/readme/snippet-service';
import type { SnippetStandIns } from '../../support/readme/snippet-stand-ins';
import { connect, request, type TestSocket } from '../../support/socket-client';

export interface JsScenario {
  /** What the snippet shows: the test's name. */
  readonly name: string;
  /** Code only its snippet has. */
  readonly claims: string;
  run(code: string, service: SnippetService, s: SnippetStandIns): Promise<void>;
}

/** The addresses the snippets write, and what they stand for: the service under test. */
const addressesOf = (service: SnippetService): Record<string, string> => ({
  'http://localhost:5000': service.app.url,
  'https://presence.example.com': service.app.url,
});

const modules = { '/client/presence-client.js': presenceClientModule };

/** Another user, online on a real socket of its own. */
async function otherUser(service: SnippetService, userId: WireUserId, userType = 'agent'): Promise<TestSocket> {
  const token = service.token(userId);
  const socket = await connect(service.app.url, token === undefined ? {} : { auth: { token } });
  expect(await request(socket, 'userOnline', { userId, userType })).toMatchObject({ ok: true });
  return socket;
}

/** Resolves once `view()` holds exactly these user ids, looking again after every state or diff the socket gets. */
function whenView(socket: Socket, view: () => Map<string, unknown>, ids: string[], timeoutMs = 5_000): Promise<void> {
  const want = JSON.stringify([...ids].sort());
  const now = (): string => JSON.stringify([...view().keys()].sort());
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (now() !== want) return;
      clearTimeout(timer);
      socket.off('presenceState', check).off('presenceDiff', check);
      resolve();
    };
    const timer = setTimeout(() => reject(new Error(`the view never became ${want}; it is ${now()}`)), timeoutMs);
    socket.on('presenceState', check).on('presenceDiff', check);
    check();
  });
}

const idsOf = (users: unknown): string => JSON.stringify((users as WirePresenceUser[]).map((u) => String(u.userId)).sort());

export const jsScenarios: readonly JsScenario[] = [
  {
    name: 'a receiver checks a webhook batch by its signature and timestamp, as the service signs it',
    claims: 'function isGenuine(secret, timestamp, signature, rawBody)',
    async run(code, _service, s) {
      const probe = await runJsSnippet(code, { standIns: s.names, modules: { 'node:crypto': crypto }, expose: ['isGenuine'] });
      const isGenuine = probe['isGenuine'] as (secret: string, timestamp?: string, signature?: string, body?: string) => boolean;
      const secret = 'webhook-secret-that-is-long-enough-32';
      const body = JSON.stringify({ events: [{ seq: 1, userId: 7, status: 'online' }] });
      const now = String(Math.floor(Date.now() / 1000));
      // Signed by the service's own function, as every batch is.
      expect(isGenuine(secret, now, signatureOf(secret, now, body), body)).toBe(true);
      expect(isGenuine(secret, now, signatureOf(secret, now, body), `${body} `)).toBe(false);
      expect(isGenuine(`${secret}x`, now, signatureOf(secret, now, body), body)).toBe(false);
      const old = String(Number(now) - 3_600);
      expect(isGenuine(secret, old, signatureOf(secret, old, body), body)).toBe(false);
      expect(isGenuine(secret, undefined, undefined, body)).toBe(false);
    },
  },
  {
    name: 'a socket announces its user, heartbeats, and renders who comes and goes',
    claims: "setInterval(() => socket.emit('userHeartbeat'",
    async run(code, service, s) {
      await runJsSnippet(code, { standIns: s.names, addresses: addressesOf(service) });
      expect(s.sockets).toHaveLength(2);
      const own = s.sockets[1] as unknown as TestSocket;
      const [ack] = await s.logged.find(() => true);
      expect(ack).toMatchObject({ ok: true, userId: s.currentUser.id, status: 'online' });
      await s.rendered.find(([userId, status, lastSeen]) => userId === s.currentUser.id && status === 'online' && typeof lastSeen === 'string');

      expect(s.intervals.map((timer) => timer.ms)).toEqual([30_000]);
      s.fireIntervals();
      // A connection's events are handled in order: once a later one is answered, a refused heartbeat has been told.
      expect(await request(own, 'getOnlineUsers')).toMatchObject({
        ok: true,
        users: [expect.objectContaining({ userId: s.currentUser.id, userType: 'agent', userName: s.currentUser.name })],
      });
      expect(s.refusals).toEqual([]);

      const other = await otherUser(service, 7);
      await s.rendered.find(([userId, status]) => userId === 7 && status === 'online');
      await request(other, 'userOffline', { userId: 7 });
      await s.rendered.find(([userId, status, lastSeen]) => userId === 7 && status === 'offline' && typeof lastSeen === 'string');
      expect(s.refusals).toEqual([]);
    },
  },
  {
    name: 'a subscriber keeps a view of the agents from states and diffs, and resumes with `since` after a reconnect',
    claims: "socket.on('presenceDiff'",
    async run(code, service, s) {
      await otherUser(service, 'a1', 'agent');
      await otherUser(service, 'c1', 'customer');
      const probe = await runJsSnippet(code, { standIns: s.names, addresses: addressesOf(service), expose: ['view', 'seq'] });
      const view = () => probe['view'] as Map<string, unknown>;
      const states: unknown[] = [];
      s.socket.on('presenceState', (state: unknown) => states.push(state));

      s.socket.connect();
      await whenView(s.socket, view, ['a1']);
      expect(typeof probe['seq']).toBe('number');
      const a2 = await otherUser(service, 'a2', 'agent');
      await whenView(s.socket, view, ['a1', 'a2']);
      await request(a2, 'userOffline', { userId: 'a2' });
      await whenView(s.socket, view, ['a1']);

      // Away and back: what happened meanwhile comes as one diff from `since`, not as a fresh state.
      s.socket.disconnect();
      await otherUser(service, 'a3', 'agent');
      s.socket.connect();
      await whenView(s.socket, view, ['a1', 'a3']);
      expect(states).toHaveLength(1);
      expect(s.refusals).toEqual([]);
    },
  },
  {
    name: 'the presence client shows the agents online, and ends its presence on logout',
    claims: 'createPresenceClient({',
    async run(code, service, s) {
      const seven = await otherUser(service, 7, 'agent');
      const probe = await runJsSnippet(code, { standIns: s.names, modules, addresses: addressesOf(service), expose: ['presence'] });
      const presence = probe['presence'] as PresenceClient;
      try {
        const [users] = await s.rendered.find(([list]) => idsOf(list) === JSON.stringify(['42', '7']));
        expect(users).toContainEqual(expect.objectContaining({ userId: s.currentUser.id, status: 'online', userType: 'agent', userName: s.currentUser.name }));
        expect(presence.isOnline(s.currentUser.id)).toBe(true);
        // The snippet chose busy with a text: the service holds it, and the client's own view shows it.
        await s.rendered.find(([list]) => (list as WirePresenceUser[]).some((u) => u.userId === s.currentUser.id && u.availability === 'busy'));
        expect(presence.availabilityOf(s.currentUser.id)).toBe('busy');
        expect(await service.app.service.status(s.currentUser.id)).toMatchObject({ availability: 'busy', statusText: 'In a call' });

        const before = s.rendered.calls.length;
        await request(seven, 'userOffline', { userId: 7 });
        await s.rendered.find(([list]) => idsOf(list) === JSON.stringify(['42']), 5_000, before);

        expect(s.logoutHandlers).toHaveLength(1);
        await (s.logoutHandlers[0] as () => Promise<void>)();
        expect(await service.app.service.status(s.currentUser.id)).toMatchObject({ status: 'offline' });
        expect(presence.connectionState).toBe('closed');
      } finally {
        presence.close();
      }
    },
  },
];
