import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { envSchema, isValidAppKey, SECRET_VARIABLES, type RawEnv } from './env-schema.js';
import { parseRate, type Rate } from './rate.js';

export type BroadcastDriver = 'reverb' | 'pusher' | 'log' | 'null';
/** PostgreSQL timeouts in milliseconds (0: none); see docs/configuration.md, `DB_*_TIMEOUT`. */
export interface PgTimeouts {
  connectMs: number;
  statementMs: number;
  idleInTransactionMs: number;
}
export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'pgsql'; url: string; timeouts?: PgTimeouts };

/** Shortest `REVERB_APP_SECRET` accepted outside `NODE_ENV=development`: it signs every HTTP API call and private channel. */
export const MIN_SECRET_LENGTH = 32;

/** Generated values kept under `storage/` when the environment does not give them. */
export interface GeneratedSecrets {
  APP_KEY: string;
  REVERB_APP_ID: string;
  REVERB_APP_KEY: string;
  REVERB_APP_SECRET: string;
}

export interface Config {
  env: RawEnv['NODE_ENV'];
  logLevel: RawEnv['LOG_LEVEL'];
  storagePath: string;
  http: {
    host: string;
    port: number;
    appUrl: string;
    /** Peers whose `X-Forwarded-For` is believed (IPs, CIDRs, proxy-addr's named ranges); false: none. */
    trustProxy: false | string[];
    bodyLimit: number;
    secureCookies: boolean;
    /** Slow-client limits of the HTTP server, in milliseconds (docs/configuration.md, `HTTP_*_TIMEOUT`). */
    timeouts: { headersMs: number; requestMs: number; idleMs: number; keepAliveMs: number };
    /** `METRICS_TOKEN`: the bearer token `/metrics` requires; open when undefined. */
    metricsToken: string | undefined;
  };
  /** The server secret (32+ bytes) behind token, fingerprint and session hashing. */
  appKey: Buffer;
  database: DatabaseConfig;
  broadcast: {
    driver: BroadcastDriver;
    reverb: {
      appId: string;
      key: string;
      secret: string;
      host: string;
      port: number;
      scheme: 'http' | 'https';
      server: 'embedded' | 'external';
      webhookUrl: string | undefined;
      /** More apps, from a JSON file (`{"apps":[…]}`). */
      appsFile: string | undefined;
      activityTimeout: number;
      maxMessageSize: number;
      maxConnections: number | null;
      maxConnectionsPerIp: number;
      maxChannelsPerConnection: number;
      maxFrameRate: number;
    };
    pusher: {
      appId: string | undefined;
      key: string | undefined;
      secret: string | undefined;
      cluster: string;
      host: string | undefined;
      port: number | undefined;
      scheme: 'http' | 'https' | undefined;
    };
  };
  /** Multi-node mode: the Redis shared by every node, and the prefix of every key Parley writes there. */
  redis: { url: string; prefix: string } | undefined;
  chat: {
    resumeWindowMs: number;
    resumeByNetwork: 'ask' | 'off';
    allowedOrigins: '*' | string[];
    greeting: string;
    color: string;
    retentionDays: number;
  };
  /** Per client IP (IPv6 per /64), except `loginAccount`: per agent email. */
  rateLimits: { start: Rate; send: Rate; lookup: Rate; resume: Rate; read: Rate; broadcastAuth: Rate; login: Rate; loginAccount: Rate };
  agents: {
    sessionLifetimeMs: number;
    /** No session outlives its login by more than this (`SESSION_ABSOLUTE_LIFETIME`). */
    sessionAbsoluteLifetimeMs: number;
    adminEmail: string | undefined;
    adminPassword: string | undefined;
  };
}

/** A configuration problem: names every bad variable, so start-up can stop with one clear message. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment and builds the typed configuration; throws `ConfigError` naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>, secrets?: Partial<GeneratedSecrets>): Config {
  const present = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  const problems = new Problems();
  let parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      const got = present[name];
      problems.add(name, `${issue.message}${got === undefined || SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(got)})`}`);
    }
    // Check everything else with the bad values left out, so one message names every bad variable.
    parsed = envSchema.safeParse(Object.fromEntries(Object.entries(present).filter(([name]) => !problems.has(name))));
    if (!parsed.success) throw new ConfigError(problems.list);
  }
  const e = parsed.data;
  const need = (name: keyof GeneratedSecrets): string => {
    const value = e[name] ?? secrets?.[name];
    if (value === undefined) problems.add(name, 'is required (not set and not generated)');
    return value ?? '';
  };

  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const appUrlParsed = new URL(appUrl);
  const storagePath = absolute(e.STORAGE_PATH);
  const database = databaseConfig(e, storagePath, problems);
  const driver = e.BROADCAST_DRIVER ?? e.BROADCAST_CONNECTION ?? 'reverb';
  const trustProxy = parseTrustProxy(e.TRUST_PROXY, problems);
  // Node refuses a headers timeout longer than the whole request's.
  if (e.HTTP_HEADERS_TIMEOUT > e.HTTP_REQUEST_TIMEOUT) problems.add('HTTP_HEADERS_TIMEOUT', `must not exceed HTTP_REQUEST_TIMEOUT (${e.HTTP_REQUEST_TIMEOUT})`);
  const allowedOrigins = parseOrigins(e.CHAT_ALLOWED_ORIGINS, problems);
  const rates = {
    start: rateOrProblem('CHAT_RATE_LIMIT_START', e.CHAT_RATE_LIMIT_START, problems),
    send: rateOrProblem('CHAT_RATE_LIMIT_SEND', e.CHAT_RATE_LIMIT_SEND, problems),
    lookup: rateOrProblem('CHAT_RATE_LIMIT_LOOKUP', e.CHAT_RATE_LIMIT_LOOKUP, problems),
    resume: rateOrProblem('CHAT_RATE_LIMIT_RESUME', e.CHAT_RATE_LIMIT_RESUME, problems),
    read: rateOrProblem('CHAT_RATE_LIMIT_READ', e.CHAT_RATE_LIMIT_READ, problems),
    broadcastAuth: rateOrProblem('BROADCAST_RATE_LIMIT_AUTH', e.BROADCAST_RATE_LIMIT_AUTH, problems),
    login: rateOrProblem('AGENT_RATE_LIMIT_LOGIN', e.AGENT_RATE_LIMIT_LOGIN, problems),
    loginAccount: rateOrProblem('AGENT_RATE_LIMIT_LOGIN_ACCOUNT', e.AGENT_RATE_LIMIT_LOGIN_ACCOUNT, problems),
  };
  if (driver === 'pusher') {
    const via = e.BROADCAST_DRIVER === undefined ? 'BROADCAST_CONNECTION' : 'BROADCAST_DRIVER';
    for (const name of ['PUSHER_APP_ID', 'PUSHER_APP_KEY', 'PUSHER_APP_SECRET'] as const) {
      if (e[name] === undefined) problems.add(name, `is required when ${via}=pusher`);
    }
  }
  const appKeyText = need('APP_KEY');
  // A generated key is checked too: a hand-edited storage/secrets.json must not weaken every hash.
  if (e.APP_KEY === undefined && appKeyText !== '' && !isValidAppKey(appKeyText)) {
    problems.add('APP_KEY', 'the key kept in storage/secrets.json is not valid; set APP_KEY or remove it from that file to generate a new one');
  }
  const reverb = {
    appId: need('REVERB_APP_ID'),
    key: need('REVERB_APP_KEY'),
    secret: need('REVERB_APP_SECRET'),
  };
  if (e.NODE_ENV !== 'development' && reverb.secret !== '' && reverb.secret.length < MIN_SECRET_LENGTH) {
    const where = e.REVERB_APP_SECRET === undefined ? ' (the one kept in storage/secrets.json)' : '';
    problems.add('REVERB_APP_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters${where} unless NODE_ENV=development; generate one with: openssl rand -hex 20`);
  }
  if (problems.list.length > 0) throw new ConfigError(problems.list);

  const appScheme = appUrlParsed.protocol === 'https:' ? 'https' : 'http';
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    storagePath,
    http: {
      host: e.HOST,
      port: e.PORT,
      appUrl,
      trustProxy,
      bodyLimit: e.HTTP_BODY_LIMIT,
      timeouts: {
        headersMs: e.HTTP_HEADERS_TIMEOUT * 1000,
        requestMs: e.HTTP_REQUEST_TIMEOUT * 1000,
        idleMs: e.HTTP_IDLE_TIMEOUT * 1000,
        keepAliveMs: e.HTTP_KEEP_ALIVE_TIMEOUT * 1000,
      },
      metricsToken: e.METRICS_TOKEN,
      secureCookies: e.SESSION_SECURE_COOKIE ?? appScheme === 'https',
    },
    appKey: decodeAppKey(appKeyText),
    database,
    broadcast: {
      driver,
      reverb: {
        ...reverb,
        host: e.REVERB_HOST ?? appUrlParsed.hostname,
        port: e.REVERB_PORT ?? (appUrlParsed.port ? Number(appUrlParsed.port) : appScheme === 'https' ? 443 : 80),
        scheme: e.REVERB_SCHEME ?? appScheme,
        server: e.REVERB_SERVER,
        webhookUrl: e.REVERB_WEBHOOK_URL,
        appsFile: e.REVERB_APPS_FILE,
        activityTimeout: e.REVERB_APP_ACTIVITY_TIMEOUT,
        maxMessageSize: e.REVERB_APP_MAX_MESSAGE_SIZE,
        maxConnections: e.REVERB_APP_MAX_CONNECTIONS,
        maxConnectionsPerIp: e.REVERB_APP_MAX_CONNECTIONS_PER_IP,
        maxChannelsPerConnection: e.REVERB_APP_MAX_CHANNELS_PER_CONNECTION,
        maxFrameRate: e.REVERB_APP_MAX_FRAME_RATE,
      },
      pusher: {
        appId: e.PUSHER_APP_ID,
        key: e.PUSHER_APP_KEY,
        secret: e.PUSHER_APP_SECRET,
        cluster: e.PUSHER_APP_CLUSTER,
        host: e.PUSHER_HOST,
        port: e.PUSHER_PORT,
        scheme: e.PUSHER_SCHEME,
      },
    },
    redis: e.REDIS_URL === undefined ? undefined : { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    chat: {
      resumeWindowMs: e.CHAT_RESUME_WINDOW_HOURS * 3_600_000,
      resumeByNetwork: e.CHAT_RESUME_BY_NETWORK,
      allowedOrigins,
      greeting: e.CHAT_GREETING,
      color: e.CHAT_COLOR,
      retentionDays: e.CHAT_RETENTION_DAYS,
    },
    rateLimits: rates,
    agents: {
      sessionLifetimeMs: e.SESSION_LIFETIME * 60_000,
      sessionAbsoluteLifetimeMs: e.SESSION_ABSOLUTE_LIFETIME * 60_000,
      adminEmail: e.ADMIN_EMAIL,
      adminPassword: e.ADMIN_PASSWORD,
    },
  };
}

/** Problems found so far. A variable keeps its first problem: later checks only trip over the same bad value. */
class Problems {
  readonly list: string[] = [];
  private readonly named = new Set<string>();

  add(name: string, message: string): void {
    if (this.named.has(name)) return;
    this.named.add(name);
    this.list.push(`${name}: ${message}`);
  }

  has(name: string): boolean {
    return this.named.has(name);
  }
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}

function databaseConfig(e: RawEnv, storagePath: string, problems: Problems): DatabaseConfig {
  if (e.DATABASE_URL !== undefined) {
    if (e.DB_CONNECTION === 'sqlite') problems.add('DB_CONNECTION', 'is "sqlite" but DATABASE_URL is a PostgreSQL URL');
    return { kind: 'pgsql', url: e.DATABASE_URL, timeouts: { connectMs: Math.round(e.DB_CONNECT_TIMEOUT * 1000), statementMs: Math.round(e.DB_STATEMENT_TIMEOUT * 1000), idleInTransactionMs: Math.round(e.DB_IDLE_IN_TRANSACTION_TIMEOUT * 1000) } };
  }
  if (e.DB_CONNECTION === 'pgsql') {
    problems.add('DATABASE_URL', 'is required when DB_CONNECTION=pgsql');
    return { kind: 'pgsql', url: '' };
  }
  const file = e.DB_DATABASE ?? resolve(storagePath, 'parley.sqlite');
  return { kind: 'sqlite', file: file === ':memory:' ? file : absolute(file) };
}

/** `APP_KEY` in Laravel's `base64:` form, or a long string used as it is. */
export function decodeAppKey(value: string): Buffer {
  return value.startsWith('base64:') ? Buffer.from(value.slice(7), 'base64') : Buffer.from(value, 'utf8');
}

/** Names Fastify (proxy-addr) understands in place of addresses. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `TRUST_PROXY`: which peers may tell us the client's address. Never "everyone": `true` means a
 * proxy on this machine (loopback), since trusting any peer lets every client choose its own IP.
 */
function parseTrustProxy(value: string, problems: Problems): false | string[] {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return ['loopback'];
  if (v === 'false' || v === '0' || v === 'no' || v === '') return false;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !isAddressOrRange(s));
  // Without a peer, nothing is trusted: an empty list must not reach Fastify as "trust every hop".
  if (list.length === 0) return false;
  if (bad.length > 0) problems.add('TRUST_PROXY', `must be true, false or a comma-separated list of IPs/CIDRs (bad: ${bad.join(', ')})`);
  return list;
}

/** An IP, a CIDR with a prefix that fits its family, or one of proxy-addr's named ranges. */
function isAddressOrRange(text: string): boolean {
  if (PROXY_RANGES.has(text)) return true;
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function parseOrigins(value: string, problems: Problems): '*' | string[] {
  if (value.trim() === '*') return '*';
  const origins: string[] = [];
  const bad: string[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const origin = originOf(item);
    if (origin === undefined) bad.push(item);
    else origins.push(origin);
  }
  if (bad.length > 0) problems.add('CHAT_ALLOWED_ORIGINS', `must be * or origins like https://shop.example (bad: ${bad.join(', ')})`);
  return origins;
}

function originOf(text: string): string | undefined {
  try {
    const url = new URL(text);
    const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
    return (url.protocol === 'http:' || url.protocol === 'https:') && bare ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

function rateOrProblem(name: string, value: string, problems: Problems): Rate {
  const rate = parseRate(value);
  if (rate === undefined) {
    problems.add(name, `must look like "10/1m" with a count ≥ 1 and a period > 0 (got ${JSON.stringify(value)})`);
    return { max: 1, windowMs: 1000 };
  }
  return rate;
}
