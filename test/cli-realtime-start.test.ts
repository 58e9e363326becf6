import { afterEach, describe, expect, it } from 'vitest';
import Pusher from 'pusher';
import { freePort, type ParleyProcess } from './support/process.js';
import { PusherClients } from './support/pusher-clients.js';
import { type Site, useCliSites } from './support/cli-sites.js';

/** The real CLI, compiled, as child processes on real ports. Every wait is bounded; nothing sleeps. */
const { processes, newSite, run } = useCliSites();

describe('parley realtime:start', () => {
  const APP = { REVERB_APP_ID: '424242', REVERB_APP_KEY: 'standalone-key', REVERB_APP_SECRET: 'standalone-secret-0123456789abcdef0123456789' };
  const opened: PusherClients[] = [];
  afterEach(() => {
    for (const clients of opened.splice(0)) clients.closeAll();
  });
  /** A pusher-js client of the standalone server, connected. */
  const connect = (port: number) => {
    const clients = new PusherClients({ port, key: APP.REVERB_APP_KEY });
    opened.push(clients);
    return clients.connect();
  };

  /** Starts the standalone server and waits for its "listening" log line. */
  async function startRealtime(site: Site, ...args: string[]): Promise<{ parley: ParleyProcess; port: number }> {
    const parley = processes.spawn(['realtime:start', '--host', '127.0.0.1', ...args], site);
    const line = await parley.waitFor((p) => p.logs().find((l) => l.msg === 'Realtime server is listening'), '"Realtime server is listening"');
    return { parley, port: Number(line.port) };
  }

  it('serves /up, WebSockets and the Pusher HTTP API on --port, and exits 0 on SIGTERM', async () => {
    const site = await newSite(APP);
    const port = await freePort();
    const { parley } = await startRealtime(site, '--port', String(port));

    const up = await fetch(`http://127.0.0.1:${port}/up`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: 'ok' });
    // Only the realtime server: no chat API here.
    expect((await fetch(`http://127.0.0.1:${port}/api/chat/config`)).status).toBe(404);

    const client = await connect(port);
    await client.subscribe('news');
    const delivered = client.nextEvent<{ text: string }>('news', 'Headline');
    const sdk = new Pusher({ appId: APP.REVERB_APP_ID, key: APP.REVERB_APP_KEY, secret: APP.REVERB_APP_SECRET, host: '127.0.0.1', port: String(port), useTLS: false });
    expect((await sdk.trigger('news', 'Headline', { text: 'hello' })).status).toBe(200);
    expect(await delivered).toEqual({ text: 'hello' });

    expect(await parley.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('listens on REVERB_PORT when --port is not given', async () => {
    const port = await freePort();
    const site = await newSite({ ...APP, REVERB_PORT: String(port) });
    const started = await startRealtime(site);
    expect(started.port).toBe(port);
    expect((await fetch(`http://127.0.0.1:${port}/up`)).status).toBe(200);
  });

  it('logs every WebSocket frame at debug level with --debug', async () => {
    const site = await newSite(APP);
    const port = await freePort();
    const { parley } = await startRealtime(site, '--port', String(port), '--debug');
    const client = await connect(port);
    await client.subscribe('news');
    const frames = await parley.waitFor(
      (p) => {
        const logged = p.logs().filter((l) => l.msg === 'frame in' || l.msg === 'frame out');
        return logged.some((l) => String(l.frame).includes('pusher:subscribe')) && logged.some((l) => String(l.frame).includes('subscription_succeeded')) ? logged : undefined;
      },
      'the subscribe frames in the log',
    );
    expect(frames.every((l) => l.level === 20)).toBe(true);
  });

  it('refuses a bad --port with exit code 1', async () => {
    const site = await newSite(APP);
    const result = await run(site, 'realtime:start', '--port', 'eighty');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--port');
  });
});
