import { z } from 'zod';

/**
 * Every environment variable Parley reads, with its default. Keys are the variable names, so a
 * validation issue's path names the variable that is wrong.
 */
const port = z.coerce.number().int().min(1).max(65535);
const positive = z.coerce.number().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional();
const rate = z.string().regex(/^\d+\/\d+(ms|s|m|h)?$/, 'must look like "10/1m" (count/period, period in ms, s, m or h)');

/** Laravel's `base64:<32 bytes>` form, or any string of at least 32 characters. */
export function isValidAppKey(value: string): boolean {
  if (!value.startsWith('base64:')) return value.length >= 32;
  const encoded = value.slice(7);
  // Node's decoder skips characters outside the alphabet, so check the text before counting bytes.
  return /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) && Buffer.from(encoded, 'base64').length === 32;
}

/** Variables whose values must never be echoed back in an error message. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'APP_KEY',
  'REVERB_APP_SECRET',
  'PUSHER_APP_SECRET',
  'ADMIN_PASSWORD',
  'METRICS_TOKEN',
  'DATABASE_URL',
  'REDIS_URL',
  'MAIL_PASSWORD',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'CHAT_IDENTITY_SECRET',
]);

export const envSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  APP_URL: optionalUrl,
  APP_KEY: z
    .string()
    .refine(isValidAppKey, 'must be "base64:" followed by 32 base64-encoded bytes, or a string of at least 32 characters')
    .optional(),
  STORAGE_PATH: z.string().min(1).default('storage'),
  TRUST_PROXY: z.string().default('false'),
  HTTP_BODY_LIMIT: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  HTTP_HEADERS_TIMEOUT: z.coerce.number().int().min(1).max(3600).default(60),
  HTTP_REQUEST_TIMEOUT: z.coerce.number().int().min(1).max(3600).default(120),
  HTTP_IDLE_TIMEOUT: z.coerce.number().int().min(1).max(3600).default(60),
  HTTP_KEEP_ALIVE_TIMEOUT: z.coerce.number().int().min(1).max(3600).default(75),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(256).optional(),

  DB_CONNECTION: z.enum(['sqlite', 'pgsql']).optional(),
  DB_DATABASE: z.string().min(1).optional(),
  DB_CONNECT_TIMEOUT: z.coerce.number().min(0).max(3600).default(10),
  DB_STATEMENT_TIMEOUT: z.coerce.number().min(0).max(86400).default(30),
  DB_IDLE_IN_TRANSACTION_TIMEOUT: z.coerce.number().min(0).max(86400).default(60),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),

  BROADCAST_DRIVER: z.enum(['reverb', 'pusher', 'log', 'null']).optional(),
  BROADCAST_CONNECTION: z.enum(['reverb', 'pusher', 'log', 'null']).optional(),
  REVERB_APP_ID: z.string().min(1).optional(),
  REVERB_APP_KEY: z.string().min(1).optional(),
  REVERB_APP_SECRET: z.string().min(1).optional(),
  REVERB_HOST: z.string().min(1).optional(),
  REVERB_PORT: port.optional(),
  REVERB_SCHEME: z.enum(['http', 'https']).optional(),
  REVERB_SERVER: z.enum(['embedded', 'external']).default('embedded'),
  REVERB_WEBHOOK_URL: optionalUrl,
  REVERB_APPS_FILE: z.string().min(1).optional(),
  REVERB_APP_ACTIVITY_TIMEOUT: z.coerce.number().int().min(1).max(3600).default(30),
  REVERB_APP_MAX_MESSAGE_SIZE: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
  REVERB_APP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(10_000),
  REVERB_APP_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().positive().default(100),
  REVERB_APP_MAX_CHANNELS_PER_CONNECTION: z.coerce.number().int().positive().max(10_000).default(100),
  REVERB_APP_MAX_FRAME_RATE: z.coerce.number().int().positive().default(200),
  PUSHER_APP_ID: z.string().min(1).optional(),
  PUSHER_APP_KEY: z.string().min(1).optional(),
  PUSHER_APP_SECRET: z.string().min(1).optional(),
  PUSHER_APP_CLUSTER: z.string().min(1).default('mt1'),
  PUSHER_HOST: z.string().min(1).optional(),
  PUSHER_PORT: port.optional(),
  PUSHER_SCHEME: z.enum(['http', 'https']).optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1–64 letters, digits or the characters : _ . -')
    .default('parley:'),

  CHAT_RESUME_WINDOW_HOURS: positive.default(24),
  CHAT_RESUME_BY_NETWORK: z.enum(['ask', 'off']).default('ask'),
  CHAT_ALLOWED_ORIGINS: z.string().default('*'),
  CHAT_GREETING: z.string().max(500).default('Hi! How can we help you today?'),
  CHAT_COLOR: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #2563eb')
    .default('#2563eb'),
  CHAT_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  // Verified visitors (docs/identity.md): unset, identity tokens are refused and every visitor is anonymous.
  CHAT_IDENTITY_SECRET: z.string().min(32, 'must be at least 32 characters (a random secret shared with the host site)').max(1024).optional(),
  CHAT_AUTO_CLOSE_HOURS: z.coerce.number().min(0).max(87_600).default(0),
  CHAT_FOLLOWUP_DELAY_SECONDS: z.coerce.number().min(0).max(86_400).default(120),
  CHAT_UNANSWERED_DELAY_SECONDS: z.coerce.number().min(0).max(604_800).default(300),
  CHAT_RATE_LIMIT_START: rate.default('10/1m'),
  CHAT_RATE_LIMIT_SEND: rate.default('60/1m'),
  CHAT_RATE_LIMIT_LOOKUP: rate.default('20/1m'),
  CHAT_RATE_LIMIT_RESUME: rate.default('10/1m'),
  CHAT_RATE_LIMIT_READ: rate.default('120/1m'),
  CHAT_RATE_LIMIT_TRANSCRIPT: rate.default('3/1h'),
  CHAT_RATE_LIMIT_UPLOAD: rate.default('20/1m'),
  BROADCAST_RATE_LIMIT_AUTH: rate.default('120/1m'),
  AGENT_RATE_LIMIT_LOGIN: rate.default('10/5m'),
  AGENT_RATE_LIMIT_LOGIN_ACCOUNT: rate.default('5/5m'),
  AGENT_RATE_LIMIT_TOKEN: rate.default('600/1m'),

  SESSION_LIFETIME: z.coerce.number().int().min(1).default(720),
  SESSION_ABSOLUTE_LIFETIME: z.coerce.number().int().min(1).default(10_080),
  SESSION_SECURE_COOKIE: bool.optional(),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),

  MAIL_MAILER: z.enum(['smtp', 'log', 'null']).default('log'),
  MAIL_HOST: z.string().min(1).optional(),
  MAIL_PORT: port.optional(),
  MAIL_USERNAME: z.string().min(1).optional(),
  MAIL_PASSWORD: z.string().min(1).optional(),
  // Laravel's .env files write `null` for "not set".
  MAIL_SCHEME: z.enum(['smtp', 'smtps', 'null']).optional(),
  MAIL_ENCRYPTION: z.enum(['tls', 'ssl', 'starttls', 'null']).optional(),
  MAIL_FROM_ADDRESS: z.email().optional(),
  MAIL_FROM_NAME: z.string().min(1).max(200).default('Parley'),

  CHAT_ATTACHMENT_MAX_MB: z.coerce.number().positive().max(100).default(10),
  CHAT_ATTACHMENT_CONVERSATION_MAX_MB: z.coerce.number().positive().max(1_000_000).default(100),
  CHAT_ATTACHMENT_DISK: z.enum(['database', 's3']).default('database'),
  // S3-compatible storage, with Laravel's names (config/filesystems.php).
  AWS_BUCKET: z.string().min(1).max(255).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).max(64).default('us-east-1'),
  AWS_ENDPOINT: optionalUrl,
  AWS_USE_PATH_STYLE_ENDPOINT: bool.default(false),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
});

export type RawEnv = z.infer<typeof envSchema>;
