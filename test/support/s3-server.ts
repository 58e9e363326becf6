import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One stored object. */
export interface S3Object {
  data: Buffer;
  contentType: string | undefined;
}

/** What the server saw of one request (headers lower-cased, as node gives them). */
export interface S3Request {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Keys named by a DeleteObjects request. */
  deleteKeys?: string[];
}

/** How requests fail while an outage is on: 500 InternalError answers, or sockets closed unanswered. */
export type S3Outage = 'error-500' | 'close' | null;

export interface S3TestServer {
  /** `http://127.0.0.1:{port}`: the client's endpoint, with `forcePathStyle: true`. */
  readonly endpoint: string;
  /** Bucket name → key → object; buckets named at start exist, any other answers NoSuchBucket. */
  readonly buckets: Map<string, Map<string, S3Object>>;
  readonly requests: S3Request[];
  /** Starts (or, with null, ends) an outage; `close` also drops the sockets already open. */
  fail(outage: S3Outage): void;
  close(): Promise<void>;
}

/**
 * A small S3-compatible server in the test process, for the S3 FileStore: path-style PutObject,
 * GetObject, HeadObject, DeleteObject and DeleteObjects, with S3's XML errors. Signatures are not
 * checked, but a request without an Authorization header is refused as S3 would.
 */
export async function startS3Server(bucketNames: string[] = ['parley-test']): Promise<S3TestServer> {
  const buckets = new Map(bucketNames.map((name) => [name, new Map<string, S3Object>()]));
  const requests: S3Request[] = [];
  const sockets = new Set<Socket>();
  let outage: S3Outage = null;

  const server = createServer((req, res) => {
    if (outage === 'close') {
      req.socket.destroy();
      return;
    }
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'InternalError', String(error));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const [, bucketName = '', ...keyParts] = url.pathname.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const record: S3Request = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(record);

    if (outage === 'error-500') return sendError(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
    if (!req.headers.authorization) return sendError(res, 403, 'AccessDenied', 'Access Denied');
    const bucket = buckets.get(decodeURIComponent(bucketName));
    if (!bucket) return sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');

    if (req.method === 'POST' && url.searchParams.has('delete') && key === '') {
      if (!Object.keys(req.headers).some((h) => h === 'content-md5' || h.startsWith('x-amz-checksum-'))) {
        return sendError(res, 400, 'InvalidRequest', 'Missing required header for this request: Content-MD5 or x-amz-checksum-*');
      }
      const xml = body.toString('utf8');
      const keys = [...xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => unescapeXml(m[1] ?? ''));
      if (keys.length > 1000) return sendError(res, 400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate');
      record.deleteKeys = keys;
      for (const k of keys) bucket.delete(k);
      const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(xml);
      const deleted = quiet ? '' : keys.map((k) => `<Deleted><Key>${escapeXml(k)}</Key></Deleted>`).join('');
      return sendXml(res, 200, `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${deleted}</DeleteResult>`);
    }
    if (key === '') return sendError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');

    switch (req.method) {
      case 'PUT': {
        const data = isAwsChunked(req) ? decodeAwsChunked(body) : body;
        bucket.set(key, { data, contentType: req.headers['content-type'] });
        res.writeHead(200, { ETag: etag(data), 'Content-Length': '0' }).end();
        return;
      }
      case 'GET':
      case 'HEAD': {
        const object = bucket.get(key);
        if (!object) {
          if (req.method === 'HEAD') return void res.writeHead(404, { 'Content-Length': '0' }).end();
          return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', key);
        }
        res.writeHead(200, {
          'Content-Type': object.contentType ?? 'binary/octet-stream',
          'Content-Length': String(object.data.byteLength),
          ETag: etag(object.data),
          'Last-Modified': new Date().toUTCString(),
        });
        res.end(req.method === 'GET' ? object.data : undefined);
        return;
      }
      case 'DELETE':
        bucket.delete(key);
        res.writeHead(204).end();
        return;
      default:
        return sendError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    buckets,
    requests,
    fail(next) {
      outage = next;
      if (next === 'close') for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function isAwsChunked(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'] ?? '';
  const sha = String(req.headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

/** `{hex size}[;chunk-signature=…]\r\n{bytes}\r\n` … `0\r\n{trailers}\r\n\r\n` → the bytes. */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) throw new Error('aws-chunked body ends inside a chunk header');
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isInteger(size) || size < 0) throw new Error('aws-chunked body has a bad chunk size');
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    parts.push(body.subarray(start, start + size));
    at = start + size + 2;
  }
  throw new Error('aws-chunked body has too many chunks');
}

function etag(data: Buffer): string {
  return `"${data.byteLength.toString(16).padStart(32, '0')}"`;
}

function sendXml(res: ServerResponse, status: number, xml: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, key?: string): void {
  const keyXml = key === undefined ? '' : `<Key>${escapeXml(key)}</Key>`;
  sendXml(res, status, `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${keyXml}<RequestId>parley-test</RequestId></Error>`);
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return named[entity.toLowerCase()] ?? '';
  });
}
