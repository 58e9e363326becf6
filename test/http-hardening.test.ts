import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT, expectFailure } from './support/agent-api.js';
import { startHarness, testConfig, type Harness } from './support/harness.js';
import { contentSecurityPolicy } from '../src/http/csp.js';

// HTTP hardening (docs/security.md, "HTTP limits"): timeouts, TRUST_PROXY, page addresses, CSP, no-store, /metrics token.

const FINGERPRINT = 'fp00000000000000hardening';

describe('HTTP hardening', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const start = async (env: Record<string, string> = {}) => (h = await startHarness('sqlite', env));

  describe('timeouts', () => {
    /** Opens a raw connection to the listening app; resolves with what the server wrote once it closes. */
    const rawClient = async (harness: Harness): Promise<{ socket: Socket; closed: Promise<string> }> => {
      await harness.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = harness.app.server.address() as AddressInfo;
      const socket = connect({ port, host: '127.0.0.1' });
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('error', () => undefined);
      const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
      await new Promise((resolve) => socket.once('connect', resolve));
      return { socket, closed };
    };

    it('cuts a client that dribbles its headers past HTTP_HEADERS_TIMEOUT (408, connection closed), and keeps serving', async () => {
      const harness = await start({ HTTP_HEADERS_TIMEOUT: '1', HTTP_REQUEST_TIMEOUT: '2', HTTP_IDLE_TIMEOUT: '60' });
      const { socket, closed } = await rawClient(harness);
      socket.write('GET /up HTTP/1.1\r\nHost: x\r\n');
      // One header line every 200 ms: never idle, never finished.
      const dribble = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
      const began = Date.now();
      try {
        const answer = await closed;
        expect(answer).toMatch(/^HTTP\/1\.1 408/);
        expect(Date.now() - began).toBeLessThan(5_000);
      } finally {
        clearInterval(dribble);
      }
      expect((await harness.request({ method: 'GET', url: '/up' })).statusCode).toBe(200);
    });

    it('closes a connection that sends nothing for HTTP_IDLE_TIMEOUT', async () => {
      const harness = await start({ HTTP_IDLE_TIMEOUT: '1' });
      const { closed } = await rawClient(harness);
      const began = Date.now();
      await closed;
      expect(Date.now() - began).toBeLessThan(5_000);
    });

    it('sets nginx-like defaults: headers 60 s, whole request 120 s, idle 60 s, keep-alive 75 s', async () => {
      const server = (await start()).app.server;
      expect({ headers: server.headersTimeout, request: server.requestTimeout, idle: server.timeout, keepAlive: server.keepAliveTimeout }).toEqual({
        headers: 60_000,
        request: 120_000,
        idle: 60_000,
        keepAlive: 75_000,
      });
    });

    it('refuses HTTP_HEADERS_TIMEOUT longer than HTTP_REQUEST_TIMEOUT at start-up, naming it', () => {
      expect(() => testConfig({ HTTP_HEADERS_TIMEOUT: '90', HTTP_REQUEST_TIMEOUT: '60' })).toThrow(/HTTP_HEADERS_TIMEOUT/);
    });
  });

  describe('TRUST_PROXY', () => {
    /** The IP a conversation started through `peer` with `X-Forwarded-For: forwarded` is stored with. */
    const storedIp = async (harness: Harness, peer: string, forwarded: string): Promise<string> => {
      const res = await harness.request({ method: 'POST', url: '/api/chat/start', ip: peer, headers: { 'x-forwarded-for': forwarded }, json: { fingerprint: FINGERPRINT } });
      expect(res.statusCode, res.body).toBe(201);
      const admin = await harness.loginAs();
      const id = res.json<{ conversation: { id: number } }>().conversation.id;
      const transcript = await harness.request({ method: 'GET', url: `/api/agent/conversations/${id}`, headers: admin.headers });
      return transcript.json<{ conversation: { client_ip: string } }>().conversation.client_ip;
    };

    it('ignores X-Forwarded-For from a peer outside the listed CIDRs', async () => {
      expect(await storedIp(await start({ TRUST_PROXY: '10.0.0.0/8' }), '198.51.100.7', '203.0.113.99')).toBe('198.51.100.7');
    });

    it('believes X-Forwarded-For from a listed proxy, taking the nearest untrusted hop', async () => {
      expect(await storedIp(await start({ TRUST_PROXY: '10.0.0.0/8' }), '10.1.2.3', '192.0.2.1, 203.0.113.99')).toBe('203.0.113.99');
    });

    it('TRUST_PROXY=true trusts a loopback proxy only, not every peer', async () => {
      const harness = await start({ TRUST_PROXY: 'true' });
      expect(await storedIp(harness, '198.51.100.7', '203.0.113.99')).toBe('198.51.100.7');
      expect(await storedIp(harness, '127.0.0.1', '203.0.113.98')).toBe('203.0.113.98');
    });
  });

  describe('page_url and referrer', () => {
    it.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'ftp://files.example/x'])('refuses %s with 422 naming the field', async (address) => {
      const harness = await start();
      for (const field of ['page_url', 'referrer']) {
        const res = await harness.request({ method: 'POST', url: '/api/chat/start', json: { fingerprint: FINGERPRINT, [field]: address } });
        expectFailure(res, 422, 'validation_failed', field);
      }
    });

    it('stores them without query, fragment or credentials', async () => {
      const harness = await start();
      const res = await harness.request({
        method: 'POST',
        url: '/api/chat/start',
        json: { fingerprint: FINGERPRINT, page_url: 'https://shop.example/cart?token=secret#pay', referrer: 'https://user:pw@search.example/q?q=my+name' },
      });
      expect(res.statusCode, res.body).toBe(201);
      const admin = await harness.loginAs();
      const transcript = await harness.request({ method: 'GET', url: `/api/agent/conversations/${res.json<{ conversation: { id: number } }>().conversation.id}`, headers: admin.headers });
      expect(transcript.json<{ conversation: { page_url: string; referrer: string } }>().conversation).toMatchObject({
        page_url: 'https://shop.example/cart',
        referrer: 'https://search.example/q',
      });
    });
  });

  describe('Content-Security-Policy', () => {
    const directives = (policy: string | undefined): Map<string, string> =>
      new Map((policy ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([name = '', ...values]) => [name, values.join(' ')]));

    it.each(['/stratus', '/stratus/login', '/'])("%s forbids framing, <base>, plugins and WebSockets to any host but Parley's own", async (path) => {
      const harness = await start({ REVERB_HOST: 'chat.example', REVERB_PORT: '443', REVERB_SCHEME: 'https' });
      const res = await harness.request({ method: 'GET', url: path });
      const csp = directives(res.headers['content-security-policy'] as string | undefined);
      expect(csp.get('frame-ancestors')).toBe("'none'");
      expect(csp.get('base-uri')).toBe("'none'");
      expect(csp.get('object-src')).toBe("'none'");
      expect(csp.get('connect-src')).toBe("'self' wss://chat.example:443");
    });

    it('derives connect-src from the broadcast driver', () => {
      const connect = (env: Record<string, string>) => directives(contentSecurityPolicy(testConfig(env).broadcast)).get('connect-src');
      expect(connect({ REVERB_HOST: '127.0.0.1', REVERB_PORT: '8080', REVERB_SCHEME: 'http' })).toBe("'self' ws://127.0.0.1:8080 wss://127.0.0.1:8080");
      expect(connect({ BROADCAST_DRIVER: 'pusher', PUSHER_APP_ID: '1', PUSHER_APP_KEY: 'k', PUSHER_APP_SECRET: 's', PUSHER_APP_CLUSTER: 'eu' })).toBe("'self' wss://ws-eu.pusher.com");
      expect(connect({ BROADCAST_DRIVER: 'log' })).toBe("'self'");
    });
  });

  describe('Cache-Control: no-store on answers with personal data', () => {
    it('marks chat and agent API answers no-store, errors included', async () => {
      const harness = await start();
      const started = await harness.request({ method: 'POST', url: '/api/chat/start', json: { fingerprint: FINGERPRINT, message: 'Hi', name: 'Ann' } });
      const { conversation, visitor_token } = started.json<{ conversation: { id: number }; visitor_token: string }>();
      const admin = await harness.loginAs();
      const answers = [
        started,
        await harness.request({ method: 'GET', url: `/api/chat/${conversation.id}/messages`, headers: { authorization: `Bearer ${visitor_token}` } }),
        await harness.request({ method: 'GET', url: `/api/chat/${conversation.id}/messages` }),
        await harness.request({ method: 'GET', url: '/api/agent/me', headers: admin.headers }),
        await harness.request({ method: 'GET', url: `/api/agent/conversations/${conversation.id}`, headers: admin.headers }),
        await harness.request({ method: 'POST', url: '/api/agent/login', json: { email: AGENT.email, password: 'wrong' } }),
      ];
      expect(answers.map((res) => res.headers['cache-control'])).toEqual(answers.map(() => 'no-store'));
    });
  });

  describe('/metrics', () => {
    const TOKEN = 'metrics-token-0123456789abcdef';

    it('is open when METRICS_TOKEN is not set', async () => {
      expect((await (await start()).request({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    });

    it('with METRICS_TOKEN, needs Authorization: Bearer <token> (401 unauthenticated otherwise)', async () => {
      const harness = await start({ METRICS_TOKEN: TOKEN });
      expectFailure(await harness.request({ method: 'GET', url: '/metrics' }), 401, 'unauthenticated');
      expectFailure(await harness.request({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}x` } }), 401, 'unauthenticated');
      expectFailure(await harness.request({ method: 'GET', url: '/metrics', headers: { authorization: TOKEN } }), 401, 'unauthenticated');
      const res = await harness.request({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('# HELP');
    });
  });
});
