import type { ApiResult } from '../../shared/api-result.js';
import { h, show } from './dom.js';

/** The widget's rating card's words (English; docs/widget.md, "Rating card"). */
const WORDS = {
  question: 'How was this conversation?',
  comment: 'Anything to add? (optional)',
  send: 'Send rating',
  sending: 'Sending…',
  thanks: 'Thank you for your rating!',
  already: 'This conversation has already been rated. Thank you!',
  choose: 'Choose 1 to 5 stars first.',
  failed: 'Your rating could not be sent. Please try again.',
};

const SCORES = [1, 2, 3, 4, 5];

/**
 * "How was this conversation?" on the ended card: five stars as a radio group (named "1 star" to
 * "5 stars"), an optional comment, then thanks (docs/widget.md, "Rating card").
 */
export class RatingCard {
  readonly el: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly comment: HTMLTextAreaElement;
  private readonly notice: HTMLElement;
  private readonly radios: HTMLInputElement[];
  private readonly button: HTMLButtonElement;
  private visible = false;

  constructor(doc: Document, send: (score: number, comment: string) => Promise<ApiResult<unknown>>) {
    this.radios = SCORES.map((n) => h(doc, 'input', { type: 'radio', name: 'parley-rating', value: String(n), 'aria-label': `${n} ${n === 1 ? 'star' : 'stars'}` }));
    const stars = h(
      doc,
      'div',
      { class: 'stars', role: 'radiogroup', 'aria-label': WORDS.question },
      ...this.radios.map((radio) => h(doc, 'label', { class: 'star' }, radio, h(doc, 'span', { 'aria-hidden': 'true' }, '★'))),
    );
    this.comment = h(doc, 'textarea', { 'aria-label': WORDS.comment, placeholder: WORDS.comment, maxlength: '1000', rows: '2', 'data-parley': 'rating-comment' });
    this.button = h(doc, 'button', { class: 'btn primary', type: 'submit', 'data-parley': 'send-rating' }, WORDS.send);
    this.notice = h(doc, 'p', { class: 'note', role: 'status', 'data-parley': 'rating-notice' });
    this.form = h(doc, 'form', { class: 'rating' }, h(doc, 'p', {}, WORDS.question), stars, this.comment, this.button);
    this.el = h(doc, 'div', { 'data-parley': 'rating', hidden: true }, this.form, this.notice);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const score = Number(this.radios.find((r) => r.checked)?.value ?? 0);
      if (score === 0) return this.say(WORDS.choose, true);
      this.button.disabled = true;
      this.say(WORDS.sending, false);
      void send(score, this.comment.value).then((result) => {
        this.button.disabled = false;
        const done = result.ok || result.error.code === 'already_rated';
        if (done) show(this.form, false);
        this.say(result.ok ? WORDS.thanks : done ? WORDS.already : WORDS.failed, !done);
      });
    });
  }

  /** Shown on the ended card; a fresh form each time it appears (a later conversation is rated anew). */
  render(visible: boolean): void {
    if (visible && !this.visible) {
      for (const radio of this.radios) radio.checked = false;
      this.comment.value = '';
      show(this.form, true);
      this.say('', false);
    }
    this.visible = visible;
    show(this.el, visible);
  }

  private say(text: string, error: boolean): void {
    this.notice.textContent = text;
    this.notice.classList.toggle('err', error);
  }
}
