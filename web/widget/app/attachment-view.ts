import { humanSize } from '../../shared/file-size.js';
import { h } from './dom.js';
import type { Strings } from './strings.js';
import type { ViewAttachment } from './types.js';

/** `{name}` and `{size}` filled in. */
export const fileLabel = (template: string, file: Pick<ViewAttachment, 'name' | 'size'>): string => template.replace('{name}', file.name).replace('{size}', humanSize(file.size));

/**
 * A message's files (docs/widget.md, "Attachments"): an image as a thumbnail linking to the full
 * size in a new tab, any other file as a link with its name and size. A file still on its way has
 * no address yet: its name and size only. Only the server's own relative URLs become links.
 */
export function attachmentNode(doc: Document, file: ViewAttachment, server: string, strings: Strings): HTMLElement {
  // " (12 KB)": the visible text stays part of the link's accessible name ("Download NAME (SIZE)").
  const size = h(doc, 'span', { class: 'size' }, ` (${humanSize(file.size)})`);
  const url = file.url && file.url.startsWith('/') && !file.url.startsWith('//') ? server + file.url : undefined;
  const hook = { 'data-parley': 'attachment', 'data-kind': file.image ? 'image' : 'file' };
  if (!url) return h(doc, 'span', { ...hook, class: 'file' }, h(doc, 'span', { class: 'name' }, file.name), size);
  const link = { ...hook, href: url, target: '_blank', rel: 'noopener noreferrer' };
  if (file.image) return h(doc, 'a', { ...link, class: 'thumb' }, h(doc, 'img', { src: url, alt: file.name, loading: 'lazy' }));
  return h(doc, 'a', { ...link, class: 'file', download: file.name, 'aria-label': fileLabel(strings.download, file) }, h(doc, 'span', { class: 'name' }, file.name), size);
}

/** Fills `box` with the files and, while one uploads, a labelled `<progress>`; hidden when there are none. */
export function renderAttachments(doc: Document, box: HTMLElement, files: readonly ViewAttachment[] | undefined, server: string, strings: Strings): void {
  box.textContent = '';
  box.append(...(files ?? []).map((file) => attachmentNode(doc, file, server, strings)));
  box.hidden = !files?.length;
}

/** Shows upload progress (0 to 1) in `box`, or removes it. */
export function renderProgress(doc: Document, box: HTMLElement, value: number | undefined, name: string, strings: Strings): void {
  let bar = box.querySelector('progress');
  if (value === undefined) return bar?.remove();
  if (!bar) box.append((bar = h(doc, 'progress', { max: '1', 'aria-label': strings.uploading.replace('{name}', name) })));
  bar.value = value;
}
