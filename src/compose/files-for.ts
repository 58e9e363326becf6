import type { Config } from '../config/config.js';
import type { AttachmentStore } from '../storage/attachment-store.js';
import type { ConversationStore } from '../storage/conversation-store.js';
import type { Storage } from '../storage/database.js';
import { DatabaseFileStore } from '../storage/file-store-database.js';
import { S3FileStore } from '../storage/file-store-s3.js';
import type { FileStore } from '../storage/file-store.js';

/** Uploads that never became a message are kept this long (an upload may still be committing), then purged. */
export const ORPHAN_AGE_MS = 3_600_000;
const ORPHAN_BATCH = 500;

/** The file store `CHAT_ATTACHMENT_DISK` names (docs/configuration.md, "Attachments"). */
export function fileStoreFor(config: Pick<Config, 'attachments'>, storage: Storage): FileStore {
  const { disk, s3 } = config.attachments;
  if (disk === 's3' && s3) {
    return new S3FileStore({
      bucket: s3.bucket,
      region: s3.region,
      forcePathStyle: s3.forcePathStyle,
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      ...(s3.accessKeyId && s3.secretAccessKey ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : {}),
    });
  }
  return new DatabaseFileStore(storage.db);
}

/** What the purge did to files: those of purged conversations, and orphaned uploads. */
export interface FilePurgeCounts {
  files: number;
  orphans: number;
}

/**
 * The file side of `parley purge`: deletes the files of conversations about to be purged (while
 * their rows still say where the bytes are), and blobs on the database disk that no attachment
 * row points at once they are an hour old. Files on a disk that is no longer configured (`s3`
 * after a switch to `database`) cannot be reached and are left where they are.
 */
export class FilePurge {
  readonly counts: FilePurgeCounts = { files: 0, orphans: 0 };
  private readonly disks: Partial<Record<FileStore['disk'], FileStore>>;

  constructor(
    private readonly attachments: Pick<AttachmentStore, 'keysOfConversations' | 'orphanBlobKeys'>,
    files: FileStore,
    private readonly blobs: FileStore,
  ) {
    this.disks = { database: blobs, [files.disk]: files };
  }

  static for(config: Pick<Config, 'attachments'>, storage: Storage, attachments: FilePurge['attachments']): FilePurge {
    return new FilePurge(attachments, fileStoreFor(config, storage), new DatabaseFileStore(storage.db));
  }

  /** For `ConversationStore.purgeClosed`'s `beforeDelete`: a failure stops the purge before any row goes. */
  async conversations(ids: number[]): Promise<void> {
    const keys = await this.attachments.keysOfConversations(ids);
    for (const disk of ['database', 's3'] as const) {
      const store = this.disks[disk];
      const onDisk = keys.filter((k) => k.disk === disk).map((k) => k.key);
      if (store === undefined || onDisk.length === 0) continue;
      await store.delete(onDisk);
      this.counts.files += onDisk.length;
    }
  }

  /** Deletes the database disk's blobs older than an hour with no attachment row; answers how many went. */
  async orphans(now: number): Promise<number> {
    let total = 0;
    // Bounded: a store that answered a delete without deleting must not spin the purge forever.
    for (let round = 0; round < 100_000; round += 1) {
      const keys = await this.attachments.orphanBlobKeys(now - ORPHAN_AGE_MS, ORPHAN_BATCH);
      if (keys.length > 0) await this.blobs.delete(keys);
      total += keys.length;
      if (keys.length < ORPHAN_BATCH) break;
    }
    this.counts.orphans += total;
    return total;
  }
}

/** What one purge deleted. */
export interface PurgeOutcome {
  conversations: number;
  files: number;
  orphans: number;
}

/**
 * `parley purge`'s conversations and files: closed conversations closed before `closedBefore`
 * (none when undefined: retention is off) with their files, then orphaned uploads.
 */
export async function purgeWithFiles(conversations: Pick<ConversationStore, 'purgeClosed'>, files: FilePurge, closedBefore: number | undefined, now: number): Promise<PurgeOutcome> {
  const removed = closedBefore === undefined ? 0 : await conversations.purgeClosed(closedBefore, undefined, (ids) => files.conversations(ids));
  const orphans = await files.orphans(now);
  return { conversations: removed, files: files.counts.files, orphans };
}
