import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeNodeProbe } from '../../src/main.js';
import { channelAuth } from '../../src/realtime/protocol/signatures.js';
import { hostileString, percentEncode } from '../support/fuzz-arbitraries.js';
import { documentedCloseCodes, documentedPusherCodes, FuzzCounts, fuzzOptions, fuzzTimeout } from '../support/fuzz-config.js';
import { fuzzFrame, type FuzzFrame } from '../support/fuzz-frames.js';
import { expectUp } from '../support/fuzz-http.js';
import { APP, SHOP_ORIGIN, startFuzzServer, type FuzzServer } from '../support/fuzz-server.js';
import { PusherClients, type TestClient } from '../support/pusher-clients.js';
import { RawSocket, textFrame, upgradeRequest } from '../support/raw-websocket.js';

/**
 * Property-based fuzzing of the realtime server over real sockets: hostile upgrade requests, then
 * sequences of frames (Pusher frames with hostile values, random JSON, huge and deep JSON, random
 * strings, invalid UTF-8, binary and control frames, protocol violations). Whatever arrives: every
 * `pusher:error` code and every close code is documented, a connection left open still answers
 * `pusher:ping`, `/up` answers and a bystander client keeps its connection.
 */
const counts = new FuzzCounts('WebSocket frames');
const RUNS = 60;
const PUSHER_CODES = documentedPusherCodes();
const CLOSE_CODES = documentedCloseCodes();
/** Server events seen, by name: shows how deep the generated frames reached. */
const seen = new Map<string, number>();

interface UpgradeCase {
  target: string;
  origin: string | null;
  protocol: string | null;
  version: string;
  key: string;
}

interface Outcome {
  status: number;
  errors: number[];
  close: number | undefined;
  ended: boolean;
}

describe('fuzzing the realtime server with WebSocket frames', () => {
  let server: FuzzServer;
  let clients: PusherClients;
  let bystander: TestClient;

  beforeAll(async () => {
    server = await startFuzzServer(counts, { REVERB_APP_MAX_CONNECTIONS_PER_IP: '1000' });
    clients = new PusherClients({ port: server.port, key: APP.key });
    bystander = await clients.connect();
    await bystander.subscribe('news');
  });
  afterAll(async () => {
    counts.print();
    console.log(`[fuzz] WebSocket frames: server events ${JSON.stringify(Object.fromEntries(seen))}`);
    clients?.closeAll();
    await server?.close();
  });

  /**
   * Reads the server's frames until it answers our closing `pusher:ping` (the connection is still
   * usable) or closes; checks every frame against the documented codes on the way.
   */
  const readUntilSettled = async (raw: RawSocket, outcome: Outcome, echoable: Set<number>): Promise<void> => {
    for (;;) {
      let frame;
      try {
        frame = await raw.nextFrame();
      } catch (error) {
        if (raw.ended) {
          outcome.ended = true;
          outcome.close ??= 1006;
          return;
        }
        throw error;
      }
      if (frame.opcode === 8) {
        outcome.close = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
        const reason = frame.payload.subarray(2);
        if (reason.length > 123) throw new Error(`close reason of ${reason.length} bytes`);
        new TextDecoder('utf-8', { fatal: true }).decode(reason);
        if (!CLOSE_CODES.has(outcome.close) && !echoable.has(outcome.close)) throw new Error(`undocumented close code ${outcome.close} (reason ${JSON.stringify(reason.toString())})`);
        return;
      }
      if (frame.opcode === 9 || frame.opcode === 10) continue;
      if (frame.opcode !== 1) throw new Error(`server sent opcode ${frame.opcode}`);
      const parsed = JSON.parse(frame.payload.toString()) as { event?: unknown; data?: unknown };
      if (typeof parsed.event !== 'string') throw new Error(`server frame without an event: ${frame.payload.toString().slice(0, 200)}`);
      seen.set(parsed.event, (seen.get(parsed.event) ?? 0) + 1);
      if (parsed.event === 'pusher:error' || parsed.event === 'pusher:subscription_error') {
        const data = (typeof parsed.data === 'string' ? JSON.parse(parsed.data) : parsed.data) as { code?: unknown } | null;
        const code = data?.code;
        if (parsed.event === 'pusher:error' && (typeof code !== 'number' || !PUSHER_CODES.has(code))) throw new Error(`undocumented pusher:error code ${JSON.stringify(code)}`);
        if (typeof code === 'number') outcome.errors.push(code);
      }
      if (parsed.event === 'pusher:pong') return;
    }
  };

  /** Opens a raw socket with `request`, sends `frames`, then a `pusher:ping`, and reads what comes back. */
  const attack = async (request: Buffer, frames: FuzzFrame[]): Promise<Outcome> => {
    counts.sockets += 1;
    counts.requests += 1;
    const raw = await RawSocket.open(server.port);
    const outcome: Outcome = { status: 0, errors: [], close: undefined, ended: false };
    try {
      raw.write(request);
      outcome.status = await raw.status();
      if (outcome.status >= 500) {
        counts.fiveXx += 1;
        throw new Error(`upgrade answered ${outcome.status}`);
      }
      if (outcome.status !== 101) return outcome;
      const echoable = new Set<number>();
      const socketId = await established(raw, outcome, echoable);
      for (const frame of frames) {
        if (raw.ended || socketId === undefined) break;
        counts.frames += 1;
        raw.write(frame.signed ? signedSubscribe(socketId, frame.signed) : frame.bytes);
        if (frame.closeCode !== undefined) {
          echoable.add(frame.closeCode);
          break;
        }
      }
      if (socketId === undefined) return outcome;
      if (echoable.size === 0) raw.write(textFrame(JSON.stringify({ event: 'pusher:ping', data: {} })));
      await readUntilSettled(raw, outcome, echoable);
      return outcome;
    } finally {
      raw.destroy();
    }
  };

  /** The socket id from `pusher:connection_established`, or undefined when the server refused the connection instead. */
  const established = async (raw: RawSocket, outcome: Outcome, echoable: Set<number>): Promise<string | undefined> => {
    const frame = await raw.nextFrame().catch(() => undefined);
    if (frame?.opcode === 1) {
      const parsed = JSON.parse(frame.payload.toString()) as { event?: string; data?: string };
      if (parsed.event === 'pusher:connection_established') return (JSON.parse(parsed.data ?? '{}') as { socket_id?: string }).socket_id;
    }
    // Refused (unknown key, bad origin…): the rest must be a documented error and close.
    if (frame?.opcode === 8) {
      outcome.close = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
      if (!CLOSE_CODES.has(outcome.close)) throw new Error(`undocumented close code ${outcome.close}`);
      return undefined;
    }
    if (frame?.opcode === 1) {
      const parsed = JSON.parse(frame.payload.toString()) as { event?: string; data?: unknown };
      const code = (typeof parsed.data === 'string' ? (JSON.parse(parsed.data) as { code?: unknown }) : (parsed.data as { code?: unknown } | undefined))?.code;
      if (parsed.event !== 'pusher:error' || typeof code !== 'number' || !PUSHER_CODES.has(code)) throw new Error(`unexpected first frame ${frame.payload.toString().slice(0, 200)}`);
      outcome.errors.push(code);
    }
    await readUntilSettled(raw, outcome, echoable);
    return undefined;
  };

  /** A subscription signed as /broadcasting/auth would sign it for this socket. */
  const signedSubscribe = (socketId: string, signed: { channel: string; channelData?: string }): Buffer =>
    textFrame(
      JSON.stringify({
        event: 'pusher:subscribe',
        data: { channel: signed.channel, auth: channelAuth(APP.key, APP.secret, socketId, signed.channel, signed.channelData), ...(signed.channelData === undefined ? {} : { channel_data: signed.channelData }) },
      }),
    );

  const goodUpgrade = () => upgradeRequest(`/app/${APP.key}?protocol=7`, { Origin: SHOP_ORIGIN });

  it(
    'a hostile upgrade gets a plain HTTP refusal or a documented close code, never a 5xx',
    async () => {
      const target = fc.oneof(
        fc.constant(`/app/${APP.key}?protocol=7`),
        hostileString(3_000).map((key) => `/app/${percentEncode(key)}?protocol=7`),
        fc.constantFrom('/app/%ZZ?protocol=7', '/app/%E0%A4%A', '//app/x', '/app/', '/app', `/app/${APP.key}/x`, `/app/${APP.key}?protocol=%ZZ`, `/app/${APP.key}?protocol=7&protocol=8`, '*', '/'),
        hostileString(300).map((q) => `/app/${APP.key}?protocol=${percentEncode(q)}`),
      );
      const header = fc.option(fc.oneof(fc.constantFrom(SHOP_ORIGIN, 'null', 'https://evil.example'), hostileString(2_000).map((s) => Buffer.from(s).toString('latin1').replace(/[\r\n]/g, ''))), { nil: null });
      await fc.assert(
        fc.asyncProperty(
          fc.record<UpgradeCase>({ target, origin: header, protocol: fc.option(fc.constantFrom('', ',,,', 'pusher', 'a, b'), { nil: null }), version: fc.constantFrom('13', '13', '8', 'x'), key: fc.constantFrom('dGhlIHNhbXBsZSBub25jZQ==', 'dGhlIHNhbXBsZSBub25jZQ==', 'x') }),
          async (r) => {
            const request = upgradeRequest(r.target, { Origin: r.origin, 'Sec-WebSocket-Protocol': r.protocol, 'Sec-WebSocket-Version': r.version, 'Sec-WebSocket-Key': r.key });
            await attack(request, []);
          },
        ),
        {
          ...fuzzOptions<[UpgradeCase]>(RUNS),
          // The upgrades issue 10 names, tried first on every run.
          examples: [
            [{ target: '/app/%ZZ?protocol=7', origin: null, protocol: null, version: '13', key: 'dGhlIHNhbXBsZSBub25jZQ==' }],
            [{ target: `/app/${percentEncode('ключ'.repeat(20))}?protocol=7`, origin: null, protocol: null, version: '13', key: 'dGhlIHNhbXBsZSBub25jZQ==' }],
            [{ target: `/app/${APP.key}?protocol=7`, origin: Buffer.from(`https://x${'ü'.repeat(150)}.example`).toString('latin1'), protocol: null, version: '13', key: 'dGhlIHNhbXBsZSBub25jZQ==' }],
          ],
        },
      );
    },
    fuzzTimeout(RUNS, 100),
  );

  it(
    'any sequence of frames on a connection gets documented error and close codes only, and an open connection still answers pusher:ping',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fuzzFrame, { minLength: 1, maxLength: 12 }), async (frames) => {
          await attack(goodUpgrade(), frames);
        }),
        fuzzOptions(RUNS),
      );
    },
    fuzzTimeout(RUNS, 200),
  );

  it('still answers GET /up, and the bystander kept its connection and receives events', async () => {
    await expectUp(server.port);
    expect(bystander.pusher.connection.state).toBe('connected');
    expect(bystander.pusher.connection.socket_id).toBe(bystander.socketId);
    const arrived = bystander.nextEvent<{ n: number }>('news', 'Ping');
    const realtime = server.h.parley.realtimeNode as RealtimeNodeProbe;
    await realtime.trigger(['news'], 'Ping', JSON.stringify({ n: 1 }));
    expect(await arrived).toEqual({ n: 1 });
    expect(counts.fiveXx).toBe(0);
    expect(counts.crashes).toBe(0);
  });
});
