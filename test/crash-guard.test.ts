import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { installCrashGuard, isClientError } from '../src/ops/crash-guard.js';

/** A logger that keeps its lines, and a process stand-in whose exit is recorded. */
function guarded() {
  const lines: { level: number; msg: string; origin?: string; err?: { message: string } }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) });
  const target = new EventEmitter();
  const exits: number[] = [];
  const remove = installCrashGuard(logger, { target, exit: (code) => exits.push(code) });
  return { lines, target, exits, remove };
}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('crash guard (docs/security.md: when something goes wrong)', () => {
  it('logs a rejected promise nobody handled, with its origin, and keeps serving', () => {
    const { lines, target, exits } = guarded();
    target.emit('unhandledRejection', new Error('bus publish failed'));
    expect(exits).toEqual([]);
    expect(lines).toMatchObject([{ level: 50, origin: 'unhandledRejection', err: { message: 'bus publish failed' } }]);
  });

  it.each([
    ['a URIError from decoding client text', new URIError('URI malformed')],
    ['a connection reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a write to a socket the peer closed', withCode('write EPIPE', 'EPIPE')],
    ['an HTTP parser error', withCode('Parse Error: Invalid header value char', 'HPE_INVALID_HEADER_TOKEN')],
    ['a WebSocket protocol error', withCode('Invalid WebSocket frame: invalid UTF-8 sequence', 'WS_ERR_INVALID_UTF8')],
  ])('logs %s thrown from one socket and keeps serving', (_name, error) => {
    const { lines, target, exits } = guarded();
    target.emit('uncaughtException', error, 'uncaughtException');
    expect(exits).toEqual([]);
    expect(lines).toMatchObject([{ level: 50, origin: 'uncaughtException', err: { message: error.message } }]);
  });

  it('logs any other uncaught exception as fatal and exits with 1, so the supervisor restarts a clean process', () => {
    const { lines, target, exits } = guarded();
    target.emit('uncaughtException', new TypeError("Cannot read properties of undefined (reading 'id')"), 'uncaughtException');
    expect(exits).toEqual([1]);
    expect(lines).toMatchObject([{ level: 60, origin: 'uncaughtException' }]);
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
