import { connect } from 'node:net';
import { documentedHttpCodes } from './fuzz-config.js';

/** A raw HTTP/1.1 client for the fuzz suites: writes bytes as given, reads the answer as it comes. */

export interface RawAnswer {
  /** The status, or undefined when the server closed the connection without answering. */
  status: number | undefined;
  headers: Record<string, string>;
  body: string;
}

/** One request over its own TCP connection; resolves with the answer once the server closes or the body is complete. */
export function exchange(port: number, request: Buffer, timeoutMs = 10_000, options: { endAfterWrite?: boolean } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    let settled = false;
    const socket = connect(port, '127.0.0.1');
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(parseAnswer(data));
    };
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${timeoutMs} ms to ${describeRequest(request)}`)), timeoutMs);
    socket.on('connect', () => (options.endAfterWrite ? socket.end(request) : socket.write(request)));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (complete(data)) finish();
    });
    // A reset after the answer (or instead of one) is the server refusing the bytes: judged by the answer.
    socket.on('error', () => finish());
    socket.on('close', () => finish());
  });
}

/** True once the head and a Content-Length body have arrived. */
function complete(received: Buffer): boolean {
  const data = withoutInterim(received);
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(data.subarray(0, end).toString('latin1'));
  return length !== null && data.length >= end + 4 + Number(length[1]);
}

/** The bytes after any interim `1xx` answers (`100 Continue`). */
function withoutInterim(data: Buffer): Buffer {
  let rest = data;
  while (/^HTTP\/1\.[01] 1\d\d /.test(rest.subarray(0, 16).toString('latin1'))) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return rest;
    rest = rest.subarray(end + 4);
  }
  return rest;
}

function parseAnswer(received: Buffer): RawAnswer {
  const data = withoutInterim(received);
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return { status: undefined, headers: {}, body: data.toString('latin1') };
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  return { status: status === undefined ? undefined : Number(status), headers, body: data.subarray(end + 4).toString('utf8') };
}

/** The request's first line and size, for failure messages. */
export function describeRequest(request: Buffer): string {
  const firstLine = request.subarray(0, Math.min(request.length, 200)).toString('latin1').split('\r\n')[0];
  return `${JSON.stringify(firstLine)} (${request.length} bytes)`;
}

export interface RequestSpec {
  method: string;
  /** The request target exactly as written on the request line. */
  target: string;
  /** Header lines; values are written byte for byte (latin1), so they may carry CR, LF or raw UTF-8. */
  headers?: [string, string][];
  body?: string | Buffer;
  /** Leave out the Content-Length header the body would get. */
  noContentLength?: boolean;
}

/** The bytes of a request: `Host` and `Connection: close` first, then the given headers and the body. */
export function requestBytes(spec: RequestSpec): Buffer {
  const body = spec.body === undefined ? Buffer.alloc(0) : typeof spec.body === 'string' ? Buffer.from(spec.body) : spec.body;
  const lines = [`${spec.method} ${spec.target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of spec.headers ?? []) lines.push(`${name}: ${value}`);
  if (spec.body !== undefined && !spec.noContentLength) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

const HTTP_CODES = documentedHttpCodes();

/**
 * What both answer checks look at first: no answer or a 5xx is a problem, a success is fine, and
 * an error (4xx) must carry a JSON body, handed back parsed for the shape check.
 */
function errorBody(answer: RawAnswer): { kind: 'done'; problem: string | undefined } | { kind: 'error'; status: number; parsed: unknown } {
  if (answer.status === undefined) return { kind: 'done', problem: `no HTTP answer (connection closed); got ${JSON.stringify(answer.body.slice(0, 200))}` };
  if (answer.status >= 500) return { kind: 'done', problem: `status ${answer.status}: ${answer.body.slice(0, 300)}` };
  if (answer.status < 400) return { kind: 'done', problem: undefined };
  try {
    return { kind: 'error', status: answer.status, parsed: JSON.parse(answer.body) as unknown };
  } catch {
    return { kind: 'done', problem: `status ${answer.status} with a body that is not JSON: ${JSON.stringify(answer.body.slice(0, 300))}` };
  }
}

/**
 * The invariants every answer of the chat, agent and ops API keeps: an answer arrives, never a 5xx,
 * and every error is `{"error":{code,message,fields?}}` with a code docs/errors.md lists, at its status.
 * Answers a description of what is wrong, or undefined.
 */
export function apiAnswerProblem(answer: RawAnswer): string | undefined {
  const read = errorBody(answer);
  if (read.kind !== 'error') return read.problem;
  const { parsed } = read;
  const error = (parsed as { error?: unknown }).error as { code?: unknown; message?: unknown; fields?: unknown } | undefined;
  if (typeof parsed !== 'object' || parsed === null || Object.keys(parsed).join() !== 'error' || typeof error !== 'object' || error === null) {
    return `status ${answer.status} with a body not of the form {"error":{code,message}}: ${answer.body.slice(0, 300)}`;
  }
  if (typeof error.code !== 'string' || !HTTP_CODES.has(error.code)) return `status ${answer.status}: code ${JSON.stringify(error.code)} is not in docs/errors.md: ${answer.body.slice(0, 300)}`;
  if (HTTP_CODES.get(error.code) !== answer.status) return `code ${error.code} answered with status ${answer.status}, docs/errors.md says ${HTTP_CODES.get(error.code)}`;
  if (typeof error.message !== 'string' || error.message === '') return `error without a message: ${answer.body.slice(0, 300)}`;
  if (error.fields !== undefined && (typeof error.fields !== 'object' || error.fields === null || Object.values(error.fields).some((v) => typeof v !== 'string'))) {
    return `error.fields is not an object of strings: ${answer.body.slice(0, 300)}`;
  }
  return undefined;
}

/** The Pusher HTTP API's documented refusals (docs/realtime.md): `{"error":"message"}` with 400, 401, 404, 413 or 415; never a 5xx. */
export function pusherApiAnswerProblem(answer: RawAnswer): string | undefined {
  const read = errorBody(answer);
  if (read.kind !== 'error') return read.problem;
  const { parsed } = read;
  const error = (parsed as { error?: unknown }).error;
  if (typeof error === 'string' && [400, 401, 404, 413, 415].includes(read.status)) return undefined;
  // A refusal made before the Pusher API's own handlers (the framework's) may use the chat API's shape.
  if (typeof error === 'object') return apiAnswerProblem(answer);
  return `status ${answer.status} not in the Pusher API's documented form: ${answer.body.slice(0, 300)}`;
}

/** Throws with the request and the problem when an answer breaks the invariants; counts 5xx answers. */
export function assertAnswer(
  request: Buffer,
  answer: RawAnswer,
  counts: { fiveXx: number },
  check: (answer: RawAnswer) => string | undefined = apiAnswerProblem,
): void {
  if (answer.status !== undefined && answer.status >= 500) counts.fiveXx += 1;
  const problem = check(answer);
  if (problem) throw new Error(`${describeRequest(request)} → ${problem}`);
}

/** `GET /up` answers 200. */
export async function expectUp(port: number): Promise<void> {
  const answer = await exchange(port, requestBytes({ method: 'GET', target: '/up' }));
  if (answer.status !== 200) throw new Error(`GET /up answered ${answer.status}: ${answer.body.slice(0, 300)}`);
}
