/** `POST /api/agent/conversations/{id}/attachments` over the page's cookie session (docs/api.md, "Attachments"). */
import { upload } from '../../shared/upload.js';
import { csrfHeaders, sessionEndedIf401, type ApiResult } from '../api.js';
import type { Message } from '../types.js';

/** A file reply: its bytes and name, the typed text, and the id that makes a retry idempotent. */
export interface FileUpload {
  blob: Blob;
  name: string;
  body: string;
  clientMessageId: string;
}

/** Uploads one file with XMLHttpRequest; `onProgress` gets 0 to 1 as the bytes go out. */
export async function uploadAttachment(conversationId: number, file: FileUpload, onProgress: (fraction: number) => void): Promise<ApiResult<{ message: Message }>> {
  const result = await upload<{ message: Message }>({
    url: `/api/agent/conversations/${conversationId}/attachments`,
    file: file.blob,
    fileName: file.name,
    fields: { client_message_id: file.clientMessageId, body: file.body },
    headers: csrfHeaders(),
    onProgress: (sent, total) => onProgress(total > 0 ? Math.min(1, sent / total) : 0),
  }).done;
  sessionEndedIf401(result.status);
  return result;
}
