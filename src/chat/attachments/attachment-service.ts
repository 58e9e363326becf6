import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { fail, type Result } from '../../errors/error-codes.js';
import type { AttachmentStore } from '../../storage/attachment-store.js';
import type { FileStore } from '../../storage/file-store.js';
import type { AttachmentRow } from '../../storage/schema.js';
import type { ChatService, VisitorAccess } from '../chat-service.js';
import { quotaExceeded } from './quota.js';
import type { MessageDto } from '../dto.js';
import { inspectFile, isRasterImage } from './file-policy.js';
import { stripImageMetadata } from './image-metadata.js';
import type { AttachmentUrls } from './signed-urls.js';

/** Who sends the file: a visitor through their token's access, or an agent into any conversation. */
export type Uploader = { kind: 'visitor'; access: VisitorAccess } | { kind: 'agent'; agentId: number; conversationId: number };

/** One received upload: the bytes as sent, the name the client gave, and the message's fields. */
export interface Upload {
  data: Uint8Array;
  claimedName: string;
  /** The message's text; '' for a file alone. */
  body: string;
  clientMessageId: string | null;
}

/** A file to send back: its row, its bytes, and how long its URL stays valid. */
export interface Download {
  attachment: AttachmentRow;
  data: Uint8Array;
  /** Raster images are shown inline; anything else is a download. */
  image: boolean;
  /** Seconds until the URL's `expires`: the most a browser may cache it. */
  maxAgeSeconds: number;
}

export interface AttachmentDeps {
  chat: Pick<ChatService, 'append'>;
  store: Pick<AttachmentStore, 'bytesUsed' | 'get' | 'hasClientMessage'>;
  files: FileStore;
  urls: Pick<AttachmentUrls, 'verify' | 'secondsLeft'>;
  logger: Pick<Logger, 'warn'>;
  /** `CHAT_ATTACHMENT_CONVERSATION_MAX_MB` in bytes: what all of a conversation's files may take. */
  conversationMaxBytes: number;
}

/**
 * Files sent in the chat (docs/api.md, "Attachments"): the type is judged from the content,
 * images lose their metadata, the conversation's quota is checked, and the bytes are put in the
 * file store before the message and its attachment rows are stored in one transaction. When the
 * message is not stored (refused, or a retry of one stored before), the bytes put are deleted.
 */
export class AttachmentService {
  constructor(private readonly deps: AttachmentDeps) {}

  /** 201-like `created: true` with the new message, or `created: false` with the one a retry already stored. */
  async upload(who: Uploader, upload: Upload): Promise<Result<{ message: MessageDto; created: boolean }>> {
    const { store, files } = this.deps;
    const conversationId = who.kind === 'visitor' ? who.access.conversation.id : who.conversationId;
    const verdict = await inspectFile(upload.data, upload.claimedName);
    if (!verdict.ok) return fail('unsupported_media_type', verdict.message, { file: 'is not a type of file that can be sent' });
    const data = verdict.image ? stripImageMetadata(upload.data, verdict.type) : upload.data;

    const used = await store.bytesUsed(conversationId);
    // A retry of a stored upload is answered with its message, whatever the quota says now.
    const retry = upload.clientMessageId !== null && (await store.hasClientMessage(conversationId, upload.clientMessageId));
    // A first look, so a file that cannot fit is not stored at all; `append` decides under the conversation's lock.
    if (used + data.length > this.deps.conversationMaxBytes && !retry) return quotaExceeded(this.deps.conversationMaxBytes, used);

    const key = randomBytes(16).toString('hex');
    await files.put(key, data, verdict.type);
    let result: Result<{ message: MessageDto; created: boolean }>;
    try {
      result = await this.deps.chat.append(
        conversationId,
        {
          sender: who.kind,
          agentId: who.kind === 'agent' ? who.agentId : null,
          body: upload.body,
          clientMessageId: upload.clientMessageId,
          attachments: [{ name: verdict.name, size: data.length, type: verdict.type, disk: files.disk, storageKey: key }],
          quotaBytes: this.deps.conversationMaxBytes,
        },
        who.kind === 'visitor' ? who.access.visibleFromSeq : 1,
      );
    } catch (error) {
      await this.discard(key);
      throw error;
    }
    if (!result.ok || !result.value.created) await this.discard(key);
    return result;
  }

  /** The file a signed URL names; nothing when the signature is wrong or expired, or the file is gone (one uniform 404). */
  async download(id: number, expires: number, sig: string): Promise<Download | undefined> {
    if (!this.deps.urls.verify(id, expires, sig)) return undefined;
    const attachment = await this.deps.store.get(id);
    const data = attachment ? await this.deps.files.get(attachment.storage_key) : undefined;
    if (!attachment || !data) return undefined;
    return { attachment, data, image: isRasterImage(attachment.type), maxAgeSeconds: this.deps.urls.secondsLeft(expires) };
  }

  /** Deletes bytes no message points at; a failure leaves an orphan for `parley purge`, never a failed request. */
  private async discard(key: string): Promise<void> {
    try {
      await this.deps.files.delete([key]);
    } catch (error) {
      this.deps.logger.warn({ err: error, key }, 'could not delete the bytes of an upload that was not stored; parley purge removes them');
    }
  }
}
