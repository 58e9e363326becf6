import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webRoutes } from '../src/http/routes/web-routes.js';
import { startHarness, type Harness } from './support/harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist/web/js');

describe('serving the widget and the demo page', () => {
  let h: Harness;

  beforeAll(async () => {
    if (!existsSync(join(OUT, 'live-chat.js')) || !existsSync(join(OUT, 'live-chat-app.js')) || !existsSync(join(OUT, 'live-chat-upload.js'))) {
      execFileSync(process.execPath, [join(ROOT, 'scripts/build-widget.mjs')], { cwd: ROOT });
    }
    h = await startHarness('sqlite', { CHAT_ALLOWED_ORIGINS: 'https://shop.example' });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('serves /js/live-chat.js to any site: CORS *, JavaScript, cached for five minutes', async () => {
    const res = await h.request({ method: 'GET', url: '/js/live-chat.js', headers: { origin: 'https://elsewhere.example' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.rawPayload.equals(readFileSync(join(OUT, 'live-chat.js')))).toBe(true);
  });

  it('caches the chat code for a year when asked for by its version, briefly otherwise', async () => {
    const version = (JSON.parse(readFileSync(join(OUT, 'sizes.json'), 'utf8')) as { version: string }).version;
    const current = await h.request({ method: 'GET', url: `/js/live-chat-app.js?v=${version}` });
    expect(current.statusCode).toBe(200);
    expect(current.headers['access-control-allow-origin']).toBe('*');
    expect(current.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const other = await h.request({ method: 'GET', url: '/js/live-chat-app.js?v=0123456789ab' });
    expect(other.headers['cache-control']).toBe('public, max-age=300');
  });

  it('serves the file code (live-chat-upload.js) like the chat code: CORS *, cached for a year by its version', async () => {
    const res = await h.request({ method: 'GET', url: '/js/live-chat-upload.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.rawPayload.equals(readFileSync(join(OUT, 'live-chat-upload.js')))).toBe(true);
    const version = String(res.headers.etag).replace(/^W\/"|"$/g, '');
    const versioned = await h.request({ method: 'GET', url: `/js/live-chat-upload.js?v=${version}` });
    expect(versioned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('sends the precompressed file to browsers that accept gzip, and 304 for a fresh copy', async () => {
    const plain = readFileSync(join(OUT, 'live-chat-app.js'));
    const zipped = await h.request({ method: 'GET', url: '/js/live-chat-app.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toContain('Accept-Encoding');
    expect(gunzipSync(zipped.rawPayload).equals(plain)).toBe(true);
    const again = await h.request({ method: 'GET', url: '/js/live-chat-app.js', headers: { 'if-none-match': String(zipped.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('serves the demo page at / with the widget embedded as a site owner would', async () => {
    const res = await h.request({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<script src="/js/live-chat.js" async></script>');
  });

  it('answers /favicon.ico with 204', async () => {
    expect((await h.request({ method: 'GET', url: '/favicon.ico' })).statusCode).toBe(204);
  });

  it('answers 503, in the error shape, naming `npm run build` when the widget is not built', async () => {
    const app = Fastify();
    await app.register(webRoutes, { root: mkdtempSync(join(tmpdir(), 'parley-unbuilt-')) });
    const res = await app.inject({ method: 'GET', url: '/js/live-chat.js' });
    expect(res.statusCode).toBe(503);
    const body = res.json() as { error: { code: string; message: string } };
    expect(body.error.code).toBe('service_unavailable');
    expect(body.error.message).toContain('npm run build');
    await app.close();
  });
});
