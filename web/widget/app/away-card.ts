import { h, show } from './dom.js';
import { isEmail, type AwayNotice } from './offline.js';
import type { Strings } from './strings.js';

/** Shown while nobody is available: says so honestly and asks for the email the answer will go to. */
export class AwayCard {
  readonly el: HTMLElement;
  private readonly message: HTMLElement;
  private readonly when: HTMLElement;
  private readonly ask: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly error: HTMLElement;

  constructor(
    doc: Document,
    private readonly strings: Strings,
  ) {
    this.message = h(doc, 'p', { 'data-parley': 'away-message' });
    this.when = h(doc, 'p', { 'data-parley': 'reply-time' });
    this.input = h(doc, 'input', { name: 'email', type: 'email', autocomplete: 'email', maxlength: '254', required: true, 'aria-describedby': 'parley-away-error', 'data-parley': 'away-email' });
    this.error = h(doc, 'div', { class: 'err', id: 'parley-away-error', role: 'alert', hidden: true });
    this.ask = h(doc, 'div', { class: 'pre' }, h(doc, 'p', {}, strings.byEmail), h(doc, 'label', {}, strings.yourEmail, this.input), this.error);
    this.el = h(doc, 'div', { class: 'card away', 'data-parley': 'away', hidden: true }, this.message, this.when, this.ask);
  }

  render(notice: AwayNotice | undefined): void {
    show(this.el, notice !== undefined);
    if (notice === undefined) return;
    this.message.textContent = notice.message;
    show(this.message, notice.message.trim() !== '');
    this.when.textContent = notice.opening === undefined ? this.strings.replySoon : this.strings.replyAt.replace('{time}', notice.opening);
    show(this.ask, notice.askEmail);
  }

  /** The email typed, or undefined with the problem shown next to the field (and the focus on it). */
  email(): string | undefined {
    const value = this.input.value.trim();
    const problem = value === '' ? this.strings.emailRequired : isEmail(value) ? '' : this.strings.invalidEmail;
    this.error.textContent = problem;
    show(this.error, problem !== '');
    if (problem === '') {
      this.input.removeAttribute('aria-invalid');
      return value;
    }
    this.input.setAttribute('aria-invalid', 'true');
    this.input.focus();
    return undefined;
  }
}
