// The live presence page: logs in as a user and shows who is online, through the presence client.
import { createPresenceClient } from '/client/presence-client.js';

const form = document.getElementById('login');
const logout = document.getElementById('logout');
const list = document.getElementById('users');
const connection = document.getElementById('connection');
const error = document.getElementById('error');
let client;

function render(users) {
  list.replaceChildren(
    ...users
      .slice()
      .sort((a, b) => String(a.userName ?? a.userId).localeCompare(String(b.userName ?? b.userId)))
      .map((user) => {
        const item = document.createElement('li');
        item.dataset.userId = String(user.userId);
        const who = document.createElement('span');
        who.className = 'who';
        who.textContent = user.userName ? `${user.userName} (${user.userId})` : String(user.userId);
        const seen = document.createElement('time');
        seen.className = 'seen';
        seen.dateTime = user.lastSeen;
        seen.textContent = `since ${new Date(user.lastSeen).toLocaleTimeString()}`;
        item.append(who, seen);
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
});

logout.addEventListener('click', () => {
  void client?.goOffline();
  logout.disabled = true;
});
