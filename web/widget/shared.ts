/** The contract between the loader (`live-chat.js`) and the chat code (`live-chat-app.js`). */
import type { WidgetConfig } from '../../src/chat/dto.js';

/** What a site configures: data attributes, `window.LiveChatConfig` or `LiveChat.init()`. */
export interface WidgetOptions {
  /** Parley's base URL; by default the origin the loader was served from. */
  server: string;
  /** Accent colour; by default the server's `CHAT_COLOR`. */
  color?: string;
  position: 'right' | 'left';
  /** First line shown in an empty chat; by default the server's `CHAT_GREETING`. */
  greeting?: string;
  debug: boolean;
  /** Ask for an optional name and email before the first message. */
  prechat: boolean;
  /** A short beep when an agent message arrives. */
  sound: boolean;
  /** Use the page's `window.Echo` when it is for the same app (instead of a connection of its own). */
  echo: boolean;
  /** Overrides of the widget's texts (see `app/strings.ts`). */
  strings: Record<string, string>;
  /** A verified visitor (docs/identity.md): the host site's user id and its signed token. */
  identity?: VisitorIdentityInput | undefined;
}

/** What `window.Parley('identify', …)` and `data-user-id`/`data-identity-token` give. */
export interface VisitorIdentityInput {
  id: string;
  token: string;
  name?: string;
  email?: string;
}

/** `window.Parley(command, argument)`: `identify` a verified visitor, or `reset` on logout (docs/identity.md). */
export type ParleyCommand = ((command: 'identify' | 'reset', argument?: VisitorIdentityInput) => void) & { q?: ArrayLike<unknown>[] };

/** What `LiveChat.init()` and `window.LiveChatConfig` accept. */
export type InitOptions = Partial<Omit<WidgetOptions, 'debug' | 'prechat' | 'sound' | 'echo'>> & {
  debug?: boolean | string;
  prechat?: boolean | string;
  sound?: boolean | string;
  echo?: boolean | string;
};

export type WidgetEvent = 'open' | 'close' | 'message' | 'status';

/** Handed by the loader to the chat code once it has loaded. */
export interface Boot {
  win: Window;
  options: WidgetOptions;
  host: HTMLElement;
  root: ShadowRoot;
  launcher: HTMLButtonElement;
  badge: HTMLElement;
  emit(event: WidgetEvent, payload?: unknown): void;
  /** The visitor asked to open the chat (the code loaded because of it). */
  openNow: boolean;
  /** `GET /api/chat/config` as the loader read it, when it did (to decide whether the launcher hides). */
  config?: WidgetConfig | undefined;
  /** The token of a follow-up email's link, taken out of the address by the loader ('' when malformed). */
  link?: string | undefined;
}

/** The chat code's handle, driven by the loader's `window.LiveChat`. */
export interface AppHandle {
  open(): void;
  close(): void;
  toggle(): void;
  update(options: WidgetOptions): void;
  /** `window.Parley('reset')`: forget this device's conversation, token and outbox. */
  reset(): void;
}

/** `window.LiveChat`. */
export interface LiveChatApi {
  init(options?: InitOptions): void;
  open(): void;
  close(): void;
  on(event: WidgetEvent, callback: (payload?: unknown) => void): () => void;
  version: string;
}

declare global {
  interface Window {
    LiveChat?: LiveChatApi;
    LiveChatConfig?: InitOptions;
    Parley?: ParleyCommand;
    ParleyWidgetApp?: { mount(boot: Boot): AppHandle };
    Echo?: unknown;
  }
}
