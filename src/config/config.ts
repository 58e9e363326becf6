// The configuration's one import: its types, its loader and its errors, each kept in a file of its own.
export { decodeAppKey, MIN_SECRET_LENGTH } from './app-keys.js';
export { ConfigError } from './config-error.js';
export type { BroadcastDriver, Config, GeneratedSecrets } from './config-types.js';
export type { DatabaseConfig, PgTimeouts } from './database-config.js';
export { loadConfig } from './load-config.js';
