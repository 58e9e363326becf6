import { Redis } from 'ioredis';
import type { LinkListener, RemoteLink } from './remote-link.js';

/**
 * A node's two Redis connections: commands, and a subscriber listening on the bus channel.
 * It is `up` once both are ready and the subscription holds, and tells its listeners whenever
 * a connection fails or (re)opens; other parts report their failed commands through `failed`.
 */
export class RedisLink implements RemoteLink {
  readonly commands: Redis;
  readonly subscriber: Redis;
  private readonly listeners: LinkListener[] = [];
  private readonly messageHandlers: ((raw: string) => void)[] = [];
  private subscribed = false;

  constructor(
    url: string,
    readonly busChannel: string,
  ) {
    // No offline queue: while Redis is away a command fails at once and the local copy answers.
    this.commands = this.connect(url, 'commands', { enableOfflineQueue: false });
    this.subscriber = this.connect(url, 'subscriber', {});
    this.subscriber.on('message', (_channel: string, raw: string) => {
      for (const handler of this.messageHandlers) handler(raw);
    });
  }

  get up(): boolean {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready' && this.subscribed;
  }

  onChange(listener: LinkListener): void {
    this.listeners.push(listener);
  }

  /** Registers the handler of every raw message on the bus channel. */
  onMessage(handler: (raw: string) => void): void {
    this.messageHandlers.push(handler);
  }

  /** A command failed (a timeout on a live connection, say): the link is no longer trusted. */
  failed(error: unknown): void {
    for (const listener of this.listeners) listener.down(error);
  }

  disconnect(): void {
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  private connect(url: string, role: 'commands' | 'subscriber', options: { enableOfflineQueue?: boolean }): Redis {
    // A command never waits more than 2 s: a half-open connection must not stall a client's subscription.
    const redis = new Redis(url, { ...options, commandTimeout: 2_000, maxRetriesPerRequest: 1, retryStrategy: (attempt) => Math.min(attempt * 200, 2_000) });
    redis.on('error', (error: unknown) => this.failed(error));
    redis.on('close', () => {
      if (role === 'subscriber') this.subscribed = false;
      this.failed(new Error(`redis ${role} connection closed`));
    });
    redis.on('ready', () => (role === 'subscriber' ? void this.subscribe() : this.opened()));
    return redis;
  }

  /** (Re)subscribes to the bus channel; only then can this node hear what others publish. */
  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.busChannel);
      this.subscribed = true;
      this.opened();
    } catch (error) {
      this.failed(error);
    }
  }

  private opened(): void {
    for (const listener of this.listeners) listener.up();
  }
}
