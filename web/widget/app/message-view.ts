import { renderAttachments, renderProgress } from './attachment-view.js';
import { h } from './dom.js';
import { splitLinks } from '../../shared/links.js';
import type { Strings } from './strings.js';
import type { ViewMessage } from './types.js';

/**
 * Keeps the `role="log"` list equal to `messages` with the fewest DOM changes: existing nodes are
 * updated in place (a pending bubble turns into the sent one) and only moved when out of order,
 * so screen readers announce each message once.
 */
export class MessageList {
  private readonly nodes = new Map<string, HTMLElement>();
  private readonly rendered = new Map<string, string>();
  private readonly files = new Map<string, string>();

  constructor(
    private readonly doc: Document,
    readonly el: HTMLElement,
    private readonly strings: Strings,
    /** The Parley server's base URL: attachment URLs are relative to it. */
    private readonly server = '',
  ) {}

  render(messages: readonly ViewMessage[], seenSeq: number): void {
    const lastSeen = lastVisitorSeq(messages, seenSeq);
    const keep = new Set<string>();
    let cursor = this.el.firstChild;
    for (const message of messages) {
      keep.add(message.key);
      let node = this.nodes.get(message.key);
      const signature = `${message.seq}|${message.state}|${message.seq === lastSeen}`;
      if (!node) {
        node = h(this.doc, 'div', { class: 'msg', 'data-parley': 'message' });
        node.append(body(this.doc, message.body), h(this.doc, 'div', { class: 'files', 'data-parley': 'attachments', hidden: true }), h(this.doc, 'div', { class: 'meta' }));
        this.nodes.set(message.key, node);
      }
      if (this.rendered.get(message.key) !== signature) {
        this.update(node, message, message.seq === lastSeen);
        this.rendered.set(message.key, signature);
      }
      if (message.attachments) renderProgress(this.doc, node.children[1] as HTMLElement, message.progress, message.attachments[0]?.name ?? '', this.strings);
      if (node === cursor) cursor = cursor.nextSibling;
      else this.el.insertBefore(node, cursor);
    }
    for (const [key, node] of this.nodes) {
      if (keep.has(key)) continue;
      node.remove();
      this.nodes.delete(key);
      this.rendered.delete(key);
      this.files.delete(key);
    }
  }

  private update(node: HTMLElement, message: ViewMessage, seen: boolean): void {
    if (message.seq === undefined) node.removeAttribute('data-seq');
    else node.setAttribute('data-seq', String(message.seq));
    node.setAttribute('data-sender', message.sender);
    node.setAttribute('data-state', message.state);
    // A file sent without text shows no empty bubble.
    (node.firstChild as HTMLElement).hidden = message.body === '' && Boolean(message.attachments?.length);
    const files = JSON.stringify(message.attachments ?? []);
    if (this.files.get(message.key) !== files) renderAttachments(this.doc, node.children[1] as HTMLElement, message.attachments, this.server, this.strings);
    this.files.set(message.key, files);
    const meta = node.lastChild as HTMLElement;
    meta.textContent = this.meta(message, seen);
    meta.hidden = message.sender === 'system';
  }

  private meta(message: ViewMessage, seen: boolean): string {
    if (message.state === 'pending') return this.strings.sending;
    if (message.state === 'failed') return this.strings.failed;
    const parts = [message.sender === 'agent' ? message.author_name : undefined, time(message.created_at), seen ? this.strings.seen : undefined];
    return parts.filter(Boolean).join(' · ');
  }
}

/** The body as text nodes and `<a>` elements for http(s) links; never HTML. */
function body(doc: Document, text: string): HTMLElement {
  const el = h(doc, 'div', { class: 'bubble', 'data-parley': 'body' });
  for (const segment of splitLinks(text)) {
    el.append(segment.kind === 'text' ? doc.createTextNode(segment.text) : h(doc, 'a', { href: segment.href, target: '_blank', rel: 'noopener noreferrer' }, segment.text));
  }
  return el;
}

function time(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** The newest visitor message the agent has read: the only one marked as seen. */
function lastVisitorSeq(messages: readonly ViewMessage[], seenSeq: number): number | undefined {
  let last: number | undefined;
  for (const m of messages) if (m.sender === 'visitor' && m.seq !== undefined && m.seq <= seenSeq) last = m.seq;
  return last;
}
