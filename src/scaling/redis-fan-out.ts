import type { Logger } from 'pino';
import type { BusMessage, FanOut } from './bus.js';
import type { RedisLink } from './redis-link.js';

/**
 * Fan-out over one Redis pub/sub channel that this node also listens on, so every node,
 * this one included, sees messages in the same order.
 */
export class RedisFanOut implements FanOut {
  private readonly handlers: ((message: BusMessage) => void)[] = [];

  constructor(
    private readonly link: RedisLink,
    readonly nodeId: string,
    private readonly logger: Logger,
  ) {
    link.onMessage((raw) => this.deliver(raw));
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.handlers.push(handler);
  }

  /** Published messages come back through the subscription, to this node too. */
  async publish(message: BusMessage): Promise<void> {
    await this.link.commands.publish(this.link.busChannel, JSON.stringify(message));
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
  }

  private deliver(raw: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(raw) as BusMessage;
    } catch (error) {
      this.logger.error({ err: error }, 'redis bus: unreadable message');
      return;
    }
    for (const handler of this.handlers) handler(message);
  }
}
