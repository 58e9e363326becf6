import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** One application the realtime server accepts: credentials and the limits that apply to its clients. */
export interface RealtimeApp {
  id: string;
  key: string;
  secret: string;
  /** Origins allowed to open WebSockets (`*` for any); checked against the Origin header when there is one. */
  allowedOrigins: '*' | string[];
  /** Concurrent connections allowed per node; `null` for no limit. Over it, new connections close with 4004. */
  maxConnections: number | null;
  /** Concurrent connections one client address (IPv6: its /64) may hold per node; more close with 4102. */
  maxConnectionsPerIp: number;
  /** Channels one connection may be subscribed to; further subscriptions get 4305. */
  maxChannelsPerConnection: number;
  /** Frames one connection may send per second (any event); more close it with 4101. */
  maxFrameRate: number;
  /** Frames of one connection waiting to be handled; more close it with 4103. */
  maxPendingFrames: number;
  /**
   * Largest client frame accepted, in bytes. Over a WebSocket, a larger frame closes the connection
   * with 1009 before it is buffered; a frame that reaches the protocol code anyway gets 4304.
   */
  maxMessageSize: number;
  /** Seconds of client silence before the server pings; a further 30 s without an answer closes with 4201. */
  activityTimeout: number;
  /** Who may send `client-` events: on private and presence channels (`all`), presence only (`members`), or nobody. */
  clientEvents: 'all' | 'members' | 'none';
  /** Client events one connection may send per second; more get `pusher:error` 4301 and are dropped. */
  clientEventRate: number;
  maxPresenceMembers: number;
  /** Sends `pusher_internal:subscription_count` to subscribers of non-presence channels. */
  subscriptionCount: boolean;
  /** Seconds a cache channel keeps its last event. */
  cacheTtl: number;
  webhooks: { url: string; events?: string[] | undefined }[];
}

export const DEFAULT_APP_LIMITS = {
  allowedOrigins: '*' as const,
  maxConnections: 10_000 as number | null,
  maxConnectionsPerIp: 100,
  maxChannelsPerConnection: 100,
  maxFrameRate: 200,
  maxPendingFrames: 200,
  maxMessageSize: 10_000,
  activityTimeout: 30,
  clientEvents: 'all' as const,
  clientEventRate: 10,
  maxPresenceMembers: 100,
  subscriptionCount: false,
  cacheTtl: 1800,
  webhooks: [],
};

const appSchema = z.object({
  id: z.union([z.string().min(1), z.number().int().transform(String)]),
  key: z.string().min(1),
  secret: z.string().min(1),
  allowed_origins: z.union([z.literal('*'), z.array(z.string().min(1))]).default('*'),
  max_connections: z.number().int().positive().nullable().default(DEFAULT_APP_LIMITS.maxConnections),
  max_connections_per_ip: z.number().int().positive().default(DEFAULT_APP_LIMITS.maxConnectionsPerIp),
  max_channels_per_connection: z.number().int().positive().max(10_000).default(DEFAULT_APP_LIMITS.maxChannelsPerConnection),
  max_frame_rate: z.number().int().positive().default(DEFAULT_APP_LIMITS.maxFrameRate),
  max_pending_frames: z.number().int().positive().max(100_000).default(DEFAULT_APP_LIMITS.maxPendingFrames),
  max_message_size: z.number().int().min(100).max(1_000_000).default(DEFAULT_APP_LIMITS.maxMessageSize),
  activity_timeout: z.number().int().min(1).max(3600).default(DEFAULT_APP_LIMITS.activityTimeout),
  client_events: z.enum(['all', 'members', 'none']).default('all'),
  client_event_rate: z.number().int().min(1).max(10_000).default(DEFAULT_APP_LIMITS.clientEventRate),
  max_presence_members: z.number().int().min(1).max(100_000).default(DEFAULT_APP_LIMITS.maxPresenceMembers),
  subscription_count: z.boolean().default(false),
  cache_ttl: z.number().int().min(1).default(DEFAULT_APP_LIMITS.cacheTtl),
  webhooks: z.array(z.object({ url: z.url(), events: z.array(z.string()).optional() })).default([]),
});

const appsFileSchema = z.object({ apps: z.array(appSchema).min(1) });

/**
 * Reads an apps file (`{"apps":[{"id","key","secret",…}]}`); errors name the file and the field.
 * Secrets shorter than `minSecretLength` are refused like a short `REVERB_APP_SECRET` (docs/security.md).
 */
export function loadAppsFile(path: string, options: { minSecretLength?: number } = {}): RealtimeApp[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`REVERB_APPS_FILE: cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = appsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`REVERB_APPS_FILE: ${path} is invalid: ${problems}`);
  }
  const min = options.minSecretLength ?? 1;
  const weak = parsed.data.apps.findIndex((a) => a.secret.length < min);
  if (weak >= 0) throw new Error(`REVERB_APPS_FILE: ${path} is invalid: apps.${weak}.secret: must be at least ${min} characters unless NODE_ENV=development`);
  return parsed.data.apps.map((a) => ({
    id: a.id,
    key: a.key,
    secret: a.secret,
    allowedOrigins: a.allowed_origins,
    maxConnections: a.max_connections,
    maxConnectionsPerIp: a.max_connections_per_ip,
    maxChannelsPerConnection: a.max_channels_per_connection,
    maxFrameRate: a.max_frame_rate,
    maxPendingFrames: a.max_pending_frames,
    maxMessageSize: a.max_message_size,
    activityTimeout: a.activity_timeout,
    clientEvents: a.client_events,
    clientEventRate: a.client_event_rate,
    maxPresenceMembers: a.max_presence_members,
    subscriptionCount: a.subscription_count,
    cacheTtl: a.cache_ttl,
    webhooks: a.webhooks,
  }));
}

/** The configured apps, found by key (WebSocket path) or id (HTTP API path). */
export class AppRegistry {
  private readonly byKey = new Map<string, RealtimeApp>();
  private readonly byId = new Map<string, RealtimeApp>();

  constructor(apps: RealtimeApp[]) {
    for (const app of apps) {
      if (this.byKey.has(app.key) || this.byId.has(app.id)) throw new Error(`Duplicate realtime app id or key: ${app.id}`);
      this.byKey.set(app.key, app);
      this.byId.set(app.id, app);
    }
  }

  findByKey(key: string): RealtimeApp | undefined {
    return this.byKey.get(key);
  }

  findById(id: string): RealtimeApp | undefined {
    return this.byId.get(id);
  }

  all(): RealtimeApp[] {
    return [...this.byId.values()];
  }
}
