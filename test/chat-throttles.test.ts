import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, startHarness, type Harness } from './support/harness.js';

const FP = 'a'.repeat(64);
const SITE = 'https://shop.example';

/** The documented refusal: 429, `rate_limited`, and a `Retry-After` in whole seconds. */
function expectLimited(res: LightMyRequestResponse): void {
  expect(res.statusCode).toBe(429);
  expect(res.json()).toMatchObject({ error: { code: 'rate_limited' } });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

describe('per-IP throttles on the customer API and channel authorisation (docs/api.md, "Session persistence")', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  const lookup = (ip: string) => h.request({ method: 'POST', url: '/api/chat/lookup', ip, json: { fingerprint: FP }, headers: { origin: SITE } });

  it('limits lookup per IP (CHAT_RATE_LIMIT_LOOKUP); other IPs keep their own budget', async () => {
    h = await startHarness('sqlite', { CHAT_RATE_LIMIT_LOOKUP: '2/1m' });
    expect((await lookup('203.0.113.1')).statusCode).toBe(200);
    expect((await lookup('203.0.113.1')).statusCode).toBe(200);
    expectLimited(await lookup('203.0.113.1'));
    expect((await lookup('203.0.113.2')).statusCode).toBe(200);
  });

  it('counts every IPv6 address of one /64 as one client, and another /64 as another', async () => {
    h = await startHarness('sqlite', { CHAT_RATE_LIMIT_LOOKUP: '2/1m' });
    expect((await lookup('2001:db8:1:2::1')).statusCode).toBe(200);
    expect((await lookup('2001:db8:1:2:ffff:ffff:ffff:fffe')).statusCode).toBe(200);
    expectLimited(await lookup('2001:db8:1:2::99'));
    expect((await lookup('2001:db8:1:3::1')).statusCode).toBe(200);
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address', async () => {
    h = await startHarness('sqlite', { CHAT_RATE_LIMIT_LOOKUP: '2/1m' });
    expect((await lookup('203.0.113.7')).statusCode).toBe(200);
    expect((await lookup('::ffff:203.0.113.7')).statusCode).toBe(200);
    expectLimited(await lookup('203.0.113.7'));
  });

  it('limits resume per IP (CHAT_RATE_LIMIT_RESUME), counting refused tickets too', async () => {
    h = await startHarness('sqlite', { CHAT_RATE_LIMIT_RESUME: '2/1m' });
    const resume = () => h.request({ method: 'POST', url: '/api/chat/resume', ip: '203.0.113.1', json: { resume_ticket: 'guess', fingerprint: FP }, headers: { origin: SITE } });
    expect((await resume()).statusCode).toBe(404);
    expect((await resume()).statusCode).toBe(404);
    expectLimited(await resume());
  });

  it('limits read receipts per IP (CHAT_RATE_LIMIT_READ)', async () => {
    h = await startHarness('sqlite', { CHAT_RATE_LIMIT_READ: '2/1m' });
    const started = (await h.request({ method: 'POST', url: '/api/chat/start', json: { message: 'hi' } })).json() as { conversation: { id: number }; visitor_token: string };
    const read = () =>
      h.request({ method: 'POST', url: `/api/chat/${started.conversation.id}/read`, json: { seq: 1 }, headers: { authorization: `Bearer ${started.visitor_token}` } });
    expect((await read()).statusCode).toBe(204);
    expect((await read()).statusCode).toBe(204);
    expectLimited(await read());
  });

  it('limits conversation starts per /64 as well', async () => {
    h = await startHarness('sqlite', { CHAT_RATE_LIMIT_START: '1/1m' });
    expect((await h.request({ method: 'POST', url: '/api/chat/start', ip: '2001:db8::1', json: {} })).statusCode).toBe(201);
    expectLimited(await h.request({ method: 'POST', url: '/api/chat/start', ip: '2001:db8::2', json: {} }));
  });

  it('limits /broadcasting/auth and /broadcasting/user-auth per IP (BROADCAST_RATE_LIMIT_AUTH), refusals counted', async () => {
    h = await startHarness('sqlite', { BROADCAST_RATE_LIMIT_AUTH: '2/1m' });
    for (const url of ['/broadcasting/auth', '/broadcasting/user-auth']) {
      const auth = () => h.request({ method: 'POST', url, ip: '203.0.113.9', json: { socket_id: '1.1', channel_name: 'private-conversation.1' } });
      expect((await auth()).statusCode).toBe(403);
      expect((await auth()).statusCode).toBe(403);
      expectLimited(await auth());
    }
  });
});

describe('agent login throttles', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  const login = (email: string, password: string, ip: string) => h.request({ method: 'POST', url: '/api/agent/login', ip, json: { email, password } });

  it('limits attempts per account (AGENT_RATE_LIMIT_LOGIN_ACCOUNT) whatever the IP, the email compared as login compares it', async () => {
    h = await startHarness('sqlite', { AGENT_RATE_LIMIT_LOGIN_ACCOUNT: '2/1m' });
    expect((await login(ADMIN.email, 'wrong-1', '198.51.100.1')).statusCode).toBe(401);
    expect((await login(` ${ADMIN.email.toUpperCase()} `, 'wrong-2', '198.51.100.2')).statusCode).toBe(401);
    const limited = await login(ADMIN.email, ADMIN.password, '198.51.100.3');
    expectLimited(limited);
    expect(limited.cookies).toEqual([]);
    // Another account is not affected.
    expect((await login('someone@example.test', 'whatever', '198.51.100.3')).statusCode).toBe(401);
  });

  it('limits attempts per IP (AGENT_RATE_LIMIT_LOGIN), IPv6 per /64, across accounts', async () => {
    h = await startHarness('sqlite', { AGENT_RATE_LIMIT_LOGIN: '2/1m' });
    expect((await login('a@example.test', 'x', '2001:db8:5:5::1')).statusCode).toBe(401);
    expect((await login('b@example.test', 'x', '2001:db8:5:5::2')).statusCode).toBe(401);
    expectLimited(await login(ADMIN.email, ADMIN.password, '2001:db8:5:5::3'));
    expect((await login(ADMIN.email, ADMIN.password, '2001:db8:5:6::1')).statusCode).toBe(200);
  });

  it('answers a login flood beyond the bounded argon2 queue with 503 service_unavailable and Retry-After, then serves again', async () => {
    h = await startHarness('sqlite');
    const flood = await Promise.all(Array.from({ length: 200 }, (_, i) => login(i % 2 ? ADMIN.email : `nobody${i}@example.test`, 'wrong password', `198.51.100.${i % 250}`)));
    const statuses = new Set(flood.map((r) => r.statusCode));
    expect([...statuses].sort()).toEqual([401, 503]);
    const busy = flood.find((r) => r.statusCode === 503) as LightMyRequestResponse;
    expect(busy.json()).toMatchObject({ error: { code: 'service_unavailable' } });
    expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(ADMIN.email, ADMIN.password, '198.51.100.251')).statusCode).toBe(200);
  });
});
