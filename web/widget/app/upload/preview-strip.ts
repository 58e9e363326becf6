import { humanSize } from '../../../shared/file-size.js';
import { CROSS, icon } from '../../dom-style.js';
import { h, show } from '../dom.js';
import type { AttachmentLimits } from '../types.js';
import { fileName, refusal } from './file-rules.js';
import type { UploadStrings } from './upload-strings.js';

/** A file picked, dropped or pasted, waiting for Send. */
export interface Staged {
  file: Blob;
  name: string;
  /** A small rendering of an image (a `data:` URL), once made. */
  thumbnail?: string;
}

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);

/**
 * The strip above the text box (docs/widget.md, "Attachments"): each staged file with a thumbnail
 * or a file icon, its name and size and a "Remove NAME" button; under it, why a file was refused
 * (`role="alert"`). Text only through DOM calls.
 */
export class PreviewStrip {
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private readonly alert: HTMLElement;
  private files: Staged[] = [];

  constructor(
    private readonly win: Window,
    private readonly strings: UploadStrings,
    private readonly limits: () => AttachmentLimits | undefined,
    private readonly focusComposer: () => void,
  ) {
    const doc = win.document;
    this.list = h(doc, 'ul', { class: 'strip', 'aria-label': strings.filesToSend, 'data-parley': 'attachments-preview' });
    this.alert = h(doc, 'div', { class: 'err upload-err', role: 'alert', 'data-parley': 'attachment-error' });
    this.el = h(doc, 'div', { class: 'staging' }, this.list, this.alert);
    this.render();
  }

  get count(): number {
    return this.files.length;
  }

  /** Stages the files the limits allow and says why any other was refused. */
  add(files: readonly File[], pasted: boolean): void {
    const refused: string[] = [];
    const now = new Date();
    for (const file of files) {
      const name = fileName(file, pasted, now);
      const why = refusal(file, this.limits());
      if (why) {
        const max = humanSize(this.limits()?.max_bytes ?? 0);
        refused.push(fill(why === 'size' ? this.strings.tooLarge : this.strings.notAccepted, { name, max }));
        continue;
      }
      const staged: Staged = { file, name };
      this.files.push(staged);
      if (file.type.startsWith('image/')) void this.thumbnail(staged);
    }
    this.alert.textContent = refused.join(' ');
    this.render();
    this.focusComposer();
  }

  /** Empties the strip, answering what it held. */
  take(): Staged[] {
    const taken = this.files;
    this.files = [];
    this.alert.textContent = '';
    this.render();
    return taken;
  }

  private remove(staged: Staged): void {
    const at = this.files.indexOf(staged);
    this.files = this.files.filter((other) => other !== staged);
    this.render();
    const next = this.list.querySelectorAll('button')[Math.min(at, this.files.length - 1)];
    if (next) next.focus();
    else this.focusComposer();
  }

  private render(): void {
    const doc = this.win.document;
    this.list.textContent = '';
    for (const staged of this.files) {
      const remove = h(doc, 'button', { type: 'button', class: 'rm', 'aria-label': fill(this.strings.removeFile, { name: staged.name }) }, icon(doc, 'icon', CROSS, true));
      remove.addEventListener('click', () => this.remove(staged));
      const preview = staged.thumbnail ? h(doc, 'img', { src: staged.thumbnail, alt: '' }) : h(doc, 'span', { class: 'doc', 'aria-hidden': 'true' }, extension(staged.name));
      this.list.append(h(doc, 'li', { class: 'chip' }, preview, h(doc, 'span', { class: 'name' }, staged.name), h(doc, 'span', { class: 'size' }, humanSize(staged.file.size)), remove));
    }
    show(this.list, this.files.length > 0);
    show(this.alert, this.alert.textContent !== '');
    show(this.el, this.files.length > 0 || this.alert.textContent !== '');
  }

  /** Draws a small copy of an image into a canvas (a `data:` URL: allowed where `blob:` is not). */
  private async thumbnail(staged: Staged): Promise<void> {
    try {
      const bitmap = await this.win.createImageBitmap(staged.file);
      const scale = Math.min(1, 96 / Math.max(bitmap.width, bitmap.height));
      const canvas = h(this.win.document, 'canvas', { width: String(Math.max(1, Math.round(bitmap.width * scale))), height: String(Math.max(1, Math.round(bitmap.height * scale))) });
      canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      staged.thumbnail = canvas.toDataURL('image/png');
      // Only the icon is replaced, so a focused Remove button keeps the focus.
      this.list.children[this.files.indexOf(staged)]?.firstElementChild?.replaceWith(h(this.win.document, 'img', { src: staged.thumbnail, alt: '' }));
    } catch {
      // Not an image the browser can draw: the file icon stays.
    }
  }
}

/** `PDF`, `TXT`…: the file icon's label. */
function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1, dot + 5).toUpperCase() : 'FILE';
}
