import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendFailure } from '../../errors/http-failure.js';

export interface WebRouteDeps {
  /** The project directory holding `dist/web/js` and `web/demo`; by default this checkout. */
  root?: string;
  /** The demo page's Content-Security-Policy (`contentSecurityPolicy` in src/http/csp.ts); none without it. */
  csp?: string;
}

/** src/http/routes or dist/http/routes: three levels below the project directory either way. */
const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const LOADER_CACHE = 'public, max-age=300';
const VERSIONED_CACHE = 'public, max-age=31536000, immutable';

interface Asset {
  mtimeMs: number;
  size: number;
  body: Buffer;
  gzip: Buffer | undefined;
  /** The first 12 hex digits of its SHA-256: the loader asks for `live-chat-app.js?v=<version>`. */
  version: string;
  etag: string;
}

/**
 * The widget's files and the demo page (docs/widget.md, "Embedding"): `GET /js/live-chat.js` (the loader,
 * cached briefly so a new version reaches sites within minutes), `GET /js/live-chat-app.js` and
 * `GET /js/live-chat-upload.js` (cached for a year when asked for by their version), `GET /` and `GET /favicon.ico`. Any site may load the
 * scripts, so they answer `Access-Control-Allow-Origin: *`.
 */
export async function webRoutes(app: FastifyInstance, deps: WebRouteDeps): Promise<void> {
  const root = deps.root ?? PROJECT_ROOT;
  const dir = join(root, 'dist/web/js');
  const cache = new Map<string, Asset>();

  /** Reads a built file once per change (size and mtime), with its precompressed twin. */
  const load = async (name: string): Promise<Asset | undefined> => {
    const file = join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (!info) return undefined;
    const cached = cache.get(name);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached;
    const body = await readFile(file);
    const gzip = await readFile(`${file}.gz`).catch(() => undefined);
    const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const asset = { mtimeMs: info.mtimeMs, size: info.size, body, gzip, version, etag: `W/"${version}"` };
    cache.set(name, asset);
    return asset;
  };

  const script = async (request: FastifyRequest, reply: FastifyReply, name: string, versioned: boolean) => {
    const asset = await load(name);
    if (!asset) {
      return sendFailure(reply, { code: 'service_unavailable', message: `The widget is not built (dist/web/js/${name} is missing): run \`npm run build\`.` });
    }
    const asked = (request.query as { v?: string }).v;
    reply
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', versioned && asked === asset.version ? VERSIONED_CACHE : LOADER_CACHE)
      .header('etag', asset.etag)
      .header('vary', 'Accept-Encoding');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    if (asset.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      return reply.header('content-encoding', 'gzip').send(asset.gzip);
    }
    return reply.send(asset.body);
  };

  app.get('/js/live-chat.js', (request, reply) => script(request, reply, 'live-chat.js', false));
  app.get('/js/live-chat-app.js', (request, reply) => script(request, reply, 'live-chat-app.js', true));
  app.get('/js/live-chat-upload.js', (request, reply) => script(request, reply, 'live-chat-upload.js', true));

  app.get('/', async (_request, reply) => {
    const page = await readFile(join(root, 'web/demo/index.html')).catch(() => undefined);
    if (!page) return sendFailure(reply, { code: 'not_found', message: 'No demo page (web/demo/index.html).' });
    if (deps.csp !== undefined) reply.header('content-security-policy', deps.csp).header('x-frame-options', 'DENY');
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(page);
  });

  app.get('/favicon.ico', (_request, reply) => reply.code(204).send());
}
