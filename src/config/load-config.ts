import { parseOrigins } from './allowed-origins.js';
import { attachmentConfig } from './attachment-config.js';
import { decodeAppKey, MIN_SECRET_LENGTH } from './app-keys.js';
import { ConfigError, Problems } from './config-error.js';
import type { Config, GeneratedSecrets } from './config-types.js';
import { absolutePath, databaseConfig } from './database-config.js';
import { envSchema, isValidAppKey, SECRET_VARIABLES } from './env-schema.js';
import { mailConfig } from './mail-config.js';
import { parseRate, type Rate } from './rate.js';
import { parseTrustProxy } from './trust-proxy.js';

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
  const storagePath = absolutePath(e.STORAGE_PATH);
  const database = databaseConfig(e, storagePath, problems);
  const driver = e.BROADCAST_DRIVER ?? e.BROADCAST_CONNECTION ?? 'reverb';
  const trustProxy = parseTrustProxy(e.TRUST_PROXY, problems);
  // Node refuses a headers timeout longer than the whole request's.
  if (e.HTTP_HEADERS_TIMEOUT > e.HTTP_REQUEST_TIMEOUT) problems.add('HTTP_HEADERS_TIMEOUT', `must not exceed HTTP_REQUEST_TIMEOUT (${e.HTTP_REQUEST_TIMEOUT})`);
  const allowedOrigins = parseOrigins(e.CHAT_ALLOWED_ORIGINS, problems);
  const mail = mailConfig(e, appUrlParsed.hostname, problems);
  const attachments = attachmentConfig(e, problems);
  const rates = {
    start: rateOrProblem('CHAT_RATE_LIMIT_START', e.CHAT_RATE_LIMIT_START, problems),
    send: rateOrProblem('CHAT_RATE_LIMIT_SEND', e.CHAT_RATE_LIMIT_SEND, problems),
    lookup: rateOrProblem('CHAT_RATE_LIMIT_LOOKUP', e.CHAT_RATE_LIMIT_LOOKUP, problems),
    resume: rateOrProblem('CHAT_RATE_LIMIT_RESUME', e.CHAT_RATE_LIMIT_RESUME, problems),
    read: rateOrProblem('CHAT_RATE_LIMIT_READ', e.CHAT_RATE_LIMIT_READ, problems),
    transcript: rateOrProblem('CHAT_RATE_LIMIT_TRANSCRIPT', e.CHAT_RATE_LIMIT_TRANSCRIPT, problems),
    upload: rateOrProblem('CHAT_RATE_LIMIT_UPLOAD', e.CHAT_RATE_LIMIT_UPLOAD, problems),
    broadcastAuth: rateOrProblem('BROADCAST_RATE_LIMIT_AUTH', e.BROADCAST_RATE_LIMIT_AUTH, problems),
    login: rateOrProblem('AGENT_RATE_LIMIT_LOGIN', e.AGENT_RATE_LIMIT_LOGIN, problems),
    loginAccount: rateOrProblem('AGENT_RATE_LIMIT_LOGIN_ACCOUNT', e.AGENT_RATE_LIMIT_LOGIN_ACCOUNT, problems),
    apiToken: rateOrProblem('AGENT_RATE_LIMIT_TOKEN', e.AGENT_RATE_LIMIT_TOKEN, problems),
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
      identity: e.CHAT_IDENTITY_SECRET === undefined ? undefined : { secret: e.CHAT_IDENTITY_SECRET, audience: appUrlParsed.origin },
      autoCloseMs: Math.round(e.CHAT_AUTO_CLOSE_HOURS * 3_600_000),
      followUpDelayMs: Math.round(e.CHAT_FOLLOWUP_DELAY_SECONDS * 1000),
      unansweredDelayMs: Math.round(e.CHAT_UNANSWERED_DELAY_SECONDS * 1000),
    },
    mail,
    attachments,
    rateLimits: rates,
    agents: {
      sessionLifetimeMs: e.SESSION_LIFETIME * 60_000,
      sessionAbsoluteLifetimeMs: e.SESSION_ABSOLUTE_LIFETIME * 60_000,
      adminEmail: e.ADMIN_EMAIL,
      adminPassword: e.ADMIN_PASSWORD,
    },
  };
}

function rateOrProblem(name: string, value: string, problems: Problems): Rate {
  const rate = parseRate(value);
  if (rate === undefined) {
    problems.add(name, `must look like "10/1m" with a count ≥ 1 and a period > 0 (got ${JSON.stringify(value)})`);
    return { max: 1, windowMs: 1000 };
  }
  return rate;
}
