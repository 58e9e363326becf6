import { MIN_SECRET_LENGTH, type Config } from '../config/config.js';
import { DEFAULT_APP_LIMITS, loadAppsFile, type RealtimeApp } from '../realtime/apps.js';

/**
 * The apps the realtime node accepts: the `REVERB_APP_*` one (allowed from the chat's origins
 * and Parley's own), plus any from `REVERB_APPS_FILE`.
 */
export function configuredApps(config: Config): RealtimeApp[] {
  const r = config.broadcast.reverb;
  const origins = config.chat.allowedOrigins;
  const main: RealtimeApp = {
    ...DEFAULT_APP_LIMITS,
    id: r.appId,
    key: r.key,
    secret: r.secret,
    allowedOrigins: origins === '*' ? '*' : [...new Set([...origins, new URL(config.http.appUrl).origin])],
    activityTimeout: r.activityTimeout,
    maxMessageSize: r.maxMessageSize,
    maxConnections: r.maxConnections,
    maxConnectionsPerIp: r.maxConnectionsPerIp,
    maxChannelsPerConnection: r.maxChannelsPerConnection,
    maxFrameRate: r.maxFrameRate,
    webhooks: r.webhookUrl ? [{ url: r.webhookUrl }] : [],
  };
  return [main, ...(r.appsFile ? loadAppsFile(r.appsFile, { minSecretLength: config.env === 'development' ? 1 : MIN_SECRET_LENGTH }) : [])];
}
