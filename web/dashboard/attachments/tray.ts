/**
 * The files an agent has picked, dropped or pasted but not sent yet, per conversation
 * (docs/dashboard.md, "Attachments"). DOM-free: the views read files into it and show it.
 * Held in memory for the page's lifetime; sending takes them out.
 */

/** A file to send: its bytes, and what the preview strip shows. */
export interface StagedFile {
  key: string;
  blob: Blob;
  name: string;
  size: number;
  type: string;
  /** A data: URL of an image, for the thumbnail (the dashboard's CSP allows data: images). */
  preview?: string;
}

/** What the browser gives for a picked, dropped or pasted file. */
export interface PickedFile {
  blob: Blob;
  name: string;
  type: string;
}

/** Most files staged at once in one conversation: each is sent as its own message. */
export const MAX_STAGED = 10;

export class AttachmentTray {
  private readonly staged = new Map<number, StagedFile[]>();
  private readonly listeners = new Set<() => void>();
  private count = 0;

  /** Stages files (a pasted image without a name gets one); answers those staged, at most `MAX_STAGED` in all. */
  add(conversationId: number, files: readonly PickedFile[]): StagedFile[] {
    const list = this.list(conversationId);
    const room = Math.max(0, MAX_STAGED - list.length);
    const added = files.slice(0, room).map((file): StagedFile => {
      this.count += 1;
      const name = file.name.trim() || `pasted-${this.count}.${(file.type.split('/')[1] ?? 'bin').replace(/[^a-z0-9]/gi, '')}`;
      return { key: `file-${this.count}`, blob: file.blob, name, size: file.blob.size, type: file.type };
    });
    if (added.length === 0) return [];
    this.staged.set(conversationId, [...list, ...added]);
    this.changed();
    return added;
  }

  /** The thumbnail of a staged image, once read. */
  setPreview(key: string, url: string): void {
    for (const [id, list] of this.staged) {
      if (!list.some((f) => f.key === key)) continue;
      this.staged.set(id, list.map((f) => (f.key === key ? { ...f, preview: url } : f)));
      this.changed();
    }
  }

  remove(conversationId: number, key: string): void {
    const list = this.list(conversationId);
    const next = list.filter((f) => f.key !== key);
    if (next.length === list.length) return;
    if (next.length === 0) this.staged.delete(conversationId);
    else this.staged.set(conversationId, next);
    this.changed();
  }

  /** The staged files of a conversation, in the order added. */
  list(conversationId: number | null): readonly StagedFile[] {
    return conversationId === null ? [] : (this.staged.get(conversationId) ?? []);
  }

  /** Takes the staged files out to send them. */
  take(conversationId: number): StagedFile[] {
    const list = [...this.list(conversationId)];
    if (list.length > 0) {
      this.staged.delete(conversationId);
      this.changed();
    }
    return list;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
