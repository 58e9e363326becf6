/** What the session hears from the page: whether it is seen, whether the browser is online, and focus. */
export interface PageSignals {
  visible(): boolean;
  online(): boolean;
  /** Starts listening; returns the function that stops. */
  listen(handlers: PageHandlers): () => void;
}

export interface PageHandlers {
  /** The tab was shown or hidden. */
  visibility(visible: boolean): void;
  /** The window got focus. */
  focus(): void;
  /** The browser went online or offline (it knows before the WebSocket times out). */
  network(up: boolean): void;
}

/** Sound and desktop notifications (Web Audio and the Notification API in the browser). */
export interface Notifier {
  chime(): void;
  desktop(title: string, body: string, onClick: () => void): void;
  askDesktopPermission(): Promise<boolean>;
}
