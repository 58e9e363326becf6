import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import Pusher from 'pusher';
import { pgMissing, TEST_DATABASE_URL, withSchemaLock } from './engines.js';
import { freePort, ParleyProcesses, type ParleyProcess } from './process.js';
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
