import type { Logger } from 'pino';
import type { ChatEvent } from '../chat/events.js';
import { toBroadcasts, type Broadcaster } from '../chat/broadcaster.js';

/**
 * `BROADCAST_DRIVER=log`: writes each broadcast to the log instead of delivering it. At `info` only
 * the channels and event name: payloads carry visitors' messages, names and emails, which do not
 * belong in logs kept for weeks. `LOG_LEVEL=debug` adds the payload.
 */
export class LogBroadcaster implements Broadcaster {
  constructor(private readonly logger: Logger) {}

  async publish(event: ChatEvent): Promise<void> {
    const withData = this.logger.isLevelEnabled('debug');
    for (const b of toBroadcasts(event)) {
      if (withData) this.logger.debug({ channels: b.channels, event: b.event, data: b.data }, 'broadcast');
      else this.logger.info({ channels: b.channels, event: b.event }, 'broadcast');
    }
  }

  async close(): Promise<void> {}
}
