import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { FileStore } from './file-store.js';
import type { Database } from './schema.js';

/** Keys one delete statement names at most: well under SQLite's and PostgreSQL's bound-parameter limits. */
const DELETE_BATCH = 500;

/**
 * Attachment bytes in the database's `attachment_blobs` table (docs/configuration.md,
 * "Attachments"): the default disk, so every node sees every file with nothing more to run.
 * `created_at` lets the purge find blobs a crash left without an attachment row.
 */
export class DatabaseFileStore implements FileStore {
  readonly disk = 'database';

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => number = Date.now,
  ) {}

  async put(key: string, data: Uint8Array, _type: string): Promise<void> {
    // better-sqlite3 binds Buffers only; this view shares `data`'s memory rather than copying it.
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const createdAt = this.clock();
    await this.db
      .insertInto('attachment_blobs')
      .values({ key, data: bytes, created_at: createdAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ data: bytes, created_at: createdAt }))
      .execute();
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const row = await this.db.selectFrom('attachment_blobs').select('data').where('key', '=', key).executeTakeFirst();
    // A plain copy: the drivers answer Buffers, which may be views into a shared pool.
    return row ? new Uint8Array(row.data) : undefined;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      // SQLite runs on the main thread: a turn of the event loop between batches keeps requests moving.
      if (start > 0) await nextTurn();
      await this.db
        .deleteFrom('attachment_blobs')
        .where('key', 'in', keys.slice(start, start + DELETE_BATCH))
        .execute();
    }
  }
}
