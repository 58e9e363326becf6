import { describe, expect, it } from 'vitest';
import type { RealtimeApp } from '../src/realtime/apps.js';
import { PUSHER_CODES } from '../src/realtime/protocol/codes.js';
import { setup, stopServersAfterEach } from './support/realtime-setup.js';

// Realtime protocol: malformed and oversized frames.

stopServersAfterEach();

describe('malformed frames', () => {
  const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const cases: { name: string; frame: string | ((app: RealtimeApp) => string); code: number }[] = [
    { name: 'text that is not JSON', frame: 'hello', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'truncated JSON', frame: '{"event":"pusher:ping"', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an empty frame', frame: '', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a JSON array', frame: '[{"event":"pusher:ping"}]', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a JSON number', frame: '42', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'JSON null', frame: 'null', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a JSON string', frame: '"pusher:ping"', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an object without event', frame: '{}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an event that is not a string', frame: '{"event":5}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an event that is an object', frame: '{"event":{"toString":"x"}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe without data', frame: '{"event":"pusher:subscribe"}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe without channel', frame: '{"event":"pusher:subscribe","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe whose channel is a number', frame: '{"event":"pusher:subscribe","data":{"channel":5}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe whose data is a non-JSON string', frame: '{"event":"pusher:subscribe","data":"news"}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe with an invalid channel name', frame: '{"event":"pusher:subscribe","data":{"channel":"bad channel!"}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe with an empty channel name', frame: '{"event":"pusher:subscribe","data":{"channel":""}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a subscribe with a 200-character channel name', frame: JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'a'.repeat(200) } }), code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an unsubscribe without channel', frame: '{"event":"pusher:unsubscribe","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an unknown pusher:foo event', frame: '{"event":"pusher:foo","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an unknown pusher_internal: event', frame: '{"event":"pusher_internal:member_added","channel":"presence-x","data":"{}"}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'an event without the client- prefix', frame: '{"event":"typing","channel":"private-room","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a client event without channel', frame: '{"event":"client-typing","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a signin without fields', frame: '{"event":"pusher:signin","data":{}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a signin whose user_data is an object', frame: '{"event":"pusher:signin","data":{"auth":"k:s","user_data":{"id":"1"}}}', code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'a 1 MB string', frame: 'x'.repeat(1024 * 1024), code: PUSHER_CODES.MESSAGE_TOO_LARGE },
    { name: 'deeply nested arrays', frame: deepArray(4_000), code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'deeply nested objects', frame: deepObject(1_500), code: PUSHER_CODES.INVALID_MESSAGE },
    { name: 'deeply nested data in a subscribe', frame: `{"event":"pusher:subscribe","data":${deepObject(1_000)}}`, code: PUSHER_CODES.INVALID_MESSAGE },
    {
      name: 'a valid frame one byte over app.maxMessageSize',
      frame: (app) => {
        const bare = JSON.stringify({ event: 'pusher:ping', data: '' });
        return JSON.stringify({ event: 'pusher:ping', data: 'x'.repeat(app.maxMessageSize - bare.length + 1) });
      },
      code: PUSHER_CODES.MESSAGE_TOO_LARGE,
    },
    {
      name: 'multi-byte text over app.maxMessageSize in bytes though not in characters',
      frame: (app) => JSON.stringify({ event: 'pusher:ping', data: 'é'.repeat(Math.ceil(app.maxMessageSize / 2)) }),
      code: PUSHER_CODES.MESSAGE_TOO_LARGE,
    },
  ];

  it.each(cases)('answers $name with pusher:error $code, and the connection still works', async ({ frame, code }) => {
    const { connect, app } = setup();
    const a = await connect();
    await expect(a.send(typeof frame === 'function' ? frame(app) : frame)).resolves.toBeUndefined();
    const error = await a.expectError(code);
    expect(typeof (error.data as { message: unknown }).message).toBe('string');
    expect(a.socket.closed).toBeUndefined();
    await a.expectPong();
    await a.join('news');
  });

  it('accepts a frame of exactly app.maxMessageSize bytes', async () => {
    const { connect, app } = setup();
    const a = await connect();
    const bare = JSON.stringify({ event: 'pusher:ping', data: '' });
    await a.send(JSON.stringify({ event: 'pusher:ping', data: 'x'.repeat(app.maxMessageSize - bare.length) }));
    expect(await a.next(undefined, { strict: true })).toEqual({ event: 'pusher:pong', data: {} });
  });

  it('survives nesting far deeper than any parser stack when the size limit allows it', async () => {
    const { connect } = setup({ maxMessageSize: 1_000_000 });
    const a = await connect();
    await expect(a.send(`{"event":"pusher:subscribe","data":${deepArray(400_000)}}`)).resolves.toBeUndefined();
    await a.expectError(PUSHER_CODES.INVALID_MESSAGE);
    await a.expectPong();
  });

  it('survives a burst of garbage and keeps the order of the frames that follow', async () => {
    const { connect } = setup();
    const a = await connect();
    const garbage = cases.map((c) => (typeof c.frame === 'string' ? c.frame : 'x'));
    await Promise.all([...garbage.map((g) => a.send(g)), a.send({ event: 'pusher:ping' })]);
    const frames = a.socket.drain();
    expect(frames).toHaveLength(garbage.length + 1);
    expect(frames.slice(0, -1).every((f) => f.event === 'pusher:error')).toBe(true);
    expect(frames.at(-1)).toEqual({ event: 'pusher:pong', data: {} });
  });
});
