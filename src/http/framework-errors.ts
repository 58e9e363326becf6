import { STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyServerOptions } from 'fastify';
import { ERROR_CODES, type Failure } from '../errors/error-codes.js';
import { sendFailure } from '../errors/http-failure.js';

/**
 * Longest path parameter the router accepts, in raw (percent-encoded) characters. Pusher channel
 * names reach 164 characters, and `@ , ; =` in them arrive as three-character escapes: 3 × 164 fits.
 */
export const MAX_PARAM_LENGTH = 500;

/** Refusals the router makes before any route runs, in our `{"error":{code,message}}` shape. */
const ROUTER_FAILURES: Record<string, Failure> = {
  FST_ERR_BAD_URL: { code: 'bad_url', message: 'The URL has an invalid percent-escape.' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'uri_too_long', message: `A path segment is longer than ${MAX_PARAM_LENGTH} characters.` },
};

/**
 * Fastify options that make the framework's own refusals answer in the documented error shape
 * (docs/errors.md): router refusals (bad escapes, over-long parameters) and the HTTP parser's
 * (oversized headers, malformed requests, timeouts), which Node would otherwise answer as bare text.
 */
export function frameworkErrorOptions(logger: FastifyBaseLogger): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler' | 'routerOptions'> {
  return {
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (error: FastifyError, _request: unknown, reply: FastifyReply) => {
      sendFailure(reply, ROUTER_FAILURES[error.code] ?? { code: 'bad_request', message: 'The request could not be routed.' });
    },
    clientErrorHandler: (error, socket) => answerClientError(error, socket, logger),
  };
}

/** What a refusal by Node's HTTP parser answers, by Node's error code. */
export function clientErrorFailure(code: string | undefined): Failure {
  if (code === 'HPE_HEADER_OVERFLOW') return { code: 'header_too_large', message: 'The request headers are too large.' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { code: 'request_timeout', message: 'The request was not received in time.' };
  return { code: 'bad_request', message: 'The request is not valid HTTP.' };
}

/**
 * Node's `clientError`: the socket carries a request the parser refused, or died. Writes a JSON
 * answer when the socket can still take one and nothing was sent on it yet, then closes it. Never
 * throws: the socket may be half-destroyed by the time this runs.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket, logger: FastifyBaseLogger): void {
  try {
    // A reset or already-closed connection: no one is listening for an answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    logger.debug({ err: error, code: error.code }, 'client error');
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) writeRawFailure(socket, clientErrorFailure(error.code));
  } catch (writeError) {
    logger.debug({ err: writeError }, 'client error answer not written');
  } finally {
    socket.destroy();
  }
}

/** True when the client went away mid-request (closed or reset its connection): nothing to answer, nothing went wrong here. */
export function isClientAbort(error: { code?: string }, raw: { destroyed?: boolean; aborted?: boolean }): boolean {
  return error.code === 'ECONNRESET' || error.code === 'ECONNABORTED' || raw.aborted === true;
}

/** Writes a whole HTTP answer in the documented error shape straight to a socket nothing else answers. */
function writeRawFailure(socket: Duplex, failure: Failure): void {
  const status = ERROR_CODES[failure.code];
  const body = JSON.stringify({ error: failure });
  socket.write(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * `CONNECT` never reaches Fastify: Node emits it on the server and, with no listener, drops the
 * connection without a word. Parley is not a proxy: answer 400 `bad_request` and close.
 */
export function refuseConnect(server: Server, logger: FastifyBaseLogger): void {
  server.on('connect', (_request, socket: Duplex) => {
    socket.on('error', () => undefined);
    try {
      if (socket.writable) writeRawFailure(socket, { code: 'bad_request', message: 'CONNECT is not supported: Parley is not a proxy.' });
    } catch (error) {
      logger.debug({ err: error }, 'CONNECT refusal not written');
    } finally {
      socket.end();
    }
  });
}
