import type { FastifyInstance, FastifyReply } from 'fastify';
import { escapeHtml as escape } from '../../security/escape-html.js';

/** What the unsubscribe page needs from mail: which address a token names, and recording it. */
export interface UnsubscribeDeps {
  /** The address a link's token was signed for, or undefined for a forged, cut or foreign token. */
  addressOf(token: string): string | undefined;
  suppress(address: string): Promise<void>;
}

const BODY_LIMIT = 16 * 1024;
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The token is in the URL: it must not leak to another site through a Referer.
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
};


function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#111827"><main><h1 style="font-size:1.4rem">${escape(title)}</h1>${body}</main></body></html>\n`;
  return reply.code(status).headers(PAGE_HEADERS).send(html);
}

const invalid = (reply: FastifyReply) => page(reply, 400, 'This link does not work', '<p>The unsubscribe link is incomplete or was changed. Open it again from the email, or copy the whole address.</p>');

function tokenOf(query: unknown): string {
  const token = (query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' ? token : '';
}

/**
 * `GET /email/unsubscribe?token=` asks for confirmation (a link scanner that follows it changes
 * nothing); `POST` records the address, and is what mail clients send for RFC 8058 one-click
 * unsubscribe (`List-Unsubscribe-Post`). See docs/email.md, "Unsubscribe".
 */
export async function unsubscribeRoutes(app: FastifyInstance, deps: UnsubscribeDeps): Promise<void> {
  // One-click POSTs come as form data (`List-Unsubscribe=One-Click`) or multipart; the body says nothing the token does not.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, _body, done) => done(null, undefined));

  app.get('/email/unsubscribe', async (request, reply) => {
    const token = tokenOf(request.query);
    const address = deps.addressOf(token);
    if (address === undefined) return invalid(reply);
    return page(
      reply,
      200,
      'Unsubscribe',
      `<p>Stop all emails from this chat to <strong>${escape(address)}</strong>?</p>
<form method="post" action="/email/unsubscribe?token=${escape(encodeURIComponent(token))}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" style="font:inherit;padding:.5rem 1rem">Unsubscribe</button></form>`,
    );
  });

  app.post('/email/unsubscribe', async (request, reply) => {
    const address = deps.addressOf(tokenOf(request.query));
    if (address === undefined) return invalid(reply);
    await deps.suppress(address);
    return page(reply, 200, 'You are unsubscribed', `<p>No more emails from this chat will be sent to <strong>${escape(address)}</strong>.</p>`);
  });
}
