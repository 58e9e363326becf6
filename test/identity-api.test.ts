import { SignJWT, type JWTPayload } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AgentConversationDto, MessageDto } from '../src/chat/dto.js';
import { ENGINES } from './support/engines.js';
import { startHarness, useHarness, type Harness } from './support/harness.js';

const SECRET = 'identity-secret-shared-with-the-host-site-0123';
const SITE = 'https://shop.example';
const FP_A = 'a'.repeat(64);
const FP_B = 'b'.repeat(64);

/** Two devices of one user: other fingerprint, IP and user agent. */
const LAPTOP = { ip: '203.0.113.10', fingerprint: FP_A, ua: 'Mozilla/5.0 (X11; Linux x86_64) Laptop/1.0' };
const PHONE = { ip: '198.51.100.7', fingerprint: FP_B, ua: 'Mozilla/5.0 (iPhone) Phone/1.0' };
type Device = typeof LAPTOP;

interface Session {
  conversation: { id: number };
  visitor_token: string;
  messages: MessageDto[];
  resumed?: boolean;
}

/** What the host site's backend signs for its logged-in user (docs/identity.md). */
async function identityToken(claims: JWTPayload & { sub: string }, secret = SECRET, expiresIn = '1h'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().setExpirationTime(expiresIn).sign(new TextEncoder().encode(secret));
}

describe.each(ENGINES)('verified visitors (docs/identity.md) on %s', (engine) => {
  const harness = useHarness(engine, { CHAT_IDENTITY_SECRET: SECRET });
  let h: Harness;
  let ada: string;
  let bob: string;
  beforeEach(async () => {
    h = harness.h;
    ada = await identityToken({ sub: 'user-ada', name: 'Ada Lovelace', email: 'ada@example.com' });
    bob = await identityToken({ sub: 'user-bob', name: 'Bob' });
  });

  const start = (device: Device, json: Record<string, unknown>, headers: Record<string, string> = {}) =>
    h.request({ method: 'POST', url: '/api/chat/start', ip: device.ip, json: { fingerprint: device.fingerprint, ...json }, headers: { origin: SITE, 'user-agent': device.ua, ...headers } });
  const lookup = (device: Device, json: Record<string, unknown> = {}) =>
    h.request({ method: 'POST', url: '/api/chat/lookup', ip: device.ip, json: { fingerprint: device.fingerprint, ...json }, headers: { origin: SITE, 'user-agent': device.ua } });
  const visitorHeaders = (token: string, identity?: string) => ({ authorization: `Bearer ${token}`, ...(identity ? { 'x-parley-identity': identity } : {}) });
  const messages = (device: Device, s: Session, identity?: string) =>
    h.request({ method: 'GET', url: `/api/chat/${s.conversation.id}/messages`, ip: device.ip, headers: visitorHeaders(s.visitor_token, identity) });
  const send = (device: Device, s: Session, body: string, identity?: string) =>
    h.request({ method: 'POST', url: `/api/chat/${s.conversation.id}/messages`, ip: device.ip, json: { body }, headers: visitorHeaders(s.visitor_token, identity) });
  const channelAuth = (s: Session, identity?: string) =>
    h.request({ method: 'POST', url: '/broadcasting/auth', json: { socket_id: '1234.5678', channel_name: `private-conversation.${s.conversation.id}` }, headers: visitorHeaders(s.visitor_token, identity) });

  it('follows the user to another device with the whole transcript, no fingerprint involved', async () => {
    const first = await start(LAPTOP, { message: 'Where is order 1234?', identity_token: ada });
    expect(first.statusCode, first.body).toBe(201);
    const laptop = first.json<Session>();

    const second = await start(PHONE, { identity_token: ada });
    expect(second.statusCode, second.body).toBe(200);
    const phone = second.json<Session>();
    expect(phone.resumed).toBe(true);
    expect(phone.conversation.id).toBe(laptop.conversation.id);
    expect(phone.messages.map((m) => m.body)).toEqual(['Where is order 1234?']);

    expect((await send(PHONE, phone, 'Sent from my phone', ada)).statusCode).toBe(201);
    const onLaptop = await messages(LAPTOP, laptop, ada);
    expect(onLaptop.json<{ messages: MessageDto[] }>().messages.map((m) => m.body)).toEqual(['Where is order 1234?', 'Sent from my phone']);

    const found = await lookup(PHONE, { identity_token: ada });
    expect(found.json()).toMatchObject({ match: 'device', conversation: { id: laptop.conversation.id } });
  });

  it('prefills the name and email and shows agents the verified user id', async () => {
    const s = (await start(LAPTOP, { name: 'Someone else', message: 'hi', identity_token: ada })).json<Session>();
    const { headers } = await h.loginAs();
    const res = await h.request({ method: 'GET', url: `/api/agent/conversations/${s.conversation.id}`, headers });
    expect(res.json<{ conversation: AgentConversationDto }>().conversation).toMatchObject({
      visitor_name: 'Ada Lovelace',
      visitor_email: 'ada@example.com',
      visitor_user_id: 'user-ada',
      identity_verified: true,
    });
    const row = await h.parley.storage.db.selectFrom('conversations').select(['visitor_user_id', 'identity_verified']).where('id', '=', s.conversation.id).executeTakeFirstOrThrow();
    expect({ ...row, identity_verified: Number(row.identity_verified) }).toEqual({ visitor_user_id: 'user-ada', identity_verified: 1 });
  });

  it("another user's token never opens it, even with its visitor token", async () => {
    const adas = (await start(LAPTOP, { message: 'private', identity_token: ada })).json<Session>();
    const bobs = await start(LAPTOP, { identity_token: bob });
    expect(bobs.statusCode).toBe(201);
    expect(bobs.json<Session>().conversation.id).not.toBe(adas.conversation.id);
    expect(bobs.body).not.toContain('private');
    expect((await messages(LAPTOP, adas, bob)).statusCode).toBe(404);
    expect((await send(LAPTOP, adas, 'hello', bob)).statusCode).toBe(404);
    expect((await channelAuth(adas, bob)).statusCode).toBe(403);
    expect((await lookup(LAPTOP, { identity_token: bob })).json()).toMatchObject({ match: 'device', conversation: { id: bobs.json<Session>().conversation.id } });
    const carol = await identityToken({ sub: 'user-carol' });
    expect((await lookup(LAPTOP, { identity_token: carol })).json()).toEqual({ match: 'none' });
  });

  it('an anonymous visitor on the same device and network cannot resume it by fingerprint, nor read it with the stored token after a logout', async () => {
    const adas = (await start(LAPTOP, { message: 'private', identity_token: ada })).json<Session>();
    expect((await lookup(LAPTOP)).json()).toEqual({ match: 'none' });
    const anonymous = await start(LAPTOP, {});
    expect(anonymous.statusCode).toBe(201);
    expect(anonymous.json<Session>().conversation.id).not.toBe(adas.conversation.id);
    const stored = await start(LAPTOP, { conversation_id: adas.conversation.id }, { authorization: `Bearer ${adas.visitor_token}` });
    expect(stored.json<Session>().conversation.id).not.toBe(adas.conversation.id);
    expect(stored.body).not.toContain('private');
    expect((await messages(LAPTOP, adas)).statusCode).toBe(404);
    expect((await channelAuth(adas)).statusCode).toBe(403);
    expect((await channelAuth(adas, ada)).statusCode).toBe(200);
  });

  it('a verified visitor is not resumed into an anonymous conversation found by fingerprint', async () => {
    const anonymous = (await start(LAPTOP, { message: 'anonymous question' })).json<Session>();
    const verified = await start(LAPTOP, { identity_token: ada });
    expect(verified.statusCode).toBe(201);
    expect(verified.json<Session>().conversation.id).not.toBe(anonymous.conversation.id);
  });

  it('refuses an invalid, expired or foreign token with 401 identity_invalid, on start, lookup and other requests', async () => {
    const expired = await identityToken({ sub: 'user-ada' }, SECRET, '-2 minutes');
    const forged = await identityToken({ sub: 'user-ada' }, 'another-secret-of-the-same-length-0123456789');
    for (const token of [expired, forged, 'not-a-jwt', `${ada}x`]) {
      for (const res of [await start(LAPTOP, { identity_token: token }), await lookup(LAPTOP, { identity_token: token })]) {
        expect(res.statusCode, res.body).toBe(401);
        expect(res.json<{ error: { code: string } }>().error.code).toBe('identity_invalid');
      }
    }
    const adas = (await start(LAPTOP, { identity_token: ada })).json<Session>();
    const stale = await messages(LAPTOP, adas, expired);
    expect(stale.statusCode).toBe(401);
    expect(stale.json<{ error: { code: string } }>().error.code).toBe('identity_invalid');
    expect(await h.parley.storage.db.selectFrom('conversations').select('id').execute()).toHaveLength(1);
  });

  it('continues to serve anonymous visitors as before', async () => {
    const s = await start(LAPTOP, { message: 'hello' });
    expect(s.statusCode).toBe(201);
    expect((await messages(LAPTOP, s.json<Session>())).statusCode).toBe(200);
  });
});

describe.each(ENGINES)('identity tokens without CHAT_IDENTITY_SECRET on %s', (engine) => {
  const harness = useHarness(engine);
  it('are refused as identity_invalid; the widget then continues anonymously', async () => {
    const token = await identityToken({ sub: 'user-ada' });
    const res = await harness.h.request({ method: 'POST', url: '/api/chat/start', json: { fingerprint: FP_A, identity_token: token }, headers: { origin: SITE } });
    expect(res.statusCode).toBe(401);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('identity_invalid');
  });
});

// The secret must be long enough to resist guessing: a short one stops the server at start.
describe('CHAT_IDENTITY_SECRET', () => {
  it('must be at least 32 characters', async () => {
    await expect(startHarness('sqlite', { CHAT_IDENTITY_SECRET: 'short' })).rejects.toThrow(/CHAT_IDENTITY_SECRET/);
  });
});
