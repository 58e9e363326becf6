#!/usr/bin/env node
// Takes the widget screenshots shown in docs/widget.md: the open widget with a short conversation,
// light and dark, desktop (1280×800) and mobile (390×844), into docs/img/. Run by hand after a
// visible change (`npm run build && node scripts/screenshots.mjs`), not by CI.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import PusherJs from 'pusher-js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(ROOT, 'docs/img');
const ADMIN = { email: 'admin@example.com', password: 'screenshot-password' };

const SHOTS = [
  { name: 'widget-light-desktop.png', colorScheme: 'light', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false },
  { name: 'widget-dark-desktop.png', colorScheme: 'dark', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false },
  { name: 'widget-light-mobile.png', colorScheme: 'light', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true },
  { name: 'widget-dark-mobile.png', colorScheme: 'dark', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true },
];

const CONVERSATION = [
  ['visitor', 'Hi! Does the blue watering can come in a bigger size?'],
  ['agent', 'It does: the 10 litre one is back in stock today. Shall I send you the link?'],
  ['visitor', 'Yes please, thank you!'],
];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `check()` is truthy, polling every 100 ms for at most `ms`. */
async function until(what, check, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startParley() {
  const cwd = mkdtempSync(join(tmpdir(), 'parley-shots-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH ?? '',
    STORAGE_PATH: join(cwd, 'storage'),
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: url,
    LOG_LEVEL: 'info',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  };
  const child = spawn(process.execPath, [join(ROOT, 'bin/parley.js'), 'start'], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  await until('"Parley is listening"', () => out.includes('Parley is listening') || child.exitCode !== null, 20_000);
  if (child.exitCode !== null) throw new Error(`parley exited:\n${out}`);
  return {
    url,
    stop() {
      child.kill('SIGKILL');
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

async function login(url) {
  const res = await fetch(`${url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (!res.ok) throw new Error(`login answered ${res.status}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('parley_session=')).split(';')[0];
  const { csrf_token } = await res.json();
  const headers = { cookie, 'x-csrf-token': csrf_token };
  const post = async (path, body) => {
    const r = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`POST ${path} answered ${r.status}: ${await r.text()}`);
    return r;
  };
  return { cookie, post, headers };
}

/** The agent joins presence-agents, as the open dashboard would, so the widget says "We're online". */
async function goOnline(url, cookie) {
  const config = await (await fetch(`${url}/api/chat/config`)).json();
  const pusher = new PusherJs(config.key, {
    cluster: 'mt1',
    wsHost: config.wsHost,
    wsPort: config.wsPort,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: {
      endpoint: `${url}/broadcasting/auth`,
      transport: 'ajax',
      customHandler: ({ socketId, channelName }, callback) => {
        fetch(`${url}/broadcasting/auth`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ socket_id: socketId, channel_name: channelName }) })
          .then(async (res) => callback(null, await res.json()))
          .catch((error) => callback(error, null));
      },
    },
  });
  await new Promise((resolve, reject) => {
    const channel = pusher.subscribe('presence-agents');
    channel.bind('pusher:subscription_succeeded', resolve);
    channel.bind('pusher:subscription_error', reject);
  });
  return pusher;
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/web/js/live-chat.js'))) throw new Error('dist/web/js/live-chat.js is missing: run npm run build first');
  mkdirSync(OUT, { recursive: true });
  const parley = await startParley();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let presence;
  try {
    const agent = await login(parley.url);
    presence = await goOnline(parley.url, agent.cookie);
    for (const shot of SHOTS) {
      const { name, ...options } = shot;
      const context = await browser.newContext({ ...options, locale: 'en-GB', timezoneId: 'Europe/London', reducedMotion: 'reduce' });
      const page = await context.newPage();
      await page.goto(`${parley.url}/`);
      await page.locator('#parley-widget [data-parley="launcher"]').click();
      const composer = page.locator('#parley-widget textarea[data-parley="composer"]');
      await composer.waitFor();
      let id;
      for (const [sender, body] of CONVERSATION) {
        if (sender === 'visitor') {
          await composer.fill(body);
          await composer.press('Enter');
          if (id === undefined) {
            id = await until('a stored conversation', () => page.evaluate(() => globalThis.localStorage.getItem('chat_conversation_id')));
            // Assigned, so the header can name the agent.
            await agent.post(`/api/agent/conversations/${id}/assign`, {});
          }
        } else {
          await agent.post(`/api/agent/conversations/${id}/messages`, { body, client_message_id: `shot-${name}-${body.length}` });
        }
        await until(`"${body}" shown as sent`, () =>
          page
            .locator('#parley-widget [data-parley="message"]')
            .evaluateAll((els, text) => els.some((el) => el.querySelector('[data-parley="body"]')?.textContent === text && el.getAttribute('data-state') !== 'pending'), body),
        );
      }
      await page.screenshot({ path: join(OUT, name) });
      console.log(`docs/img/${name}`);
      await agent.post(`/api/agent/conversations/${id}/close`);
      await context.close();
    }
  } finally {
    presence?.disconnect();
    await browser.close();
    parley.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
