/** A message as the test SMTP server received it, with the parts tests look at decoded. */
export interface ReceivedMail {
  /** RCPT TO addresses (the envelope), not the header. */
  recipients: string[];
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

/** Header names lower-cased, folded lines joined. */
function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function split(entity: string): { headers: Map<string, string>; body: string } {
  const at = entity.search(/\r?\n\r?\n/);
  if (at < 0) return { headers: parseHeaders(entity), body: '' };
  const gap = entity.slice(at).startsWith('\r\n\r\n') ? 4 : 2;
  return { headers: parseHeaders(entity.slice(0, at)), body: entity.slice(at + gap) };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable': {
      const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`);
      return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
    }
    default:
      return body;
  }
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) in a header. */
function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_m, mode: string, data: string) =>
    mode.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeBody(data.replace(/_/g, ' '), 'quoted-printable'),
  );
}

/** Splits a MIME message into its text/plain and text/html bodies (nested multiparts included). */
export function parseMail(raw: string, recipients: string[]): ReceivedMail {
  const top = split(raw);
  const bodies: { text: string; html: string } = { text: '', html: '' };
  const walk = (headers: Map<string, string>, body: string) => {
    const type = headers.get('content-type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (type.toLowerCase().startsWith('multipart/') && boundary) {
      const parts = body.split(`--${boundary}`).slice(1);
      for (const part of parts) {
        if (part.startsWith('--')) break;
        const entity = split(part.replace(/^\r?\n/, ''));
        walk(entity.headers, entity.body.replace(/\r?\n$/, ''));
      }
      return;
    }
    const decoded = decodeBody(body, headers.get('content-transfer-encoding')).replace(/\r\n/g, '\n');
    if (type.toLowerCase().startsWith('text/html')) bodies.html = decoded;
    else if (type.toLowerCase().startsWith('text/plain')) bodies.text = decoded;
  };
  walk(top.headers, top.body);
  return { recipients, headers: top.headers, subject: decodeWords(top.headers.get('subject') ?? ''), ...bodies, raw };
}
