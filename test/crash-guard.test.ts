import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { installCrashGuard, isClientError } from '../src/ops/crash-guard.js';

/** A logger that keeps its lines, and a process stand-in whose listeners the guard installs. */
function guarded() {
  const lines: { level: number; msg: string; origin?: string; err?: { message: string } }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) });
  const target = new EventEmitter();
  const remove = installCrashGuard(logger, { target });
  return { lines, target, remove };
}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('crash guard (docs/security.md: when something goes wrong)', () => {
  it('logs a rejected promise nobody handled, with its origin, and keeps serving', () => {
    const { lines, target } = guarded();
    target.emit('unhandledRejection', new Error('bus publish failed'));
    expect(lines).toMatchObject([{ level: 50, origin: 'unhandledRejection', err: { message: 'bus publish failed' } }]);
  });

  it.each([
    ['a URIError from decoding client text', new URIError('URI malformed')],
    ['a connection reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a write to a socket the peer closed', withCode('write EPIPE', 'EPIPE')],
    ['an HTTP parser error', withCode('Parse Error: Invalid header value char', 'HPE_INVALID_HEADER_TOKEN')],
    ['a WebSocket protocol error', withCode('Invalid WebSocket frame: invalid UTF-8 sequence', 'WS_ERR_INVALID_UTF8')],
  ])('logs %s thrown from one socket and keeps serving', (_name, error) => {
    const { lines, target } = guarded();
    target.emit('uncaughtException', error, 'uncaughtException');
    expect(lines).toMatchObject([{ level: 40, origin: 'uncaughtException', err: { message: error.message } }]);
  });

  it('logs any other uncaught exception as an error with its origin and message, and keeps serving (no client can end the process)', () => {
    const { lines, target } = guarded();
    target.emit('uncaughtException', new TypeError("Cannot read properties of undefined (reading 'id')"), 'uncaughtException');
    expect(lines).toMatchObject([{ level: 50, origin: 'uncaughtException', err: { message: "Cannot read properties of undefined (reading 'id')" } }]);
  });

  it('removes its handlers when asked', () => {
    const { target, remove } = guarded();
    remove();
    expect(target.listenerCount('uncaughtException')).toBe(0);
    expect(target.listenerCount('unhandledRejection')).toBe(0);
  });

  it('classifies only client-attributable errors as survivable', () => {
    expect(isClientError(withCode('x', 'ECONNRESET'))).toBe(true);
    expect(isClientError(withCode('x', 'ENOSPC'))).toBe(false);
    expect(isClientError(new RangeError('Invalid array length'))).toBe(false);
    expect(isClientError('a string')).toBe(false);
    expect(isClientError(null)).toBe(false);
  });
});
