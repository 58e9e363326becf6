import { useRef, useState } from 'preact/hooks';
import type { HTMLAttributes, JSX } from 'preact';

type DropHandlers = Pick<HTMLAttributes<HTMLElement>, 'onDragEnter' | 'onDragOver' | 'onDragLeave' | 'onDrop'>;

/** Whether a drag carries files (not text or a link dragged from the page). */
const hasFiles = (event: DragEvent): boolean => Array.from(event.dataTransfer?.types ?? []).includes('Files');

/**
 * Drag and drop of files onto the conversation pane (docs/dashboard.md, "Attachments"): the
 * handlers to spread on the pane and, while files are dragged over it, a visible hint.
 */
export function useFileDrop(onFiles: ((files: File[]) => void) | null): { handlers: DropHandlers; hint: JSX.Element | null } {
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them.
  const depth = useRef(0);
  if (!onFiles) return { handlers: {}, hint: null };
  const handlers: DropHandlers = {
    onDragEnter: (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current += 1;
      setOver(true);
    },
    onDragOver: (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (e) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setOver(false);
    },
    onDrop: (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setOver(false);
      onFiles(Array.from(e.dataTransfer?.files ?? []));
    },
  };
  const hint = over ? (
    <div class="drop-hint" data-parley="drop-hint">
      <span>Drop files to attach them to your reply</span>
    </div>
  ) : null;
  return { handlers, hint };
}
