import type { TypingWhisper } from '../../../src/chat/realtime-contract.js';
import type { Clock } from '../../shared/clock.js';
import type { TypingSeen } from './agent-link.js';

/** How long a "typing…" line stays without a new whisper. */
export const TYPING_SHOWN_MS = 6000;
/** At most one "typing" whisper per this many ms while the agent types. */
export const TYPING_THROTTLE_MS = 2000;
/** After this long without a keystroke, "stopped typing" is whispered. */
export const TYPING_IDLE_MS = 3000;

/** Who is typing in the open conversation, as the whispers tell (the visitor, or another agent by name). */
export class TypingIndicators {
  private visitorTimer: unknown;
  private agentTimer: unknown;

  constructor(
    private readonly clock: Clock,
    private readonly selfName: string,
    private readonly show: (change: { visitorTyping?: boolean; agentTyping?: string }) => void,
  ) {}

  seen(data: TypingSeen): void {
    if (data.from === 'agent') {
      if (data.name === this.selfName) return;
      this.clock.clearTimeout(this.agentTimer);
      this.show({ agentTyping: data.typing ? (data.name ?? 'Another agent') : '' });
      if (data.typing) this.agentTimer = this.clock.setTimeout(() => this.show({ agentTyping: '' }), TYPING_SHOWN_MS);
      return;
    }
    this.clock.clearTimeout(this.visitorTimer);
    this.show({ visitorTyping: data.typing !== false });
    if (data.typing !== false) this.visitorTimer = this.clock.setTimeout(() => this.show({ visitorTyping: false }), TYPING_SHOWN_MS);
  }

  /** Another conversation opens, or the page goes: forget both lines. */
  reset(): void {
    this.clock.clearTimeout(this.visitorTimer);
    this.clock.clearTimeout(this.agentTimer);
    this.show({ visitorTyping: false, agentTyping: '' });
  }
}

/** The agent's own "typing" whispers: throttled while typing, "stopped" after a pause or a send. */
export class TypingWhispers {
  private sentAt = 0;
  private idleTimer: unknown;

  constructor(
    private readonly clock: Clock,
    private readonly whisper: (data: TypingWhisper) => void,
    private readonly name: string,
  ) {}

  input(value: string): void {
    const now = this.clock.now();
    if (value && now - this.sentAt > TYPING_THROTTLE_MS) {
      this.sentAt = now;
      this.send(true);
    }
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = this.clock.setTimeout(() => {
      this.sentAt = 0;
      this.send(false);
    }, TYPING_IDLE_MS);
  }

  /** The reply was sent: the agent is no longer typing. */
  stopped(): void {
    this.cancel();
    this.send(false);
  }

  /** Forgets the pause timer without a whisper (another conversation opens). */
  cancel(): void {
    this.clock.clearTimeout(this.idleTimer);
    this.sentAt = 0;
  }

  private send(typing: boolean): void {
    this.whisper({ typing, name: this.name, from: 'agent' });
  }
}
