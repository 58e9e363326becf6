/** A piece of a message body: plain text, or an http(s) link to render as `<a>`; both are text, never HTML. */
export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Punctuation that usually ends the sentence rather than the URL. */
const TRAILING = '.,;:!?)]}\'"';

/**
 * Splits a body into text and links. Only `http:` and `https:` URLs become links, so a body can
 * never produce a `javascript:` or `data:` href; the segments join back into the body.
 */
export function splitLinks(body: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (!href) continue;
    if (start > last) segments.push({ kind: 'text', text: body.slice(last, start) });
    segments.push({ kind: 'link', text: url, href });
    last = start + url.length;
  }
  if (last < body.length) segments.push({ kind: 'text', text: body.slice(last) });
  return segments;
}

/** Drops sentence punctuation from the end, but keeps a `)` that closes a `(` of the URL (Wikipedia's `Mocha_(coffee)`). */
function trimUrl(url: string): string {
  let end = url.length;
  while (end > 0) {
    const char = url.charAt(end - 1);
    if (!TRAILING.includes(char)) break;
    if (char === ')' && countOf(url.slice(0, end), '(') >= countOf(url.slice(0, end), ')')) break;
    end -= 1;
  }
  return url.slice(0, end);
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
