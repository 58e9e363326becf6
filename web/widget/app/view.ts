import type { Boot } from '../shared.js';
import { adoptStyles, CROSS, icon } from '../dom-style.js';
import { AwayCard } from './away-card.js';
import { textOn } from './color.js';
import type { ApiResult } from '../../shared/api-result.js';
import { h, show } from './dom.js';
import { MessageList } from './message-view.js';
import { isEmail, type AwayNotice } from './offline.js';
import type { Contact } from './outbox-item.js';
import type { Strings } from './strings.js';
import { PANEL_CSS } from './styles.js';
import { RatingCard } from './rating-card.js';
import { TranscriptButton } from './transcript-button.js';
import type { TranscriptAnswer } from './transcript-notice.js';
import type { ViewMessage } from './types.js';

/** What the visitor does in the panel. */
export interface ViewActions {
  send(text: string): boolean;
  close(): void;
  typing(): void;
  /** The composer's text changed (kept as the draft). */
  draft(text: string): void;
  answerPrompt(accept: boolean): void;
  newConversation(): void;
  /** Asks the server to email the conversation to its address. */
  emailTranscript(): Promise<ApiResult<TranscriptAnswer>>;
  /** Rates the closed conversation (docs/widget.md, "Rating card"). */
  rate(score: number, comment: string): Promise<ApiResult<unknown>>;
}

export type Connection = 'online' | 'reconnecting' | 'offline';

/** The panel's DOM inside the loader's shadow root. Renders state; holds none. */
export class ChatView {
  readonly panel: HTMLElement;
  readonly composer: HTMLTextAreaElement;
  private readonly doc: Document;
  private readonly list: MessageList;
  private readonly scroll: HTMLElement;
  private readonly title: HTMLElement;
  private readonly availability: HTMLElement;
  private readonly status: HTMLElement;
  private readonly typingLine: HTMLElement;
  private readonly greeting: HTMLElement;
  private readonly prompt: HTMLElement;
  private readonly ended: HTMLElement;
  private readonly prechat: HTMLElement;
  private readonly away: AwayCard;
  private readonly transcript: TranscriptButton;
  private readonly rating: RatingCard;
  private readonly nameInput: HTMLInputElement;
  private readonly emailInput: HTMLInputElement;
  private readonly prechatError: HTMLElement;
  readonly form: HTMLFormElement;
  /** Whether files wait to be sent (set by web/widget/app/attach.ts): the text may then be empty. */
  staged: () => boolean = () => false;
  private connection: Connection = 'online';
  private notice = '';

  constructor(
    private readonly boot: Boot,
    private readonly strings: Strings,
    actions: ViewActions,
  ) {
    const doc = (this.doc = boot.win.document);
    const s = strings;
    this.title = h(doc, 'h2', { class: 'title' }, s.title);
    this.availability = h(doc, 'div', { class: 'avail', 'data-parley': 'availability' }, h(doc, 'span', { class: 'dot' }), h(doc, 'span', {}, s.away));
    const close = h(doc, 'button', { class: 'x', type: 'button', 'aria-label': s.closeChat, 'data-parley': 'close' }, icon(doc, 'icon', CROSS, true));
    this.status = h(doc, 'div', { class: 'status', 'data-parley': 'status', role: 'status', hidden: true });
    this.greeting = h(doc, 'p', { class: 'greet', hidden: true });
    const log = h(doc, 'div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': s.chat, 'data-parley': 'messages' });
    this.list = new MessageList(doc, log, s, boot.options.server);
    // Focusable so a long conversation scrolls with the keyboard too (WCAG 2.1.1).
    this.scroll = h(doc, 'div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': s.conversation }, this.greeting, log);
    this.typingLine = h(doc, 'div', { class: 'typing', 'data-parley': 'typing', 'aria-live': 'polite', hidden: true }, s.typing);

    const yes = h(doc, 'button', { class: 'btn primary', type: 'button' }, s.resumeYes);
    const no = h(doc, 'button', { class: 'btn', type: 'button' }, s.resumeNo);
    this.prompt = h(doc, 'div', { class: 'card', 'data-parley': 'resume-prompt', role: 'group', hidden: true }, h(doc, 'p', {}, s.resumePrompt), h(doc, 'div', { class: 'row' }, yes, no));
    yes.addEventListener('click', () => actions.answerPrompt(true));
    no.addEventListener('click', () => actions.answerPrompt(false));

    const restart = h(doc, 'button', { class: 'btn primary', type: 'button', 'data-parley': 'new-conversation' }, s.newConversation);
    restart.addEventListener('click', () => actions.newConversation());
    this.rating = new RatingCard(doc, (score, comment) => actions.rate(score, comment));
    this.ended = h(doc, 'div', { class: 'card', 'data-parley': 'closed', hidden: true }, h(doc, 'p', {}, s.ended), this.rating.el, restart);

    this.nameInput = h(doc, 'input', { name: 'name', autocomplete: 'name', maxlength: '120' });
    this.emailInput = h(doc, 'input', { name: 'email', type: 'email', autocomplete: 'email', maxlength: '254' });
    this.prechatError = h(doc, 'div', { class: 'err', role: 'alert', hidden: true });
    this.prechat = h(
      doc,
      'div',
      { class: 'card pre', 'data-parley': 'prechat', hidden: true },
      h(doc, 'p', {}, s.prechatIntro),
      h(doc, 'label', {}, s.name, this.nameInput),
      h(doc, 'label', {}, s.email, this.emailInput),
      this.prechatError,
    );

    this.away = new AwayCard(doc, s);
    this.transcript = new TranscriptButton(doc, s, () => actions.emailTranscript());

    this.composer = h(doc, 'textarea', { 'aria-label': s.message, 'data-parley': 'composer', rows: '1', placeholder: s.placeholder, maxlength: '5000' });
    const sendButton = h(doc, 'button', { class: 'send', type: 'submit', 'data-parley': 'send' }, s.send);
    this.form = h(doc, 'form', { class: 'compose' }, this.composer, sendButton);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit(actions);
    });
    this.composer.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit(actions);
      }
    });
    this.composer.addEventListener('input', () => {
      this.autosize();
      actions.draft(this.composer.value);
      if (this.composer.value.trim()) actions.typing();
    });

    this.panel = h(
      doc,
      'div',
      { class: 'panel', role: 'dialog', 'aria-label': s.chat, 'data-parley': 'panel', hidden: true },
      h(doc, 'div', { class: 'head' }, h(doc, 'div', { class: 'who' }, this.title, this.availability), close),
      this.status,
      this.scroll,
      this.typingLine,
      this.transcript.el,
      this.prompt,
      this.ended,
      this.away.el,
      this.prechat,
      this.form,
    );
    close.addEventListener('click', () => actions.close());
    // Escape closes from anywhere in the widget (panel or launcher); focus then returns to the launcher.
    boot.root.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Escape' && !this.panel.hidden) {
        event.stopPropagation();
        actions.close();
      }
    });
    const wrap = h(doc, 'div', { class: 'wrap' }, this.panel);
    adoptStyles(boot.root, PANEL_CSS);
    boot.root.append(wrap);
  }

  setOpen(open: boolean): void {
    show(this.panel, open);
    this.boot.host.setAttribute('data-open', String(open));
    this.boot.launcher.setAttribute('aria-expanded', String(open));
    if (open) this.scrollToEnd();
  }

  render(messages: readonly ViewMessage[], seenSeq: number, stick = false): void {
    const nearEnd = this.scroll.scrollHeight - this.scroll.scrollTop - this.scroll.clientHeight < 80;
    this.list.render(messages, seenSeq);
    if (nearEnd || stick) this.scrollToEnd();
  }

  setAccent(color: string): void {
    this.boot.host.style.setProperty('--pa', color);
    this.boot.host.style.setProperty('--pat', textOn(color));
  }

  setGreeting(text: string | undefined): void {
    this.greeting.textContent = text ?? '';
    show(this.greeting, Boolean(text));
  }

  setHeader(agentName: string | undefined, online: boolean): void {
    this.title.textContent = agentName || this.strings.title;
    this.availability.classList.toggle('on', online);
    (this.availability.lastChild as HTMLElement).textContent = online ? this.strings.online : this.strings.away;
  }

  setConnection(connection: Connection): void {
    this.connection = connection;
    this.status.textContent = connection === 'offline' ? this.strings.offline : connection === 'reconnecting' ? this.strings.reconnecting : this.notice;
    show(this.status, this.status.textContent !== '');
  }

  /** A line for the status area while connected (a follow-up email's link that opened nothing); gone once the visitor sends. */
  setNotice(text: string): void {
    this.notice = text;
    this.setConnection(this.connection);
  }

  setTyping(typing: boolean): void {
    show(this.typingLine, typing);
  }

  /** Which of the bottom parts shows: the transcript button, the resume prompt, the ended card, the away card, the pre-chat fields, the composer. */
  setMode(mode: { prompt: boolean; closed: boolean; prechat: boolean; away: AwayNotice | undefined; conversation: boolean }): void {
    this.transcript.render(mode.conversation && !mode.prompt);
    show(this.prompt, mode.prompt && !mode.closed);
    show(this.ended, mode.closed);
    this.rating.render(mode.closed);
    this.away.render(mode.closed ? undefined : mode.away);
    show(this.prechat, mode.prechat && !mode.closed && !mode.prompt);
    show(this.form, !mode.closed);
  }

  setUnread(count: number): void {
    const badge = this.boot.badge;
    badge.textContent = count > 99 ? '99+' : String(count);
    badge.setAttribute('aria-label', this.strings.unread.replace('{n}', String(count)));
    show(badge, count > 0);
  }

  /** The optional pre-chat answers, or an error shown next to them. */
  private visitorDetails(): Contact | undefined {
    const name = this.nameInput.value.trim();
    const email = this.emailInput.value.trim();
    const valid = !email || isEmail(email);
    this.prechatError.textContent = valid ? '' : this.strings.invalidEmail;
    show(this.prechatError, !valid);
    if (!valid) {
      this.emailInput.focus();
      return undefined;
    }
    return { ...(name ? { name } : {}), ...(email ? { email } : {}) };
  }

  /**
   * Name and email for `start`: the email asked for while nobody is available, else the optional
   * pre-chat fields; undefined while one is missing or wrong (the problem is shown next to it).
   */
  contact(emailNeeded: boolean, prechat: boolean): Contact | undefined {
    if (!emailNeeded) return prechat ? this.visitorDetails() : {};
    const email = this.away.email();
    return email === undefined ? undefined : { email };
  }

  /** Puts back the text the visitor had not sent on the previous page. */
  setDraft(text: string): void {
    this.composer.value = text;
    this.autosize();
  }

  focusComposer(): void {
    if (!this.form.hidden) this.composer.focus();
  }

  focusLauncher(): void {
    this.boot.launcher.focus();
  }

  private submit(actions: ViewActions): void {
    const text = this.composer.value;
    if (!text.trim() && !this.staged()) return;
    if (actions.send(text)) {
      this.composer.value = '';
      this.autosize();
      if (this.notice) this.setNotice('');
    }
  }

  private autosize(): void {
    this.composer.style.height = 'auto';
    this.composer.style.height = `${Math.min(this.composer.scrollHeight + 2, 140)}px`;
  }

  private scrollToEnd(): void {
    this.scroll.scrollTop = this.scroll.scrollHeight;
  }
}
