import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import Pusher from 'pusher';
import type { Options } from 'pusher-js';
import type { MessageDto } from '../../src/chat/dto.js';
import { pgMissing, TEST_DATABASE_URL, withSchemaLock } from './engines.js';
import { buildDist, freePort, ParleyProcesses, ROOT, type ParleyProcess } from './process.js';
import { cookieAuthorizer, PusherClients, waitFor, type TestClient } from './pusher-clients.js';
import { dropRedisKeys, freshRedisPrefix, redisMissing, TEST_REDIS_URL } from './redis.js';

/**
 * Why the multi-node suites cannot run here, or undefined when they can. Redis and PostgreSQL are
 * checked when their support modules load, which throws under CI=true instead of skipping.
 */
export const clusterUnavailable: string | undefined = redisMissing
  ? `Redis is not reachable at ${TEST_REDIS_URL}`
  : pgMissing
    ? `PostgreSQL is not reachable at ${TEST_DATABASE_URL}`
    : undefined;

/** The credentials every node of a test cluster shares. */
export const CLUSTER_SECRETS = {
  APP_KEY: 'base64:' + Buffer.alloc(32, 9).toString('base64'),
  REVERB_APP_ID: '200002',
  REVERB_APP_KEY: 'cluster-key',
  REVERB_APP_SECRET: 'cluster-secret-0123456789abcdef0123456789',
};

export const CLUSTER_ADMIN = { email: 'admin@cluster.test', password: 'correct horse battery staple' };

/**
 * Compiles `src` into `dist` unless `dist` is newer than every source file, one test file at a time
 * (a PostgreSQL advisory lock), so two suites never rewrite `dist` under each other's processes.
 */
export async function buildDistOnce(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(7270418)');
    if (!distIsFresh()) buildDist();
  } finally {
    await client.end();
  }
}

/** Whether the last build (`dist/.tsbuildinfo`) is newer than every file under `src`. */
function distIsFresh(): boolean {
  const built = join(ROOT, 'dist', '.tsbuildinfo');
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  const sources = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return sources.every((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs <= builtAt);
}

/** One `parley start` process of the cluster. */
export interface ClusterNode {
  name: string;
  port: number;
  /** `http://127.0.0.1:PORT` */
  url: string;
  process: ParleyProcess;
  /** The Pusher server SDK pointed at this node's HTTP API. */
  sdk: Pusher;
}

export interface ClusterOptions {
  /** Node names, in order: `['a', 'b']` starts two nodes. */
  nodes: string[];
  /** Extra environment for every node. */
  env?: Record<string, string>;
}

/**
 * N `parley start` processes sharing one new, empty PostgreSQL schema (the nodes migrate it as they
 * start, all at once), one Redis (under a prefix of their own) and one set of secrets, each on its
 * own port and storage directory.
 */
export class Cluster {
  readonly nodes = new Map<string, ClusterNode>();
  private readonly processes = new ParleyProcesses();
  private readonly dirs: string[] = [];

  private constructor(
    /** The PostgreSQL schema the nodes use (their `search_path`). */
    readonly schema: string,
    readonly redisPrefix: string,
    readonly databaseUrl: string,
  ) {}

  /** Creates the schema and starts every node at once; resolves when all answer `GET /up` with 200. */
  static async start(options: ClusterOptions): Promise<Cluster> {
    const schema = `parley_test_${randomBytes(6).toString('hex')}`;
    await withSchemaLock((client) => client.query(`create schema ${schema}`));
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const cluster = new Cluster(schema, freshRedisPrefix('cluster'), url.toString());
    // Settled, not raced: a node still starting when another fails must be killed too.
    const started = await Promise.allSettled(options.nodes.map((name) => cluster.startNode(name, options.env ?? {})));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await cluster.close();
      throw failed.reason;
    }
    return cluster;
  }

  /** A query on the cluster's schema, for checks of what the nodes stored. */
  async query<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  }

  node(name: string): ClusterNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no node ${name} in this cluster`);
    return node;
  }

  /** Kills the node with SIGKILL (no shutdown, no goodbye to Redis) and waits until it is gone. */
  async kill(name: string): Promise<void> {
    const node = this.node(name);
    node.process.child.kill('SIGKILL');
    await node.process.finished(5_000);
  }

  /** Kills every node, drops the schema, deletes the prefix's Redis keys and the storage directories. */
  async close(): Promise<void> {
    await this.processes.killAll();
    const problems: unknown[] = [];
    await withSchemaLock((client) => client.query(`drop schema if exists ${this.schema} cascade`)).catch((error: unknown) => problems.push(error));
    await dropRedisKeys([this.redisPrefix]).catch((error: unknown) => problems.push(error));
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (problems.length > 0) throw new AggregateError(problems, 'cluster clean-up failed');
  }

  /** Every node's output, for failure messages. */
  output(): string {
    return [...this.nodes.values()].map((n) => `=== node ${n.name} (${n.url}) ===\n${n.process.output()}`).join('\n');
  }

  private async startNode(name: string, extra: Record<string, string>): Promise<ClusterNode> {
    const cwd = mkdtempSync(join(tmpdir(), `parley-node-${name}-`));
    this.dirs.push(cwd);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...CLUSTER_SECRETS,
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_URL: url,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: this.redisPrefix,
      ADMIN_EMAIL: CLUSTER_ADMIN.email,
      ADMIN_PASSWORD: CLUSTER_ADMIN.password,
      STORAGE_PATH: join(cwd, 'storage'),
      LOG_LEVEL: 'warn',
      CHAT_RATE_LIMIT_START: '10000/1m',
      CHAT_RATE_LIMIT_SEND: '10000/1m',
      AGENT_RATE_LIMIT_LOGIN: '10000/1m',
      AGENT_RATE_LIMIT_LOGIN_ACCOUNT: '10000/1m',
      CHAT_RATE_LIMIT_LOOKUP: '10000/1m',
      CHAT_RATE_LIMIT_RESUME: '10000/1m',
      CHAT_RATE_LIMIT_READ: '10000/1m',
      BROADCAST_RATE_LIMIT_AUTH: '10000/1m',
      ...extra,
    };
    const process = this.processes.spawn(['start'], { cwd, env });
    const sdk = new Pusher({
      appId: CLUSTER_SECRETS.REVERB_APP_ID,
      key: CLUSTER_SECRETS.REVERB_APP_KEY,
      secret: CLUSTER_SECRETS.REVERB_APP_SECRET,
      host: '127.0.0.1',
      port: String(port),
      useTLS: false,
    });
    const node: ClusterNode = { name, port, url, process, sdk };
    this.nodes.set(name, node);
    await untilUp(node);
    return node;
  }
}


/** Polls `GET /up` (every 100 ms, at most `timeoutMs`) until it answers 200; fails early if the process exits. */
async function untilUp(node: ClusterNode, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!node.process.running) throw new Error(`node ${node.name} exited before it was up\n${node.process.output()}`);
    try {
      const res = await fetch(`${node.url}/up`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`node ${node.name} was not up within ${timeoutMs} ms (last: ${last})\n${node.process.output()}`);
}

// --- The chat's HTTP API, spoken to any node over real HTTP ------------------------------------

export const VISITOR_UA = 'Mozilla/5.0 (X11; Linux x86_64) ParleyClusterTest/1.0';

export interface Chat {
  id: number;
  token: string;
}

export interface AgentSession {
  agentId: number;
  cookie: string;
  csrf: string;
  /** The headers a state-changing agent request needs. */
  headers: Record<string, string>;
}

export interface Answer<T> {
  status: number;
  body: T;
}

/** A JSON request to a node; answers the status and the parsed body (or the text when it is not JSON). */
export async function call<T = unknown>(base: string, method: string, path: string, options: { json?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'user-agent': VISITOR_UA, ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T };
}

function expectStatus<T>(answer: Answer<T>, status: number, what: string): T {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Logs an agent in on `base`; answers its cookie and CSRF token. */
export async function login(base: string, email = CLUSTER_ADMIN.email, password = CLUSTER_ADMIN.password): Promise<AgentSession> {
  const res = await fetch(`${base}/api/agent/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { agent: { id: number }; csrf_token: string };
  if (res.status !== 200) throw new Error(`login of ${email} on ${base}: ${res.status} ${JSON.stringify(body)}`);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('parley_session='));
  if (!setCookie) throw new Error(`login of ${email} on ${base} set no parley_session cookie`);
  const cookie = setCookie.split(';')[0] as string;
  return { agentId: body.agent.id, cookie, csrf: body.csrf_token, headers: { cookie, 'x-csrf-token': body.csrf_token } };
}

/** An admin adds an agent (role `agent`) on `base`; answers its id. */
export async function createAgent(base: string, admin: AgentSession, agent: { email: string; name: string; password: string }): Promise<number> {
  const body = expectStatus(await call<{ agent: { id: number } }>(base, 'POST', '/api/agent/agents', { json: agent, headers: admin.headers }), 201, `creating ${agent.email}`);
  return body.agent.id;
}

let fingerprints = 0;

/** A visitor starts a conversation on `base` (without a first message unless given). */
export async function startChat(base: string, message?: string): Promise<Chat> {
  const fingerprint = `cluster${String(++fingerprints).padStart(10, '0')}${randomBytes(8).toString('hex')}`;
  const body = expectStatus(
    await call<{ conversation: { id: number }; visitor_token: string }>(base, 'POST', '/api/chat/start', { json: { fingerprint, ...(message ? { message } : {}) } }),
    201,
    'starting a chat',
  );
  return { id: body.conversation.id, token: body.visitor_token };
}

/** A visitor message through `base`; answers the status (201 new, 200 repeated) and the message. */
export async function visitorSend(base: string, chat: Chat, body: string, clientMessageId?: string): Promise<Answer<{ message: MessageDto }>> {
  return call(base, 'POST', `/api/chat/${chat.id}/messages`, {
    json: { body, ...(clientMessageId ? { client_message_id: clientMessageId } : {}) },
    headers: { authorization: `Bearer ${chat.token}` },
  });
}

/** An agent reply through `base`. */
export async function agentSend(base: string, session: AgentSession, conversationId: number, body: string, clientMessageId?: string): Promise<Answer<{ message: MessageDto }>> {
  return call(base, 'POST', `/api/agent/conversations/${conversationId}/messages`, {
    json: { body, ...(clientMessageId ? { client_message_id: clientMessageId } : {}) },
    headers: session.headers,
  });
}

/** The visitor's catch-up read: `GET /api/chat/{id}/messages?after=…`, every page. */
export async function messagesAfter(base: string, chat: Chat, after: number): Promise<MessageDto[]> {
  const all: MessageDto[] = [];
  for (let from = after; ; ) {
    const page = expectStatus(
      await call<{ messages: MessageDto[] }>(base, 'GET', `/api/chat/${chat.id}/messages?after=${from}&limit=1000`, { headers: { authorization: `Bearer ${chat.token}` } }),
      200,
      'reading messages',
    );
    all.push(...page.messages);
    const last = page.messages.at(-1);
    if (page.messages.length < 1000 || !last) return all;
    from = last.seq;
  }
}

/** The whole transcript as agents see it, read on `base`. */
export async function transcript(base: string, session: AgentSession, conversationId: number): Promise<MessageDto[]> {
  const body = expectStatus(
    await call<{ messages: MessageDto[] }>(base, 'GET', `/api/agent/conversations/${conversationId}?limit=1000`, { headers: { cookie: session.cookie } }),
    200,
    'reading the transcript',
  );
  return body.messages;
}

// --- pusher-js clients authorised the way the widget and the dashboard are ----------------------

/** The widget's way: pusher-js's ajax authoriser, with the visitor's bearer token, against `authBase`. */
export function visitorClient(clients: PusherClients, authBase: string, chat: Chat, options: Partial<Options> = {}): Promise<TestClient> {
  return clients.connect({
    channelAuthorization: { endpoint: `${authBase}/broadcasting/auth`, transport: 'ajax', headers: { Authorization: `Bearer ${chat.token}` } },
    ...options,
  });
}

/** The dashboard's way: the session cookie (sent with fetch, as Node's XMLHttpRequest cannot set it). */
export function agentClient(clients: PusherClients, authBase: string, session: AgentSession, options: Partial<Options> = {}): Promise<TestClient> {
  return clients.connect({ channelAuthorization: { customHandler: cookieAuthorizer(authBase, session.cookie) }, ...options });
}

/** A pusher-js client set for one node (`clients.connect()` reaches that node's WebSocket). */
export function clientsFor(node: ClusterNode): PusherClients {
  return new PusherClients({ port: node.port, key: CLUSTER_SECRETS.REVERB_APP_KEY });
}

// --- Clients that recover the way the docs ask, and a webhook receiver ---------------------------

/**
 * A visitor as docs/api.md asks clients to behave: live `MessageSent` events, plus a catch-up read
 * (`GET /api/chat/{id}/messages?after=<last seq it holds without a gap>`) on every
 * `pusher:subscription_succeeded` (first subscription and each reconnection) and on a gap; merged by seq.
 */
export class CatchingUpVisitor {
  readonly bySeq = new Map<number, MessageDto>();
  readonly stats = { live: 0, caughtUp: 0, repeated: 0, catchUps: 0 };
  readonly errors: unknown[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly client: TestClient,
    private readonly httpBase: string,
    private readonly chat: Chat,
  ) {
    const channel = client.pusher.subscribe(`private-conversation.${chat.id}`);
    channel.bind('MessageSent', (data: { message: MessageDto }) => this.merge([data.message], 'live'));
    channel.bind('pusher:subscription_succeeded', () => this.catchUp());
    channel.bind('pusher:subscription_error', (status: unknown) => this.errors.push(new Error(`subscription failed: ${JSON.stringify(status)}`)));
  }

  /** The highest seq up to which this client holds every message. */
  contiguous(): number {
    let seq = 0;
    while (this.bySeq.has(seq + 1)) seq++;
    return seq;
  }

  /** Resolves once the client holds `count` messages. */
  holds(count: number, ms: number): Promise<void> {
    return waitFor<void>(`the visitor to hold ${count} messages (holds ${this.bySeq.size})`, (resolve) => {
      const check = () => {
        if (this.bySeq.size >= count) resolve();
      };
      this.listeners.add(check);
      check();
      return () => this.listeners.delete(check);
    }, ms);
  }

  private catchUp(): void {
    this.stats.catchUps++;
    messagesAfter(this.httpBase, this.chat, this.contiguous()).then(
      (messages) => this.merge(messages, 'caughtUp'),
      (error: unknown) => this.errors.push(error),
    );
  }

  private merge(messages: MessageDto[], source: 'live' | 'caughtUp'): void {
    for (const message of messages) {
      if (this.bySeq.has(message.seq)) {
        this.stats.repeated++;
        continue;
      }
      this.bySeq.set(message.seq, message);
      this.stats[source]++;
      if (source === 'live' && message.seq > this.contiguous() + 1) this.catchUp();
    }
    for (const listener of [...this.listeners]) listener();
  }
}

/** Collects the webhooks every node posts (Pusher format: `{time_ms, events: [...]}`). */
export class WebhookSink {
  readonly events: { name: string; channel: string; user_id?: string }[] = [];
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookSink> {
    const server = createServer();
    const sink = new WebhookSink(server);
    server.on('request', (req, res) => {
      let raw = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        try {
          sink.events.push(...(JSON.parse(raw) as { events: WebhookSink['events'] }).events);
        } catch {
          return void res.writeHead(400).end();
        }
        res.writeHead(200).end();
        for (const listener of [...sink.listeners]) listener();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook`;
  }

  count(name: string, channel: string): number {
    return this.events.filter((e) => e.name === name && e.channel === channel).length;
  }

  /** Resolves once a `name` webhook for `channel` has arrived. */
  received(name: string, channel: string, ms: number): Promise<void> {
    return waitFor<void>(`a ${name} webhook for ${channel}`, (resolve) => {
      const check = () => {
        if (this.count(name, channel) > 0) resolve();
      };
      this.listeners.add(check);
      check();
      return () => this.listeners.delete(check);
    }, ms);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
