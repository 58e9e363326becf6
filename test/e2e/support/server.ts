import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ParleyProcesses, ROOT, type ParleyProcess } from '../../support/process.js';
/** The built widget files the browser suites load, and the budget test measures. */
export const WIDGET_LOADER = join(ROOT, 'dist/web/js/live-chat.js');
export const WIDGET_APP = join(ROOT, 'dist/web/js/live-chat-app.js');
/** The built agent dashboard, served under `/stratus`. */
export const DASHBOARD_APP = join(ROOT, 'dist/web/stratus/app.js');

const BUILD_OUTPUTS = [join(ROOT, 'dist/main.js'), WIDGET_LOADER, WIDGET_APP];
const BUILD_INPUTS = ['src', 'web', 'scripts', 'package.json', 'tsconfig.build.json'].map((p) => join(ROOT, p));

/** Newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

/**
 * Runs `npm run build` when `dist` is missing or older than its sources. In CI `npm ci` has
 * already built it (the `prepare` script), so nothing is rebuilt while other suites run from it.
 */
export function ensureBuilt(timeoutMs = 170_000, extraOutputs: string[] = []): void {
  const outputs = [...BUILD_OUTPUTS, ...extraOutputs];
  const built = Math.min(...outputs.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  if (built > 0 && built >= Math.max(...BUILD_INPUTS.map(newest))) return;
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs });
  if (result.status !== 0) {
    throw new Error(`npm run build failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`);
  }
  const missing = outputs.filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`npm run build did not produce ${missing.join(', ')}`);
}

import { ADMIN, Agent } from './agent.js';

export { ADMIN, Agent } from './agent.js';

/** A message as the agent API answers it. */
export interface ApiMessage {
  id: number;
  conversation_id: number;
  seq: number;
  sender: 'visitor' | 'agent' | 'system';
  body: string;
  client_message_id?: string;
}


/** A real `parley start` on a free port with its own storage, and an agent logged in to it. */
export interface ParleyServer {
  url: string;
  process: ParleyProcess;
  agent: Agent;
  /** Replies as the agent; shorthand for `agent.reply`. */
  agentReply(conversationId: number, body: string): Promise<ApiMessage>;
  /** Ends the process (`SIGKILL`: a crash) and starts it again on the same storage and port; `process` is the new one after. */
  restart(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export async function startParley(extraEnv: Record<string, string> = {}): Promise<ParleyServer> {
  const cwd = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const processes = new ParleyProcesses();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    STORAGE_PATH: join(cwd, 'storage'),
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: url,
    LOG_LEVEL: 'info',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    CHAT_RATE_LIMIT_START: '1000/1m',
    CHAT_RATE_LIMIT_SEND: '1000/1m',
    AGENT_RATE_LIMIT_LOGIN: '1000/1m',
    AGENT_RATE_LIMIT_LOGIN_ACCOUNT: '1000/1m',
    CHAT_RATE_LIMIT_LOOKUP: '1000/1m',
    CHAT_RATE_LIMIT_RESUME: '1000/1m',
    CHAT_RATE_LIMIT_READ: '1000/1m',
    BROADCAST_RATE_LIMIT_AUTH: '1000/1m',
    ...extraEnv,
  };
  const stop = async () => {
    await processes.killAll();
    rmSync(cwd, { recursive: true, force: true });
  };
  try {
    let parley = processes.spawn(['start'], { cwd, env });
    await parley.listening(20_000);
    const agent = await Agent.login(url);
    const server: ParleyServer = {
      url,
      process: parley,
      agent,
      agentReply: (id, body) => agent.reply(id, body),
      restart: async (signal = 'SIGKILL') => {
        await parley.stop(signal);
        parley = processes.spawn(['start'], { cwd, env });
        await parley.listening(20_000);
        server.process = parley;
      },
      stop,
    };
    return server;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A page on another origin that embeds the widget the way a site owner would. */
export interface HostSite {
  url: string;
  stop(): Promise<void>;
}

/** Options a site owner sets on the script tag in `/custom`. */
export const CUSTOM_EMBED = { color: '#16a34a', position: 'left', greeting: 'Hello from the garden shop!' };

/** Laravel Echo and pusher-js as a Laravel site serves them (the seed's `resources/js/echo.js`, built). */
const VENDOR: Record<string, string> = {
  '/vendor/pusher.min.js': join(ROOT, 'node_modules/pusher-js/dist/web/pusher.min.js'),
  '/vendor/echo.iife.js': join(ROOT, 'node_modules/laravel-echo/dist/echo.iife.js'),
};

/** The seed's page: its own `window.Echo` (reverb broadcaster) for Parley's app, then the widget. */
const echoPage = (widgetOrigin: string, widgetAttributes: string) => `<script src="/vendor/pusher.min.js"></script>
<script src="/vendor/echo.iife.js"></script>
<script>
fetch('${widgetOrigin}/api/chat/config').then((r) => r.json()).then((cfg) => {
  window.Echo = new Echo.default({ broadcaster: 'reverb', key: cfg.key, wsHost: cfg.wsHost, wsPort: cfg.wsPort, forceTLS: false,
    enabledTransports: ['ws', 'wss'], authEndpoint: '${widgetOrigin}/broadcasting/auth' });
  const tag = document.createElement('script');
  tag.src = '${widgetOrigin}/js/live-chat.js';
  ${widgetAttributes}
  document.body.appendChild(tag);
});
</script>`;

/**
 * A tiny static site on its own port: `/` embeds `live-chat.js` from `widgetOrigin` with one
 * script tag; `/custom` does too, with `data-*` options; `/echo` has its own Laravel Echo for
 * Parley's app, as in the seed, and `/echo-off` too with `data-echo="false"`; `/plain` is the
 * same page without the widget.
 */
export async function startHostSite(widgetOrigin: string): Promise<HostSite> {
  const tags: Record<string, string> = {
    '/': `<script src="${widgetOrigin}/js/live-chat.js" async></script>`,
    '/custom': `<script src="${widgetOrigin}/js/live-chat.js" data-color="${CUSTOM_EMBED.color}" data-position="${CUSTOM_EMBED.position}" data-greeting="${CUSTOM_EMBED.greeting}" async></script>`,
    '/echo': echoPage(widgetOrigin, ''),
    '/echo-off': echoPage(widgetOrigin, "tag.dataset.echo = 'false';"),
    '/plain': '',
  };
  const page = (tag: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme Garden Supplies</title>
<style>body { font: 16px/1.5 Georgia, serif; margin: 2rem; color: #222; } button { font: inherit; }</style></head>
<body>
<h1>Acme Garden Supplies</h1>
<p>Seeds, tools and advice since 1998. <a href="#catalogue">Catalogue</a></p>
${tag}
</body>
</html>`;
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://host.test').pathname;
    const vendor = VENDOR[path];
    if (vendor !== undefined) {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(readFileSync(vendor));
      return;
    }
    const tag = tags[path];
    if (tag !== undefined) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(page(tag));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
