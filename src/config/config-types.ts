import type { AttachmentConfig } from './attachment-config.js';
import type { DatabaseConfig } from './database-config.js';
import type { RawEnv } from './env-schema.js';
import type { MailConfig } from './mail-config.js';
import type { Rate } from './rate.js';

/** Where broadcasts go: the embedded Reverb-compatible server, Pusher's HTTP API, the log, or nowhere. */
export type BroadcastDriver = 'reverb' | 'pusher' | 'log' | 'null';

/** Generated values kept under `storage/` when the environment does not give them. */
export interface GeneratedSecrets {
  APP_KEY: string;
  REVERB_APP_ID: string;
  REVERB_APP_KEY: string;
  REVERB_APP_SECRET: string;
}

/** The typed settings every part of Parley starts from, built once by `loadConfig` (docs/configuration.md). */
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
    /** `CHAT_IDENTITY_SECRET` and APP_URL's origin (the accepted `aud`): verified visitors; undefined turns them off (docs/identity.md). */
    identity: { secret: string; audience: string } | undefined;
    /** `CHAT_AUTO_CLOSE_HOURS`: open conversations idle this long close by themselves; 0 never (docs/privacy.md). */
    autoCloseMs: number;
    /** `CHAT_FOLLOWUP_DELAY_SECONDS`: an unread agent reply waits this long before the visitor is emailed; 0 never. */
    followUpDelayMs: number;
    /** `CHAT_UNANSWERED_DELAY_SECONDS`: a visitor message waits this long before agents are emailed; 0 never. */
    unansweredDelayMs: number;
  };
  /** Outgoing email: the mailer and the sender (docs/email.md). */
  mail: MailConfig;
  /** Files sent in the chat: size limits and where the bytes live (docs/configuration.md, "Attachments"). */
  attachments: AttachmentConfig;
  /** Per client IP (IPv6 per /64), except `loginAccount`: per agent email, and `apiToken`: per API token; `transcript` counts per conversation too. */
  rateLimits: { start: Rate; send: Rate; lookup: Rate; resume: Rate; read: Rate; transcript: Rate; upload: Rate; broadcastAuth: Rate; login: Rate; loginAccount: Rate; apiToken: Rate };
  agents: {
    sessionLifetimeMs: number;
    /** No session outlives its login by more than this (`SESSION_ABSOLUTE_LIFETIME`). */
    sessionAbsoluteLifetimeMs: number;
    adminEmail: string | undefined;
    adminPassword: string | undefined;
  };
}
