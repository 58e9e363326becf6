import type { Attachment, Message } from '../types.js';
import { FileIcon } from './icons.js';
import { conversationFiles, downloadLabel, humanSize } from './attachment-text.js';

/** A file in the panel's list: an image opens full size in a new tab, anything else downloads. */
function FileRowLink({ file }: { file: Attachment }) {
  const label = (
    <>
      {file.image ? <img class="thumb" src={file.url} alt="" loading="lazy" /> : <FileIcon />}
      <span class="file-name">{file.name}</span> <span class="file-size">({humanSize(file.size)})</span>
    </>
  );
  return file.image ? (
    <a href={file.url} target="_blank" rel="noopener noreferrer" data-parley="file-link">{label}</a>
  ) : (
    <a href={file.url} download={file.name} aria-label={downloadLabel(file)} data-parley="file-link">{label}</a>
  );
}

/** The visitor panel's "Files": every file of the conversation, newest first; nothing when there are none. */
export function FilesPanel({ messages, visitorName }: { messages: readonly Message[]; visitorName: string }) {
  const files = conversationFiles(messages, visitorName);
  if (files.length === 0) return null;
  return (
    <section class="files-panel" aria-labelledby="files-title" data-parley="files">
      <h3 id="files-title">Files</h3>
      <ul class="files">
        {files.map(({ attachment, from, at }) => (
          <li key={attachment.id} data-parley="file-entry">
            <FileRowLink file={attachment} />
            <span class="muted file-meta">
              {from} · <time dateTime={at}>{new Date(at).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}</time>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
