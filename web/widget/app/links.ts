/** A piece of a message body: plain text, or an http(s) link to render as `<a>`. */
export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Punctuation that usually ends the sentence rather than the URL. */
const TRAILING = /[.,;:!?)\]}'"]+$/;

/**
 * Splits a body into text and links. Only `http:` and `https:` URLs become links, so a body can
 * never produce a `javascript:` or `data:` href; everything else stays text.
 */
export function splitLinks(body: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    let url = match[0];
    const trailing = TRAILING.exec(url)?.[0] ?? '';
    // Keep a closing parenthesis that belongs to the URL, as in Wikipedia links.
    const keep = trailing.startsWith(')') && countOf(url, '(') > countOf(url.slice(0, -trailing.length), ')') ? 1 : 0;
    url = url.slice(0, url.length - trailing.length + keep);
    const href = safeHref(url);
    if (!href) continue;
    if (start > last) segments.push({ kind: 'text', text: body.slice(last, start) });
    segments.push({ kind: 'link', text: url, href });
    last = start + url.length;
  }
  if (last < body.length) segments.push({ kind: 'text', text: body.slice(last) });
  return segments;
}

function safeHref(candidate: string): string | undefined {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const countOf = (text: string, char: string): number => text.split(char).length - 1;
