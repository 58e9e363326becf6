/** Files from the browser (chooser, drop, paste) into the tray, images read for their thumbnails. */
import type { AttachmentTray } from './tray.js';

/** Images shown as a thumbnail in the preview strip (others show a chip). */
const THUMBNAIL_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/** Larger images show a chip: reading them into a data: URL costs more than the thumbnail is worth. */
const THUMBNAIL_MAX_BYTES = 8 * 1024 * 1024;

/** Stages `files` in the conversation's tray and reads each image's thumbnail. */
export function stageFiles(tray: AttachmentTray, conversationId: number, files: readonly File[]): void {
  const added = tray.add(
    conversationId,
    files.map((file) => ({ blob: file, name: file.name, type: file.type })),
  );
  for (const staged of added) {
    if (!THUMBNAIL_TYPES.has(staged.type) || staged.size > THUMBNAIL_MAX_BYTES) continue;
    const reader = new FileReader();
    reader.onload = () => {
      if (typeof reader.result === 'string') tray.setPreview(staged.key, reader.result);
    };
    reader.readAsDataURL(staged.blob);
  }
}

/** The files of a paste or a drop (none for plain text). */
export const filesOf = (data: DataTransfer | null): File[] => (data ? Array.from(data.files) : []);
