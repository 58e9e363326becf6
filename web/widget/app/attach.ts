import type { Boot } from '../shared.js';
import { networkFailure, type ApiResult } from '../../shared/api-result.js';
import { icon } from '../dom-style.js';
import { h, show } from './dom.js';
import type { Contact, OutboxItem } from './outbox-item.js';
import type { ChatSession } from './session.js';
import type { Strings } from './strings.js';
import type { AttachmentLimits, ChatMessage } from './types.js';
import type { UploadModule } from './upload-contract.js';
import type { ChatView } from './view.js';

/** `live-chat-upload.js`'s content hash, set by scripts/build-widget.mjs (it is cached for long). */
declare const __UPLOAD_VERSION__: string;

const CLIP = 'M20 11.5l-8.2 8.2a5 5 0 01-7.1-7.1l8.6-8.6a3.3 3.3 0 014.7 4.7l-8.6 8.6a1.7 1.7 0 01-2.4-2.4l7.9-7.9';

export interface AttachDeps {
  limits(): AttachmentLimits | undefined;
  session(): ChatSession;
  fingerprint(): string | undefined;
  newId(): string;
  changed(): void;
}

/**
 * The attach button, drag and drop onto the panel and pasting into the text box (docs/widget.md,
 * "Attachments"). The code that stages, stores and uploads files is `live-chat-upload.js`, loaded
 * on first use or when the outbox holds a file; this part only hands it the files.
 */
export class Attachments {
  private module: Promise<UploadModule> | undefined;
  private loaded: UploadModule | undefined;
  private readonly uploads = new Map<string, number>();

  constructor(
    private readonly boot: Boot,
    private readonly view: ChatView,
    strings: Strings,
    private readonly deps: AttachDeps,
  ) {
    const doc = boot.win.document;
    const input = h(doc, 'input', { type: 'file', multiple: true, hidden: true, tabindex: '-1', 'aria-hidden': 'true' });
    const button = h(doc, 'button', { class: 'attach', type: 'button', 'aria-label': strings.attach, 'data-parley': 'attach' }, icon(doc, 'icon', CLIP, true));
    button.addEventListener('click', () => input.click());
    input.addEventListener('change', () => {
      this.add(Array.from(input.files ?? []), false);
      input.value = '';
    });
    // After the text box, so the keyboard reaches the text box first (Tab from the fields above).
    view.composer.after(button, input);
    view.staged = () => this.staged();

    view.composer.addEventListener('paste', (event) => {
      const files = Array.from(event.clipboardData?.files ?? []);
      if (files.length === 0) return;
      event.preventDefault();
      this.add(files, true);
    });

    const hint = h(doc, 'div', { class: 'drop', 'data-parley': 'drop-hint', hidden: true }, strings.dropHint);
    view.panel.append(hint);
    const carriesFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
    view.panel.addEventListener('dragover', (event) => {
      if (!carriesFiles(event) || view.form.hidden) return;
      event.preventDefault();
      show(hint, true);
    });
    view.panel.addEventListener('dragleave', (event) => {
      if (!view.panel.contains(event.relatedTarget as Node | null)) show(hint, false);
    });
    view.panel.addEventListener('drop', (event) => {
      show(hint, false);
      if (!carriesFiles(event) || view.form.hidden) return;
      event.preventDefault();
      this.add(Array.from(event.dataTransfer?.files ?? []), false);
    });
  }

  /** The upload progress of a queued file (0 to 1), while it runs. */
  readonly progressOf = (clientMessageId: string): number | undefined => this.uploads.get(clientMessageId);

  /** Whether files wait in the preview strip. */
  staged(): boolean {
    return this.loaded?.staged() ?? false;
  }

  /** Sends the staged files (the text goes with the first); false when none are staged. */
  sendStaged(text: string, contact: Contact): boolean {
    if (!this.loaded?.staged()) return false;
    this.loaded.sendStaged(text.trim() ? text : '', contact);
    return true;
  }

  /** The session's file sender: one upload attempt (file code that cannot load counts as no network). */
  readonly files = {
    send: async (conversationId: number, item: OutboxItem): Promise<ApiResult<{ message: ChatMessage }>> => {
      try {
        return await (await this.load()).upload(conversationId, item);
      } catch {
        return networkFailure();
      }
    },
  };

  private add(files: File[], pasted: boolean): void {
    if (files.length === 0) return;
    void this.load().then(
      (module) => module.add(files, pasted),
      () => undefined,
    );
  }

  /** Loads `live-chat-upload.js` once (again after a failure). */
  private load(): Promise<UploadModule> {
    const { win, root, options } = this.boot;
    this.module ??= new Promise<UploadModule>((resolve, reject) => {
      const tag = win.document.createElement('script');
      tag.src = `${options.server}/js/live-chat-upload.js?v=${typeof __UPLOAD_VERSION__ === 'string' ? __UPLOAD_VERSION__ : ''}`;
      tag.async = true;
      tag.onload = () => {
        const mounted = win.ParleyWidgetUpload?.mount({
          win,
          root,
          form: this.view.form,
          composer: this.view.composer,
          server: options.server,
          strings: options.strings,
          limits: () => this.deps.limits(),
          token: () => this.deps.session().token,
          fingerprint: () => this.deps.fingerprint(),
          newId: () => this.deps.newId(),
          write: (body, contact, file) => this.deps.session().write(body, contact, file),
          queued: () => this.deps.session().messages.pending().map((entry) => entry.item.client_message_id),
          progress: (id, value) => {
            if (value === undefined) this.uploads.delete(id);
            else this.uploads.set(id, value);
            this.deps.changed();
          },
        });
        if (mounted) resolve((this.loaded = mounted));
        else reject(new Error('live-chat-upload.js did not start'));
      };
      tag.onerror = () => reject(new Error(`could not load ${tag.src}`));
      (win.document.head ?? win.document.documentElement).appendChild(tag);
    }).catch((error: unknown) => {
      this.module = undefined;
      throw error;
    });
    return this.module;
  }
}
