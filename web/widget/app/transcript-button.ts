import type { ApiResult } from '../../shared/api-result.js';
import { h, show } from './dom.js';
import type { Strings } from './strings.js';
import { transcriptNotice, type TranscriptAnswer } from './transcript-notice.js';

/** "Email me the transcript" under the messages, with the answer read out in a status line. */
export class TranscriptButton {
  readonly el: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly notice: HTMLElement;

  constructor(
    doc: Document,
    private readonly strings: Strings,
    request: () => Promise<ApiResult<TranscriptAnswer>>,
  ) {
    this.button = h(doc, 'button', { class: 'btn', type: 'button', 'data-parley': 'email-transcript' }, strings.emailTranscript);
    this.notice = h(doc, 'p', { class: 'note', role: 'status', 'data-parley': 'transcript-notice' });
    this.el = h(doc, 'div', { class: 'transcript', hidden: true }, this.button, this.notice);
    this.button.addEventListener('click', () => {
      this.button.disabled = true;
      this.notice.textContent = strings.sending;
      this.notice.classList.remove('err');
      void request().then((result) => {
        const notice = transcriptNotice(result, this.strings);
        this.notice.textContent = notice.text;
        this.notice.classList.toggle('err', notice.error);
        this.button.disabled = false;
      });
    });
  }

  /** Shown once a conversation exists, and not over the resume prompt. */
  render(visible: boolean): void {
    show(this.el, visible);
  }
}
