/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildTestApp, type TestApp } from '../support/build-test-app';

jest.setTimeout(60_000);

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const artifacts = resolve(__dirname, '../../test-artifacts');

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

const onlineIn = (page: Page): Promise<string[]> =>
  page.$$eval('#users li', (items) => items.map((li) => (li as HTMLElement).dataset['userId'] ?? '').sort());

async function logIn(page: Page, url: string, userId: string, userName: string): Promise<void> {
  await page.goto(url);
  await page.fill('input[name=userId]', userId);
  await page.fill('input[name=userName]', userName);
  await page.click('button[type=submit]');
}

describe('the live presence page in a real browser', () => {
  let app: TestApp;
  let browser: Browser;
  const env = { PRESENCE_DISCONNECT_GRACE_MS: '300', PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '50' };

  beforeAll(async () => {
    app = await buildTestApp(env);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows two users each other, one leaving after the grace, and survives a server restart with no ghost', async () => {
    const alice = await (await browser.newContext()).newPage();
    const bobContext = await browser.newContext();
    const bob = await bobContext.newPage();
    await logIn(alice, app.url, 'alice', 'Alice');
    await logIn(bob, app.url, 'bob', 'Bob');

    await alice.waitForFunction(() => document.querySelector('#users li[data-user-id="bob"]') !== null);
    await bob.waitForFunction(() => document.querySelector('#users li[data-user-id="alice"]') !== null);
    expect(await alice.textContent('#connection')).toBe('connected');
    expect(await alice.textContent('#users li[data-user-id="bob"] .who')).toBe('Bob (bob)');
    mkdirSync(artifacts, { recursive: true });
    await alice.screenshot({ path: resolve(artifacts, 'presence-page.png'), fullPage: true });

    await bobContext.close();
    await alice.waitForFunction(() => document.querySelector('#users li[data-user-id="bob"]') === null);
    expect(await onlineIn(alice)).toEqual(['alice']);

    const port = app.port;
    await app.stop();
    await alice.waitForFunction(() => document.querySelector('#connection')?.textContent !== 'connected');
    app = await buildTestApp({ ...env, PORT: String(port) });
    await alice.waitForFunction(() => document.querySelector('#connection')?.textContent === 'connected', undefined, { timeout: 20_000 });
    await alice.waitForFunction(() => document.querySelector('#users li[data-user-id="alice"]') !== null, undefined, { timeout: 20_000 });
    expect(await onlineIn(alice)).toEqual(['alice']);
  });

  it('shows a page left alone as away on another page, and available again on its next input; and a chosen busy', async () => {
    const port = app.port;
    await app.stop();
    app = await buildTestApp({ ...env, PORT: String(port), PRESENCE_IDLE_MS: '1500' });
    const dana = await (await browser.newContext()).newPage();
    const eve = await (await browser.newContext()).newPage();
    await logIn(dana, app.url, 'dana', 'Dana');
    await logIn(eve, app.url, 'eve', 'Eve');
    const shownAs = (page: Page, userId: string, availability: string) =>
      page.waitForFunction(
        ([id, wanted]) => document.querySelector(`#users li[data-user-id="${id}"]`)?.getAttribute('data-availability') === wanted,
        [userId, availability],
        { timeout: 20_000 },
      );
    await shownAs(eve, 'dana', 'available');
    // Eve keeps busy at her page; Dana's is left alone (the client takes PRESENCE_IDLE_MS from userOnline's ack).
    const typing = setInterval(() => void eve.keyboard.press('Shift').catch(() => undefined), 200);
    try {
      await shownAs(eve, 'dana', 'away');
      expect(await eve.getAttribute('#users li[data-user-id="eve"]', 'data-availability')).toBe('available');
      mkdirSync(artifacts, { recursive: true });
      await eve.screenshot({ path: resolve(artifacts, 'presence-page-away.png'), fullPage: true });
      await dana.mouse.move(40, 40);
      await dana.mouse.move(80, 60);
      await shownAs(eve, 'dana', 'available');
    } finally {
      clearInterval(typing);
    }
    await dana.selectOption('#status select[name=availability]', 'busy');
    await dana.fill('#status input[name=statusText]', 'in a call');
    await dana.click('#status button[type=submit]');
    await shownAs(eve, 'dana', 'busy');
    expect(await eve.textContent('#users li[data-user-id="dana"] .availability')).toBe('busy: in a call');
  });

  it('loads with no failed request, and loads again from its cache after asking whether each file changed', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const files = ['/', '/app.js', '/style.css', '/client/presence-client.js'];
      // The headers the network stack adds (If-None-Match among them) can only be read after the event.
      let answers: Array<Promise<{ path: string; status: number; ifNoneMatch: string | undefined }>> = [];
      const failures: string[] = [];
      page.on('response', (res) =>
        answers.push(res.request().allHeaders().then((sent) => ({ path: new URL(res.url()).pathname, status: res.status(), ifNoneMatch: sent['if-none-match'] }))),
      );
      page.on('requestfailed', (req) => failures.push(`${req.url()}: ${req.failure()?.errorText ?? 'failed'}`));
      await logIn(page, app.url, 'carol', 'Carol');
      await page.waitForFunction(() => document.querySelector('#connection')?.textContent === 'connected');
      // The browser asks for the icon itself, after the load.
      await page.waitForLoadState('networkidle');
      const first = await Promise.all(answers);
      expect(failures).toEqual([]);
      expect(first.filter((a) => a.status >= 400)).toEqual([]);
      expect(first.map((a) => a.path)).toEqual(expect.arrayContaining([...files, '/favicon.svg']));

      answers = [];
      await page.goto(app.url, { waitUntil: 'networkidle' });
      const again = (await Promise.all(answers)).filter((a) => files.includes(a.path));
      expect(again.map((a) => a.path).sort()).toEqual([...files].sort());
      expect(again.filter((a) => a.ifNoneMatch === undefined)).toEqual([]);
      // Chromium reports a navigation revalidated from its cache as the cached 200; the files it loads show the 304.
      expect(again.filter((a) => a.path !== '/' && a.status !== 304)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
