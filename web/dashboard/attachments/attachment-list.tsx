import type { Attachment } from '../types.js';
import { FileIcon } from './icons.js';
import type { PendingReply } from '../session/reply-outbox.js';
import { downloadLabel, humanSize } from './attachment-text.js';

/** One file of a message: an image inline (opening full size in a new tab), anything else a download link. */
export function AttachmentLink({ file }: { file: Attachment }) {
  if (file.image) {
    return (
      <a class="attachment-image" href={file.url} target="_blank" rel="noopener noreferrer" data-parley="attachment" data-kind="image">
        <img src={file.url} alt={file.name} loading="lazy" />
      </a>
    );
  }
  return (
    <a class="attachment-file" href={file.url} download={file.name} aria-label={downloadLabel(file)} data-parley="attachment" data-kind="file">
      <FileIcon />
      <span class="file-name">{file.name}</span> <span class="file-size">({humanSize(file.size)})</span>
    </a>
  );
}

/** A message's files (docs/dashboard.md, "Attachments"); nothing when it has none. */
export function AttachmentList({ files }: { files: readonly Attachment[] | undefined }) {
  if (!files || files.length === 0) return null;
  return (
    <ul class="attachments">
      {files.map((file) => (
        <li key={file.id}>
          <AttachmentLink file={file} />
        </li>
      ))}
    </ul>
  );
}

/** A file reply on its way: thumbnail or chip, name, size and the upload's progress. */
export function PendingFile({ reply }: { reply: PendingReply }) {
  const { file, upload } = reply;
  if (!file) return null;
  const percent = upload?.progress === undefined ? null : Math.round(upload.progress * 100);
  return (
    <div class="attachment-pending" data-parley="pending-file">
      {upload?.preview ? <img class="thumb" src={upload.preview} alt="" /> : <FileIcon />}
      <span class="file-name">{file.name}</span> <span class="file-size">({humanSize(file.size)})</span>
      {percent !== null && !reply.failed && (
        <progress max={100} value={percent} aria-label={`Uploading ${file.name}`}>{`${percent}%`}</progress>
      )}
    </div>
  );
}
