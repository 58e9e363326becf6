import { isAbsolute, resolve } from 'node:path';
import { envSchema, type RawEnv } from './env-schema.js';
import { parseRate, type Rate } from './rate.js';

export type BroadcastDriver = 'reverb' | 'pusher' | 'log' | 'null';
export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'pgsql'; url: string };

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
    trustProxy: boolean | string[];
    bodyLimit: number;
    secureCookies: boolean;
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
  redisUrl: string | undefined;
  chat: {
    resumeWindowMs: number;
    resumeByNetwork: 'ask' | 'off';
    allowedOrigins: '*' | string[];
    greeting: string;
    color: string;
    retentionDays: number;
  };
  rateLimits: { start: Rate; send: Rate; login: Rate };
  agents: {
    sessionLifetimeMs: number;
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
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const got = present[name];
        return `${name}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  const need = (name: keyof GeneratedSecrets): string => {
    const value = e[name] ?? secrets?.[name];
    if (value === undefined) problems.push(`${name}: is required (not set and not generated)`);
    return value ?? '';
  };

  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const appUrlParsed = new URL(appUrl);
  const storagePath = absolute(e.STORAGE_PATH);
  const database = databaseConfig(e, storagePath, problems);
  const driver = e.BROADCAST_DRIVER ?? e.BROADCAST_CONNECTION ?? 'reverb';
  const trustProxy = parseTrustProxy(e.TRUST_PROXY, problems);
  const allowedOrigins = parseOrigins(e.CHAT_ALLOWED_ORIGINS, problems);
  const rates = {
    start: rateOrProblem('CHAT_RATE_LIMIT_START', e.CHAT_RATE_LIMIT_START, problems),
    send: rateOrProblem('CHAT_RATE_LIMIT_SEND', e.CHAT_RATE_LIMIT_SEND, problems),
    login: rateOrProblem('AGENT_RATE_LIMIT_LOGIN', e.AGENT_RATE_LIMIT_LOGIN, problems),
  };
  if (driver === 'pusher') {
    for (const name of ['PUSHER_APP_ID', 'PUSHER_APP_KEY', 'PUSHER_APP_SECRET'] as const) {
      if (e[name] === undefined) problems.push(`${name}: is required when BROADCAST_DRIVER=pusher`);
    }
  }
  const appKeyText = need('APP_KEY');
  const reverb = {
    appId: need('REVERB_APP_ID'),
    key: need('REVERB_APP_KEY'),
    secret: need('REVERB_APP_SECRET'),
  };
  if (problems.length > 0) throw new ConfigError(problems);

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
    redisUrl: e.REDIS_URL,
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
      adminEmail: e.ADMIN_EMAIL,
      adminPassword: e.ADMIN_PASSWORD,
    },
  };
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}

function databaseConfig(e: RawEnv, storagePath: string, problems: string[]): DatabaseConfig {
  if (e.DATABASE_URL !== undefined) {
    if (e.DB_CONNECTION === 'sqlite') problems.push('DB_CONNECTION: is "sqlite" but DATABASE_URL is a PostgreSQL URL');
    return { kind: 'pgsql', url: e.DATABASE_URL };
  }
  if (e.DB_CONNECTION === 'pgsql') {
    problems.push('DATABASE_URL: is required when DB_CONNECTION=pgsql');
    return { kind: 'pgsql', url: '' };
  }
  const file = e.DB_DATABASE ?? resolve(storagePath, 'parley.sqlite');
  return { kind: 'sqlite', file: file === ':memory:' ? file : absolute(file) };
}

/** `APP_KEY` in Laravel's `base64:` form, or a long string used as it is. */
export function decodeAppKey(value: string): Buffer {
  return value.startsWith('base64:') ? Buffer.from(value.slice(7), 'base64') : Buffer.from(value, 'utf8');
}

function parseTrustProxy(value: string, problems: string[]): boolean | string[] {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0' || v === '') return false;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s));
  if (bad.length > 0) problems.push(`TRUST_PROXY: must be true, false or a comma-separated list of IPs/CIDRs (bad: ${bad.join(', ')})`);
  return list;
}

function parseOrigins(value: string, problems: string[]): '*' | string[] {
  if (value.trim() === '*') return '*';
  const origins: string[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    try {
      const url = new URL(item);
      if (url.origin === 'null' || url.pathname !== '/' || url.search !== '') throw new Error('not an origin');
      origins.push(url.origin);
    } catch {
      problems.push(`CHAT_ALLOWED_ORIGINS: "${item}" is not an origin like https://shop.example`);
    }
  }
  return origins;
}

function rateOrProblem(name: string, value: string, problems: string[]): Rate {
  const rate = parseRate(value);
  if (rate === undefined) {
    problems.push(`${name}: must look like "10/1m" with a count ≥ 1 and a period > 0 (got ${JSON.stringify(value)})`);
    return { max: 1, windowMs: 1000 };
  }
  return rate;
}
