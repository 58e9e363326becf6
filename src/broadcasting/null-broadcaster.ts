import type { ChatEvent } from '../chat/events.js';
import type { Broadcaster } from '../chat/broadcaster.js';

/** `BROADCAST_DRIVER=null`: drops events; clients rely on polling. */
export class NullBroadcaster implements Broadcaster {
  async publish(_event: ChatEvent): Promise<void> {}
  async close(): Promise<void> {}
}

/** Keeps every event in memory: for tests that assert what was broadcast, in order. */
export class RecordingBroadcaster implements Broadcaster {
  readonly events: ChatEvent[] = [];
  async publish(event: ChatEvent): Promise<void> {
    this.events.push(event);
  }
  async close(): Promise<void> {}
}
