import type { ChatEvent } from '../chat/events.js';
import type { RealtimeApp } from '../realtime/apps.js';
import type { RealtimeServer } from '../realtime/server/realtime-server.js';
import { toBroadcasts, type Broadcaster } from '../chat/broadcaster.js';

/** `BROADCAST_DRIVER=reverb` with the embedded server: delivers in-process, no HTTP hop. */
export class EmbeddedBroadcaster implements Broadcaster {
  constructor(
    private readonly realtime: RealtimeServer,
    private readonly app: RealtimeApp,
  ) {}

  async publish(event: ChatEvent): Promise<void> {
    for (const b of toBroadcasts(event)) await this.realtime.trigger(this.app, b.channels, b.event, JSON.stringify(b.data));
  }

  async close(): Promise<void> {}
}
