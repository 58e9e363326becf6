import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendFailure } from '../../errors/http-failure.js';

export interface DashboardRouteDeps {
  /** The project directory holding `web/dashboard` and `dist/web/stratus`; by default this checkout. */
  root?: string;
  /** The page's Content-Security-Policy: `contentSecurityPolicy` in src/http/csp.ts. */
  csp: string;
}

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** What installs the dashboard as an app (docs/dashboard.md, "Install as an app"), committed in web/dashboard/install/. */
const ICON_CACHE = 'public, max-age=86400';
const INSTALL: Record<string, { file: string; type: string; cache: string }> = {
  // Re-read at every start of the app, so a changed name or colour is picked up.
  'manifest.webmanifest': { file: 'manifest.webmanifest', type: 'application/manifest+json; charset=utf-8', cache: 'no-cache' },
  'icons/icon-192.png': { file: 'icon-192.png', type: 'image/png', cache: ICON_CACHE },
  'icons/icon-512.png': { file: 'icon-512.png', type: 'image/png', cache: ICON_CACHE },
  'icons/icon-maskable-512.png': { file: 'icon-maskable-512.png', type: 'image/png', cache: ICON_CACHE },
  'icons/apple-touch-icon.png': { file: 'apple-touch-icon.png', type: 'image/png', cache: ICON_CACHE },
};

/**
 * The agent dashboard (docs/dashboard.md): `/stratus`, `/stratus/login` and every other
 * `/stratus/*` path answer the same HTML shell, which loads the bundle from `/stratus/app.js`.
 */
export async function dashboardRoutes(app: FastifyInstance, deps: DashboardRouteDeps): Promise<void> {
  const root = deps.root ?? PROJECT_ROOT;
  const { csp } = deps;

  const shell = async (_request: unknown, reply: FastifyReply) => {
    const page = await readFile(join(root, 'web/dashboard/index.html')).catch(() => undefined);
    if (!page) return sendFailure(reply, { code: 'not_found', message: 'No dashboard page (web/dashboard/index.html).' });
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', csp)
      .header('x-frame-options', 'DENY')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .send(page);
  };

  app.get('/stratus', shell);
  app.get('/stratus/*', async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    const install = Object.hasOwn(INSTALL, rest) ? INSTALL[rest] : undefined;
    if (install) {
      const file = await readFile(join(root, 'web/dashboard/install', install.file)).catch(() => undefined);
      if (!file) return sendFailure(reply, { code: 'not_found', message: `No web/dashboard/install/${install.file}.` });
      return reply.header('content-type', install.type).header('cache-control', install.cache).header('x-content-type-options', 'nosniff').send(file);
    }
    // Own names only: `__proto__` or `toString` is a page path like any other, not an asset.
    const type = Object.hasOwn(ASSETS, rest) ? ASSETS[rest] : undefined;
    if (!type) return shell(request, reply);
    const body = await readFile(join(root, 'dist/web/stratus', rest)).catch(() => undefined);
    if (!body) {
      return sendFailure(reply, { code: 'service_unavailable', message: `The dashboard is not built (dist/web/stratus/${rest} is missing): run \`npm run build\`.` });
    }
    return reply.header('content-type', type).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(body);
  });
}
