import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import Pusher from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors/error-codes.js';
import { answerClientError, clientErrorFailure } from '../src/http/framework-errors.js';
import { createParley, type Parley } from '../src/main.js';
import { freshStorage } from './support/engines.js';
import { startHarness, testConfig, TEST_SECRETS, type Harness } from './support/harness.js';

/** Sends raw bytes and answers everything the server wrote before closing. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Status and parsed JSON body of a raw HTTP answer. */
function parseRaw(text: string): { status: number; contentType: string | undefined; body: unknown } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const contentType = /content-type: ([^\r\n]+)/i.exec(head)?.[1];
  return { status, contentType, body: JSON.parse(body) };
}

describe('framework refusals answer {"error":{code,message}}', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it.each([
    ['a bad percent-escape in the path', '/api/chat/%ZZ/status', 400, 'bad_url'],
    ['a bad percent-escape in a Pusher API path', '/apps/100001/channels/%ZZ', 400, 'bad_url'],
    ['a path segment longer than 500 characters', `/api/chat/${'1'.repeat(501)}/status`, 414, 'uri_too_long'],
  ])('%s', async (_name, url, status, code) => {
    h = await startHarness('sqlite');
    const response = await h.request({ method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ error: { code, message: expect.any(String) } });
    expect(ERROR_CODES[code as keyof typeof ERROR_CODES]).toBe(status);
  });

  it('a path segment past Fastify\'s old 100-character limit reaches the route', async () => {
    h = await startHarness('sqlite');
    const response = await h.request({ method: 'GET', url: `/api/chat/${'9'.repeat(150)}/status` });
    expect(response.json()).not.toMatchObject({ code: 'FST_ERR_MAX_PARAM_LENGTH' });
    expect((response.json() as { error: { code: string } }).error.code).toMatch(/^(unauthenticated|not_found|validation_failed)$/);
  });

  it('oversized headers get 431 header_too_large as JSON, and the server keeps serving', async () => {
    h = await startHarness('sqlite');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.app.server.address() as AddressInfo).port;
    const answer = parseRaw(await rawExchange(port, `GET /up HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(answer).toEqual({ status: 431, contentType: 'application/json; charset=utf-8', body: { error: { code: 'header_too_large', message: expect.any(String) } } });
    expect((await fetch(`http://127.0.0.1:${port}/up`)).status).toBe(200);
  });

  it('a request that is not HTTP gets 400 bad_request as JSON', async () => {
    h = await startHarness('sqlite');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.app.server.address() as AddressInfo).port;
    const answer = parseRaw(await rawExchange(port, 'HELLO\x01 / HTTP/1.1\r\n\r\n'));
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
  });

  it.each([
    ['HPE_HEADER_OVERFLOW', 'header_too_large', 431],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'request_timeout', 408],
    ['HPE_INVALID_METHOD', 'bad_request', 400],
    [undefined, 'bad_request', 400],
  ])('the HTTP parser\'s %s is answered as documented code %s (%i)', (nodeCode, code, status) => {
    const failure = clientErrorFailure(nodeCode);
    expect(failure.code).toBe(code);
    expect(ERROR_CODES[failure.code]).toBe(status);
  });

  it('a client error on a socket that is already destroyed writes nothing and does not throw', () => {
    const writes: unknown[] = [];
    const socket = { destroyed: true, writable: false, write: (x: unknown) => writes.push(x), destroy: () => undefined };
    const logger = pino({ level: 'silent' });
    expect(() => answerClientError(Object.assign(new Error('parse'), { code: 'HPE_HEADER_OVERFLOW' }), socket as never, logger)).not.toThrow();
    const throwing = { destroyed: false, writable: true, write: () => { throw new Error('EPIPE'); }, destroy: () => undefined };
    expect(() => answerClientError(Object.assign(new Error('parse'), { code: 'HPE_INVALID_METHOD' }), throwing as never, logger)).not.toThrow();
    expect(writes).toEqual([]);
  });
});

describe('client aborts', () => {
  let parley: Parley | undefined;
  afterEach(async () => {
    await parley?.close();
  });

  it('a client that hangs up mid-body is not logged as an internal error', async () => {
    const lines: { level: number; msg: string }[] = [];
    let notify: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (notify = resolve));
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const line = JSON.parse(chunk.toString()) as { level: number; msg: string };
        lines.push(line);
        if (line.msg === 'request aborted by the client' || line.level >= 50) notify();
        done();
      },
    });
    const config = testConfig({ LOG_LEVEL: 'debug' });
    parley = await createParley(config, pino({ level: 'debug' }, stream), { storage: await freshStorage('sqlite') });
    await parley.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (parley.app.server.address() as AddressInfo).port;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('POST /api/chat/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":"half');
      // Once the server has the head and part of the body, hang up.
      setImmediate(() => socket.destroy());
    });
    socket.on('error', () => undefined);
    await settled;
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });
});

describe('channel names up to 164 characters in Pusher HTTP API paths', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('GET /apps/{id}/channels/{164 characters} and …/users answer through the pusher SDK', async () => {
    h = await startHarness('sqlite');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.app.server.address() as AddressInfo).port;
    const sdk = new Pusher({ appId: TEST_SECRETS.REVERB_APP_ID, key: TEST_SECRETS.REVERB_APP_KEY, secret: TEST_SECRETS.REVERB_APP_SECRET, host: '127.0.0.1', port: String(port), useTLS: false });
    const presence = `presence-${'p'.repeat(155)}`;
    const privateChannel = `private-${'q'.repeat(156)}`;
    expect(presence).toHaveLength(164);
    expect(privateChannel).toHaveLength(164);
    const info = await sdk.get({ path: `/channels/${privateChannel}` });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ occupied: false });
    const users = await sdk.get({ path: `/channels/${presence}/users` });
    expect(users.status).toBe(200);
    expect(await users.json()).toEqual({ users: [] });
  });
});
