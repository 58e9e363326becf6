import type { Logger } from 'pino';
import type { ChatEvent } from '../chat/events.js';
import { toBroadcasts, type Broadcaster } from './broadcaster.js';

/** `BROADCAST_DRIVER=log`: writes each broadcast to the log instead of delivering it. */
export class LogBroadcaster implements Broadcaster {
  constructor(private readonly logger: Logger) {}

  async publish(event: ChatEvent): Promise<void> {
    for (const b of toBroadcasts(event)) {
      this.logger.info({ channels: b.channels, event: b.event, data: b.data }, 'broadcast');
    }
  }

  async close(): Promise<void> {}
}
