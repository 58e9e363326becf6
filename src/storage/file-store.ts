/**
 * Where attachment bytes live (docs/api.md, "Attachments"; docs/configuration.md, "Attachments"):
 * the database by default, so several nodes share files with nothing more to run, or
 * S3-compatible storage. Keys are random, never chosen by a user. One contract suite
 * (`test/support/file-store-contract.ts`) holds every implementation to the same behaviour.
 */
export interface FileStore {
  readonly disk: 'database' | 's3';
  /** Stores `data` under `key`, replacing what was there. */
  put(key: string, data: Uint8Array, type: string): Promise<void>;
  /** The bytes under `key`, or nothing when there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Deletes the given keys; keys that hold nothing are fine. */
  delete(keys: readonly string[]): Promise<void>;
}
