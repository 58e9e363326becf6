/** What a remote's connection tells whoever keeps a local copy: it failed, or it (re)opened. */
export interface LinkListener {
  down(error: unknown): void;
  up(): void;
}

/** The health of a remote bus's connection, as the failover bus watches it. */
export interface RemoteLink {
  /** Whether the connection is up and listening, so this node's state can be put back. */
  readonly up: boolean;
  onChange(listener: LinkListener): void;
}
