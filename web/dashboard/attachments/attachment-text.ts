/** How files read in words: sizes, inbox previews, the visitor panel's list (docs/dashboard.md, "Attachments"). DOM-free. */
import { humanSize } from '../../shared/file-size.js';
import type { Attachment, Message } from '../types.js';

/** Sizes read the same in the widget and the dashboard: "532 B", "1.5 KB", "12 MB". */
export { humanSize };

/** The accessible name of a file's download link: "Download report.pdf (12 KB)". */
export const downloadLabel = (file: Pick<Attachment, 'name' | 'size'>): string => `Download ${file.name} (${humanSize(file.size)})`;

/** A message in one line (inbox row, notification): its text, or "📎 NAME" / "📎 3 files" when it has only files. */
export function previewText(message: Pick<Message, 'body' | 'attachments'>): string {
  if (message.body.trim() !== '') return message.body;
  const files = message.attachments ?? [];
  if (files.length === 1) return `📎 ${files[0]?.name ?? ''}`;
  if (files.length > 1) return `📎 ${files.length} files`;
  return message.body;
}

/** One file of a conversation, with who sent it. */
export interface ConversationFile {
  attachment: Attachment;
  from: string;
  at: string;
  seq: number;
}

/** Every file of a conversation's messages, newest first (a message's own files in the order sent). */
export function conversationFiles(messages: readonly Message[], visitorName: string): ConversationFile[] {
  const files: ConversationFile[] = [];
  for (const message of [...messages].sort((a, b) => b.seq - a.seq)) {
    const from = message.sender === 'visitor' ? visitorName : (message.author_name ?? 'Agent');
    for (const attachment of message.attachments ?? []) files.push({ attachment, from, at: message.created_at, seq: message.seq });
  }
  return files;
}
