import { useEffect, useRef, useState } from 'preact/hooks';
import { FileIcon, PaperclipIcon } from './icons.js';
import { humanSize } from './attachment-text.js';
import { stageFiles } from './stage-files.js';
import type { AttachmentTray, StagedFile } from './tray.js';

/** The conversation's staged files, re-rendering as they change. */
export function useStaged(tray: AttachmentTray | undefined, conversationId: number): readonly StagedFile[] {
  const [files, setFiles] = useState(() => tray?.list(conversationId) ?? []);
  useEffect(() => {
    if (!tray) return;
    setFiles(tray.list(conversationId));
    return tray.subscribe(() => setFiles(tray.list(conversationId)));
  }, [tray, conversationId]);
  return files;
}

/** "Attach a file": opens the browser's file chooser (several files at once). */
export function AttachButton({ tray, conversationId }: { tray: AttachmentTray; conversationId: number }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" class="attach" aria-label="Attach a file" title="Attach a file" data-parley="attach" onClick={() => input.current?.click()}>
        <PaperclipIcon />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        data-parley="attach-input"
        onChange={(e) => {
          stageFiles(tray, conversationId, Array.from(e.currentTarget.files ?? []));
          e.currentTarget.value = '';
        }}
      />
    </>
  );
}

/** The preview strip above the reply box: each file to send, with Remove. */
export function TrayStrip({ files, onRemove }: { files: readonly StagedFile[]; onRemove(key: string): void }) {
  if (files.length === 0) return null;
  return (
    <ul class="tray" aria-label="Files to send" data-parley="tray">
      {files.map((file) => (
        <li key={file.key} class="tray-item" data-parley="tray-file">
          {file.preview ? <img class="thumb" src={file.preview} alt="" /> : <FileIcon />}
          <span class="tray-text">
            <span class="file-name">{file.name}</span>
            <span class="file-size">{humanSize(file.size)}</span>
          </span>
          <button type="button" class="remove" aria-label={`Remove ${file.name}`} onClick={() => onRemove(file.key)}>
            <span aria-hidden="true">×</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
