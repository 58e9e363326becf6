import fc from 'fast-check';
import { clientFrame } from './raw-websocket.js';
import { deepJson, hostileJsonValue, hostileString, objectText } from './fuzz-arbitraries.js';

/** WebSocket client frames for the fuzz suites: Pusher frames with hostile values, random JSON and bytes, and protocol violations. */

export interface FuzzFrame {
  /** What the frame is, for the counterexample. */
  kind: string;
  bytes: Buffer;
  /** For a client close frame: the code it carried, which the server may echo. */
  closeCode?: number;
  /** A subscription to sign with the app's secret once the socket id is known (so it succeeds and later frames reach deeper code). */
  signed?: { channel: string; channelData?: string };
}

const text = (kind: string, payload: string | Buffer): FuzzFrame => ({ kind, bytes: clientFrame(1, typeof payload === 'string' ? Buffer.from(payload) : payload) });

const channelName = fc.oneof(
  fc.constantFrom('news', 'private-agents', 'presence-agents', 'private-conversation.1', 'chat-status', 'private-encrypted-x', 'cache-x', `private-${'c'.repeat(156)}`, `x${'y'.repeat(200)}`, '', '#'),
  hostileString(500),
);

/** A Pusher frame (`{event, data, channel?}`) whose values are hostile: what a buggy or malicious client library sends. */
export const pusherFrame: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({ channel: channelName, auth: fc.option(fc.oneof(fc.constantFrom('test-key:abc', 'x:'), hostileString(300))), channel_data: fc.option(fc.oneof(hostileString(300), fc.constant('{"user_id":"1"}'))) })
    .map((data) => JSON.stringify({ event: 'pusher:subscribe', data })),
  channelName.map((channel) => JSON.stringify({ event: 'pusher:unsubscribe', data: { channel } })),
  fc.constant(JSON.stringify({ event: 'pusher:ping', data: {} })),
  fc.record({ auth: hostileString(300), user_data: fc.oneof(hostileString(300), fc.constant('{"id":"1"}')) }).map((data) => JSON.stringify({ event: 'pusher:signin', data })),
  fc.record({ channel: channelName, data: hostileJsonValue }).map(({ channel, data }) => JSON.stringify({ event: 'client-typing', channel, data })),
  fc.record({ event: fc.oneof(hostileString(300), fc.constantFrom('pusher:subscribe', 'pusher_internal:x', 'pusher:pong')), data: hostileJsonValue, channel: fc.option(channelName) }).map((f) => JSON.stringify(f)),
  // `data` as a JSON string, as older clients send it.
  channelName.map((channel) => JSON.stringify({ event: 'pusher:subscribe', data: JSON.stringify({ channel }) })),
  fc.tuple(fc.constantFrom('__proto__', 'constructor'), hostileJsonValue).map(([key, value]) => objectText([['event', 'pusher:subscribe'], [key, value], ['data', { channel: 'news' }]])),
);

/** A validly signed subscription to a private or presence channel, with hostile member data. */
const signedSubscription: fc.Arbitrary<FuzzFrame> = fc.oneof(
  fc.constantFrom('private-conversation.1', 'private-agents', `private-${'s'.repeat(156)}`, 'private-x').map((channel) => ({ kind: `signed subscribe ${channel}`, bytes: Buffer.alloc(0), signed: { channel } })),
  fc
    .tuple(
      fc.constantFrom('presence-agents', 'presence-room', 'private-conversation.2'),
      fc.oneof(
        fc.record({ user_id: fc.oneof(fc.constantFrom('1', 'agent:1', 'visitor'), hostileString(200), fc.integer()), user_info: hostileJsonValue }).map((d) => JSON.stringify(d)),
        hostileString(300),
        fc.constantFrom('{}', '{"user_id":null}', '{"user_id":["a"]}', '[]', 'null'),
      ),
    )
    .map(([channel, channelData]) => ({ kind: `signed subscribe ${channel} as ${channelData.slice(0, 40)}`, bytes: Buffer.alloc(0), signed: { channel, channelData } })),
);

/** Client events on the channels `signedSubscription` joins, with hostile data. */
const clientEvent: fc.Arbitrary<FuzzFrame> = fc
  .tuple(fc.constantFrom('private-conversation.1', 'private-conversation.2', 'presence-room', 'private-x'), fc.constantFrom('client-typing', 'client-x', `client-${'e'.repeat(200)}`), hostileJsonValue)
  .map(([channel, event, data]) => text('client event', JSON.stringify({ event, channel, data })));

/** One client frame of any kind. */
export const fuzzFrame: fc.Arbitrary<FuzzFrame> = fc.oneof(
  { weight: 3, arbitrary: signedSubscription },
  { weight: 3, arbitrary: clientEvent },
  { weight: 8, arbitrary: pusherFrame.map((f) => text('pusher frame', f)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => text('random JSON', JSON.stringify(v) ?? 'null')) },
  { weight: 2, arbitrary: hostileString(3_000).map((s) => text('random string', s)) },
  { weight: 1, arbitrary: deepJson.map((s) => text('deep JSON', s)) },
  { weight: 1, arbitrary: fc.integer({ min: 9_000, max: 40_000 }).map((n) => text('huge JSON', JSON.stringify({ event: 'client-x', channel: 'private-x', data: 'x'.repeat(n) }))) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom([0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]), fc.string({ maxLength: 10 }))
      .map(([bad, s]) => text('invalid UTF-8', Buffer.concat([Buffer.from(`{"event":"${s}`), Buffer.from(bad), Buffer.from('"}')]))),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ kind: 'binary frame', bytes: clientFrame(2, Buffer.from(b)) })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 125 }).map((b) => ({ kind: 'ping', bytes: clientFrame(9, Buffer.from(b)) })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }).map((b) => ({ kind: 'pong', bytes: clientFrame(10, Buffer.from(b)) })) },
  { weight: 1, arbitrary: fc.constantFrom(3, 7, 11, 15).map((op) => ({ kind: `reserved opcode ${op}`, bytes: clientFrame(op, Buffer.from('x')) })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'continuation without a start', bytes: clientFrame(0, Buffer.from('x')) }) },
  {
    weight: 1,
    arbitrary: fc.constant({ kind: 'unmasked text frame', bytes: Buffer.concat([Buffer.from([0x81, 0x02]), Buffer.from('{}')]) }),
  },
  {
    weight: 1,
    arbitrary: fc.constant({ kind: 'RSV bits set', bytes: (() => { const f = clientFrame(1, Buffer.from('{}')); f[0] = (f[0] as number) | 0x70; return f; })() }),
  },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 20, 2 ** 40).map((n) => ({ kind: `announces ${n} bytes`, bytes: clientFrame(1, Buffer.from('{'), n) })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(1000, 1001, 3000, 4000, 4999, 999, 1005, 1006, 2999).map((code) => {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      return { kind: `close ${code}`, bytes: clientFrame(8, payload), closeCode: code };
    }),
  },
);
