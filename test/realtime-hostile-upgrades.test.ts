import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUSHER_CODES, WEBSOCKET_CLOSE_CODES } from '../src/realtime/protocol/codes.js';
import type { RealtimeNodeProbe } from '../src/main.js';
import { closeReason, parseUpgradeTarget } from '../src/realtime/transport/upgrade-request.js';
import { startHarness, TEST_SECRETS, type Harness } from './support/harness.js';
import { PusherClients, type TestClient } from './support/pusher-clients.js';
import { clientFrame, RawSocket, textFrame, upgradeRequest } from './support/raw-websocket.js';

/**
 * Every byte of a WebSocket upgrade is hostile (docs/security.md): whatever a client writes on a
 * raw TCP socket, only that socket is answered and closed; `GET /up` keeps answering and a
 * pusher-js client connected before it keeps its connection and its events.
 */
describe('hostile WebSocket upgrades against a listening Parley', () => {
  let h: Harness;
  let port: number;
  let clients: PusherClients;
  let bystander: TestClient;
  let realtime: RealtimeNodeProbe;
  let events = 0;
  const KEY = TEST_SECRETS.REVERB_APP_KEY;

  beforeAll(async () => {
    h = await startHarness('sqlite', { CHAT_ALLOWED_ORIGINS: 'https://shop.example' }, { broadcast: 'configured' });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as AddressInfo).port;
    realtime = h.parley.realtimeNode as RealtimeNodeProbe;
    clients = new PusherClients({ port, key: KEY });
    bystander = await clients.connect();
    await bystander.subscribe('news');
  });
  const raws: RawSocket[] = [];
  afterAll(async () => {
    for (const raw of raws) raw.destroy();
    clients?.closeAll();
    await h?.close();
  });

  /** `/up` answers 200, and the bystander is still on its first connection and still receives events. */
  const expectStillServing = async () => {
    const up = await fetch(`http://127.0.0.1:${port}/up`);
    expect(up.status).toBe(200);
    expect(bystander.pusher.connection.state).toBe('connected');
    expect(bystander.pusher.connection.socket_id).toBe(bystander.socketId);
    const n = ++events;
    const arrived = bystander.nextEvent<{ n: number }>('news', 'Ping');
    await realtime.trigger(['news'], 'Ping', JSON.stringify({ n }));
    expect(await arrived).toEqual({ n });
  };

  const upgrade = async (target: string, headers: Record<string, string | null> = {}): Promise<RawSocket> => {
    const raw = await RawSocket.open(port);
    raws.push(raw);
    raw.write(upgradeRequest(target, headers));
    return raw;
  };

  /**
   * Raw UTF-8 bytes in a header value (the request is written as latin1, byte for byte). The
   * texts below start with an odd number of ASCII bytes so a byte-count cut lands inside a character.
   */
  const utf8Bytes = (text: string) => Buffer.from(text).toString('latin1');

  describe('answered with a plain HTTP status, and the socket closed', () => {
    const cases: { name: string; target: string; headers?: Record<string, string | null>; status: number }[] = [
      { name: 'a bad percent-escape in the key (/app/%ZZ)', target: '/app/%ZZ?protocol=7', status: 400 },
      { name: 'a truncated multi-byte escape in the key', target: '/app/%E0%A4%A?protocol=7', status: 400 },
      { name: 'an escape that decodes to invalid UTF-8', target: '/app/%C0%AF?protocol=7', status: 400 },
      { name: 'a 2,000-character key', target: `/app/${'k'.repeat(2_000)}?protocol=7`, status: 400 },
      { name: 'the path //', target: '//', status: 404 },
      { name: 'a path starting with // (//app/{key})', target: `//app/${KEY}?protocol=7`, status: 404 },
      { name: 'a path below the key', target: `/app/${KEY}/extra?protocol=7`, status: 404 },
      { name: 'an absolute-form target', target: `http://evil.example/app/${KEY}?protocol=7`, status: 404 },
      { name: 'a missing Sec-WebSocket-Key', target: `/app/${KEY}?protocol=7`, headers: { 'Sec-WebSocket-Key': null }, status: 400 },
      { name: 'a malformed Sec-WebSocket-Key', target: `/app/${KEY}?protocol=7`, headers: { 'Sec-WebSocket-Key': 'not base64 at all' }, status: 400 },
      { name: 'an unsupported Sec-WebSocket-Version', target: `/app/${KEY}?protocol=7`, headers: { 'Sec-WebSocket-Version': '99' }, status: 400 },
      { name: 'an Upgrade other than websocket', target: `/app/${KEY}?protocol=7`, headers: { Upgrade: 'h2c' }, status: 400 },
      { name: 'a malformed Sec-WebSocket-Protocol', target: `/app/${KEY}?protocol=7`, headers: { 'Sec-WebSocket-Protocol': ',,,' }, status: 400 },
      { name: 'a header value with a control character', target: `/app/${KEY}?protocol=7`, headers: { Origin: 'https://a\u0001.example' }, status: 400 },
      { name: 'a request target with a space-separated tail', target: `/app/${KEY} extra`, status: 400 },
    ];

    it.each(cases)('$name: HTTP $status', async ({ target, headers, status }) => {
      const raw = await upgrade(target, headers);
      expect(await raw.status()).toBe(status);
      await raw.endsConnection();
      await expectStillServing();
    });
  });

  describe('accepted as a WebSocket, then refused with a Pusher code and a close reason of at most 123 bytes of UTF-8', () => {
    const cases: { name: string; target: string; headers?: Record<string, string>; code: number }[] = [
      { name: 'an unknown key of multi-byte characters', target: `/app/${encodeURIComponent(`x${'ключ'.repeat(15)}`)}?protocol=7`, code: PUSHER_CODES.APP_NOT_FOUND },
      { name: 'an unknown key of emoji (4-byte characters)', target: `/app/${encodeURIComponent(`xx${'🔑'.repeat(30)}`)}?protocol=7`, code: PUSHER_CODES.APP_NOT_FOUND },
      { name: 'an Origin of multi-byte characters', target: `/app/${KEY}?protocol=7`, headers: { Origin: utf8Bytes(`https://x${'ü'.repeat(150)}.example`) }, code: PUSHER_CODES.UNAUTHORIZED },
      { name: 'an Origin that is not allowed', target: `/app/${KEY}?protocol=7`, headers: { Origin: 'https://evil.example' }, code: PUSHER_CODES.UNAUTHORIZED },
      { name: 'a 500-digit protocol version', target: `/app/${KEY}?protocol=${'9'.repeat(500)}`, code: PUSHER_CODES.UNSUPPORTED_PROTOCOL },
      { name: 'a bad percent-escape in the query', target: `/app/${KEY}?protocol=%ZZ`, code: PUSHER_CODES.INVALID_VERSION },
      { name: 'no query at all', target: `/app/${KEY}`, code: PUSHER_CODES.NO_PROTOCOL_VERSION },
    ];

    it.each(cases)('$name: $code', async ({ target, headers, code }) => {
      const raw = await upgrade(target, headers);
      expect(await raw.status()).toBe(101);
      expect(await raw.nextJson()).toMatchObject({ event: 'pusher:error', data: { code } });
      const close = await raw.closeFrame();
      expect(close.code).toBe(code);
      expect(close.reason.length).toBeLessThanOrEqual(123);
      expect(new TextDecoder('utf-8', { fatal: true }).decode(close.reason)).toBeTypeOf('string');
      raw.destroy();
      await expectStillServing();
    });
  });

  describe('sockets that misbehave during or after the handshake', () => {
    const connected = async (): Promise<RawSocket> => {
      const raw = await upgrade(`/app/${KEY}?protocol=7`);
      expect(await raw.status()).toBe(101);
      expect(await raw.nextJson()).toMatchObject({ event: 'pusher:connection_established' });
      return raw;
    };

    it('an upgrade without a Host header connects like any other (Host plays no part)', async () => {
      const raw = await upgrade(`/app/${KEY}?protocol=7`, { Host: null });
      expect(await raw.status()).toBe(101);
      expect(await raw.nextJson()).toMatchObject({ event: 'pusher:connection_established' });
      raw.destroy();
      await expectStillServing();
    });

    it('a client that resets the connection in the middle of its handshake', async () => {
      const raw = await RawSocket.open(port);
      raw.write(upgradeRequest(`/app/${KEY}?protocol=7`).subarray(0, 40));
      raw.socket.resetAndDestroy();
      await raw.endsConnection();
      await expectStillServing();
    });

    it('a client that resets the connection right after a complete handshake', async () => {
      const raw = await upgrade(`/app/${KEY}?protocol=7`);
      raw.socket.resetAndDestroy();
      await raw.endsConnection();
      await expectStillServing();
    });

    it('a text frame of invalid UTF-8 is closed with 1007', async () => {
      const raw = await connected();
      raw.write(textFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
      expect((await raw.closeFrame()).code).toBe(WEBSOCKET_CLOSE_CODES.INVALID_PAYLOAD);
      raw.destroy();
      await expectStillServing();
    });

    it('a frame announcing 1 GiB is closed with 1009 from its header alone, before anything is buffered', async () => {
      const raw = await connected();
      raw.write(clientFrame(1, Buffer.from('{"event":'), 1024 ** 3));
      expect((await raw.closeFrame()).code).toBe(WEBSOCKET_CLOSE_CODES.MESSAGE_TOO_BIG);
      raw.destroy();
      await expectStillServing();
    });

    it("a frame one byte over the app's max_message_size is closed with 1009", async () => {
      const raw = await connected();
      const bare = JSON.stringify({ event: 'pusher:ping', data: '' });
      raw.write(textFrame(JSON.stringify({ event: 'pusher:ping', data: 'x'.repeat(realtime.app.maxMessageSize - bare.length + 1) })));
      expect((await raw.closeFrame()).code).toBe(WEBSOCKET_CLOSE_CODES.MESSAGE_TOO_BIG);
      raw.destroy();
      await expectStillServing();
    });

    it("a frame of exactly the app's max_message_size is handled", async () => {
      const raw = await connected();
      const bare = JSON.stringify({ event: 'pusher:ping', data: '' });
      raw.write(textFrame(JSON.stringify({ event: 'pusher:ping', data: 'x'.repeat(realtime.app.maxMessageSize - bare.length) })));
      expect(await raw.nextJson()).toMatchObject({ event: 'pusher:pong' });
      raw.destroy();
      await expectStillServing();
    });

    it('a binary frame gets pusher:error 4300 and the connection keeps working', async () => {
      const raw = await connected();
      raw.write(clientFrame(2, Buffer.from([1, 2, 3])));
      expect(await raw.nextJson()).toMatchObject({ event: 'pusher:error', data: { code: PUSHER_CODES.INVALID_MESSAGE } });
      raw.write(textFrame('{"event":"pusher:ping","data":{}}'));
      expect(await raw.nextJson()).toMatchObject({ event: 'pusher:pong' });
      raw.destroy();
      await expectStillServing();
    });

    it.each([
      { name: 'an unknown opcode', frame: () => clientFrame(3, Buffer.from('x')) },
      { name: 'reserved bits set', frame: () => Buffer.from([0xc1, ...clientFrame(1, Buffer.from('x')).subarray(1)]) },
      { name: 'an unmasked client frame', frame: () => Buffer.from([0x81, 0x01, 0x78]) },
    ])('a frame with $name is closed with 1002', async ({ frame }) => {
      const raw = await connected();
      raw.write(frame());
      expect((await raw.closeFrame()).code).toBe(WEBSOCKET_CLOSE_CODES.PROTOCOL_ERROR);
      raw.destroy();
      await expectStillServing();
    });
  });
});

describe('reading an upgrade target and cutting a close reason, without throwing', () => {
  it.each([
    ['/app/key-1?protocol=7', { ok: true, appKey: 'key-1', protocol: '7' }],
    ['/app/key-1/', { ok: true, appKey: 'key-1', protocol: null }],
    ['/app/k%C3%A9y?protocol=7', { ok: true, appKey: 'kéy', protocol: '7' }],
    ['/app/%ZZ', { ok: false, status: 400 }],
    ['//app/key-1', { ok: false, status: 404 }],
    ['/app', { ok: false, status: 404 }],
    ['', { ok: false, status: 404 }],
    [undefined, { ok: false, status: 404 }],
  ])('%s', (target, expected) => {
    expect(parseUpgradeTarget(target)).toMatchObject(expected);
  });

  it.each([
    ['short text stays as it is', 'Origin not allowed', 'Origin not allowed'],
    ['ASCII is cut to 120 bytes and marked', 'a'.repeat(200), `${'a'.repeat(120)}...`],
    ['a 2-byte character is never split', `x${'é'.repeat(100)}`, `x${'é'.repeat(59)}...`],
    ['a 4-byte character is never split', `xx${'🔑'.repeat(40)}`, `xx${'🔑'.repeat(29)}...`],
  ])('%s', (_name, reason, cut) => {
    const result = closeReason(reason);
    expect(result).toBe(cut);
    expect(Buffer.byteLength(result)).toBeLessThanOrEqual(123);
  });
});
