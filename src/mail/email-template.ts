import { escapeHtml } from '../security/escape-html.js';

/** One block of an email's body; a template lists blocks once and both bodies are drawn from them. */
export type EmailBlock =
  | { kind: 'paragraph'; text: string }
  /** Someone's words (a chat message), shown as a quote with an optional author line. */
  | { kind: 'quote'; text: string; author?: string }
  /** A link on its own line: a button in HTML, `text: url` in plain text. Only http(s) URLs are kept. */
  | { kind: 'link'; text: string; url: string };

/** What a template produces for one email: its subject and body blocks, still unrendered. */
export interface EmailDraft {
  subject: string;
  blocks: EmailBlock[];
}

/** One kind of email: a function from its data to a draft (docs/email.md, "Templates"). */
export type EmailTemplate<Data> = (data: Data) => EmailDraft;

/** The two bodies of one email, and its subject. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** What every email ends with: who sends it and the unsubscribe link. */
export interface EmailFooter {
  sender: string;
  unsubscribeUrl: string;
}


const isWebUrl = (url: string): boolean => /^https?:\/\//i.test(url);
/** Subjects are one line: a header cannot be split by a newline a visitor typed. */
const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ').trim();

function textBlock(block: EmailBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return block.text;
    case 'quote':
      return [block.author === undefined ? undefined : `${block.author}:`, ...block.text.split('\n').map((line) => `> ${line}`)].filter((l) => l !== undefined).join('\n');
    case 'link':
      return isWebUrl(block.url) ? `${block.text}: ${block.url}` : block.text;
  }
}

const P = 'margin:0 0 16px;font:15px/1.5 -apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#111827';

function htmlBlock(block: EmailBlock): string {
  const lines = (text: string) => escapeHtml(text).replace(/\r?\n/g, '<br>');
  switch (block.kind) {
    case 'paragraph':
      return `<p style="${P}">${lines(block.text)}</p>`;
    case 'quote': {
      const author = block.author === undefined ? '' : `<p style="${P};margin-bottom:4px;color:#6b7280">${escapeHtml(block.author)}</p>`;
      return `${author}<blockquote style="margin:0 0 16px;padding:8px 12px;border-left:3px solid #d1d5db"><p style="${P};margin:0">${lines(block.text)}</p></blockquote>`;
    }
    case 'link':
      if (!isWebUrl(block.url)) return `<p style="${P}">${escapeHtml(block.text)}</p>`;
      return `<p style="${P}"><a href="${escapeHtml(block.url)}" style="display:inline-block;padding:10px 16px;background:#2563eb;color:#ffffff;border-radius:6px;text-decoration:none">${escapeHtml(block.text)}</a></p>`;
  }
}

/** Renders a draft into the plain-text and HTML bodies, both ending with the footer. */
export function renderEmail(draft: EmailDraft, footer: EmailFooter): RenderedEmail {
  const footerText = `Sent by ${footer.sender}. To stop these emails: ${footer.unsubscribeUrl}`;
  const text = [...draft.blocks.map(textBlock), '--', footerText].join('\n\n') + '\n';
  const body = draft.blocks.map(htmlBlock).join('\n');
  const small = 'margin:24px 0 0;font:12px/1.5 -apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#6b7280';
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(oneLine(draft.subject))}</title></head>`,
    '<body style="margin:0;padding:24px;background:#ffffff">',
    '<div style="max-width:560px;margin:0 auto">',
    body,
    `<p style="${small}">Sent by ${escapeHtml(footer.sender)}. <a href="${escapeHtml(footer.unsubscribeUrl)}" style="color:#6b7280">Unsubscribe</a></p>`,
    '</div></body></html>',
    '',
  ].join('\n');
  return { subject: oneLine(draft.subject), text, html };
}
