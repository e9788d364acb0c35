// The live presence page: logs in as a user and shows who is online and how available, through the presence client.
import { createPresenceClient } from '/client/presence-client.js';

const form = document.getElementById('login');
const logout = document.getElementById('logout');
const list = document.getElementById('users');
const connection = document.getElementById('connection');
const error = document.getElementById('error');
const status = document.getElementById('status');
let client;

/** The status form is usable while a user is logged in. */
function enableStatus(enabled) {
  for (const field of status.elements) field.disabled = !enabled;
}

function render(users) {
  list.replaceChildren(
    ...users
      .slice()
      .sort((a, b) => String(a.userName ?? a.userId).localeCompare(String(b.userName ?? b.userId)))
      .map((user) => {
        const item = document.createElement('li');
        item.dataset.userId = String(user.userId);
        item.dataset.availability = user.availability ?? 'available';
        const who = document.createElement('span');
        who.className = 'who';
        who.textContent = user.userName ? `${user.userName} (${user.userId})` : String(user.userId);
        const seen = document.createElement('time');
        seen.className = 'seen';
        // Online since the start of its online period (CONTRACT §8), not its last heartbeat.
        const since = user.onlineSince ?? user.lastSeen;
        seen.dateTime = since;
        seen.textContent = `since ${new Date(since).toLocaleTimeString()}`;
        const shown = document.createElement('span');
        shown.className = 'availability';
        shown.textContent = user.statusText ? `${user.availability}: ${user.statusText}` : (user.availability ?? 'available');
        item.append(who, shown, seen);
        return item;
      }),
  );
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const userId = String(data.get('userId') ?? '').trim();
  const token = String(data.get('token') ?? '').trim();
  client?.close();
  error.textContent = '';
  client = createPresenceClient({
    url: location.origin,
    token: token || undefined,
    user: { userId: userId ? (/^\d+$/.test(userId) ? Number(userId) : userId) : undefined, userName: String(data.get('userName') ?? '') || undefined },
  });
  client.onChange(render);
  client.onError((e) => (error.textContent = `${e.code}: ${e.message}`));
  client.onConnectionChange((state) => {
    connection.dataset.state = state;
    connection.textContent = state;
  });
  logout.disabled = false;
  enableStatus(true);
});

status.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(status);
  const statusText = String(data.get('statusText') ?? '').trim();
  client
    ?.setStatus({ availability: String(data.get('availability')), statusText: statusText || null })
    .then(() => (error.textContent = ''))
    .catch((e) => (error.textContent = `${e.code ?? 'ERROR'}: ${e.message}`));
});

logout.addEventListener('click', () => {
  void client?.goOffline();
  logout.disabled = true;
  enableStatus(false);
});
