import { Agent, request as send, type IncomingHttpHeaders } from 'node:http';

/** Keep-alive HTTP with a hard deadline per request, on node:http (cheaper per request than fetch). */
export interface HttpAnswer {
  status: number;
  body: string;
  headers: IncomingHttpHeaders;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export function httpAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

export function request(base: string, req: HttpRequest, agent: Agent, timeoutMs = 10_000): Promise<HttpAnswer> {
  const url = new URL(req.path, base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = Buffer.byteLength(req.body);
    }
    const r = send(url, { method: req.method, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`${req.method} ${req.path} timed out after ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Sends JSON and parses the answer; throws on a status outside 2xx. */
export async function jsonRequest<T>(base: string, req: HttpRequest, agent: Agent): Promise<{ data: T; headers: IncomingHttpHeaders }> {
  const answer = await request(base, req, agent);
  if (answer.status < 200 || answer.status > 299) throw new Error(`${req.method} ${req.path}: ${answer.status} ${answer.body.slice(0, 200)}`);
  return { data: (answer.body ? JSON.parse(answer.body) : {}) as T, headers: answer.headers };
}

/** Runs `work` for each item with at most `concurrency` at a time. */
export async function inPool<T, R>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}
