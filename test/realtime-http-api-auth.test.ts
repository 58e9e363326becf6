import { describe, expect, it } from 'vitest';
import { httpSignature, md5Hex } from '../src/realtime/protocol/signatures.js';
import { answer, APP_ID, KEY, SECRET, usePusherApiParley } from './support/pusher-api-parley.js';

const s = usePusherApiParley();
const { serverSdk, signedFetch } = s;

describe('Pusher HTTP API: authentication and errors', () => {
  it('refuses a request signed with the wrong secret with 401', async () => {
    const result = await answer(serverSdk({ secret: 'not-the-secret' }).trigger('news', 'E', {}));

    expect(result).toEqual({ status: 401, body: { error: expect.stringContaining('signature') as unknown } });
  });

  it('refuses a stale auth_timestamp with 401', async () => {
    const stale = Math.floor(Date.now() / 1000) - 601;

    const result = await signedFetch('GET', `/apps/${APP_ID}/channels`, { timestamp: stale });

    expect(result).toEqual({ status: 401, body: { error: expect.stringContaining('auth_timestamp') as unknown } });
  });

  it('refuses a body that does not match body_md5 with 401', async () => {
    const path = `/apps/${APP_ID}/events`;
    const signedBody = JSON.stringify({ name: 'E', data: '{}', channel: 'news' });
    const query: Record<string, string> = { auth_key: KEY, auth_timestamp: String(Math.floor(Date.now() / 1000)), auth_version: '1.0', body_md5: md5Hex(signedBody) };
    query.auth_signature = httpSignature(SECRET, 'POST', path, query);

    const response = await fetch(`http://127.0.0.1:${s.port}${path}?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'E', data: '{"tampered":true}', channel: 'news' }),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.stringContaining('body_md5') as unknown });
  });

  it('answers 404 for an unknown app id and for an unknown endpoint', async () => {
    const unknownApp = await answer(serverSdk({ appId: '999999' }).trigger('news', 'E', {}));
    const unknownEndpoint = await signedFetch('GET', `/apps/${APP_ID}/nothing-here`);

    expect(unknownApp).toEqual({ status: 404, body: { error: expect.stringContaining('999999') as unknown } });
    expect(unknownEndpoint).toEqual({ status: 404, body: { error: expect.any(String) as unknown } });
  });

  it('refuses a request body over 256 KB with 413, before checking it', async () => {
    const body = JSON.stringify({ name: 'E', channel: 'news', data: 'x'.repeat(256 * 1024) });

    const result = await signedFetch('POST', `/apps/${APP_ID}/events`, { body });

    expect(result).toEqual({ status: 413, body: { error: expect.stringContaining('bytes') as unknown } });
  });

  it('refuses a body that is not JSON with 400', async () => {
    const result = await signedFetch('POST', `/apps/${APP_ID}/events`, { body: '{not json' });

    expect(result).toEqual({ status: 400, body: { error: expect.stringContaining('JSON') as unknown } });
  });
});
