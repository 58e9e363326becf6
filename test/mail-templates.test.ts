import { describe, expect, it } from 'vitest';
import { renderEmail, type EmailTemplate } from '../src/mail/email-template.js';
import { afterFailure, RETRY_DEFAULTS } from '../src/mail/retry-policy.js';
import { UnsubscribeTokens } from '../src/mail/unsubscribe-token.js';
import { createHasher } from '../src/security/hashing.js';

/** A template of the shape every kind has: one function, both bodies. */
const reply: EmailTemplate<{ agent: string; body: string; link: string }> = (data) => ({
  subject: `New reply from ${data.agent}`,
  blocks: [
    { kind: 'paragraph', text: 'You have a new reply:' },
    { kind: 'quote', text: data.body, author: data.agent },
    { kind: 'link', text: 'Continue the conversation', url: data.link },
  ],
});
const FOOTER = { sender: 'Shop & Co', unsubscribeUrl: 'https://chat.example/email/unsubscribe?token=abc.def' };

describe('email templates', () => {
  it('draws the plain-text and the HTML body from one template, both ending with the unsubscribe link', () => {
    const email = renderEmail(reply({ agent: 'Sam', body: 'Line one\nline two', link: 'https://shop.example/p?a=1&b=2' }), FOOTER);

    expect(email.subject).toBe('New reply from Sam');
    expect(email.text).toBe(
      'You have a new reply:\n\nSam:\n> Line one\n> line two\n\nContinue the conversation: https://shop.example/p?a=1&b=2\n\n--\n\n' +
        'Sent by Shop & Co. To stop these emails: https://chat.example/email/unsubscribe?token=abc.def\n',
    );
    expect(email.html).toContain('Line one<br>line two');
    expect(email.html).toContain('href="https://shop.example/p?a=1&amp;b=2"');
    expect(email.html).toContain('Sent by Shop &amp; Co. <a href="https://chat.example/email/unsubscribe?token=abc.def"');
  });

  it('escapes whatever a visitor or agent wrote: the HTML body never carries their markup', () => {
    const email = renderEmail(reply({ agent: '<b>Sam</b>', body: '<script>alert(1)</script> "x" \'y\' & z', link: 'https://shop.example/' }), FOOTER);

    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<b>Sam</b>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot; &#39;y&#39; &amp; z');
    expect(email.text).toContain('> <script>alert(1)</script> "x" \'y\' & z');
  });

  it('keeps links to the web only, and subjects on one line', () => {
    const email = renderEmail({ subject: 'Hello\r\nBcc: victim@example.test', blocks: [{ kind: 'link', text: 'Open', url: 'javascript:alert(1)' }] }, FOOTER);

    expect(email.subject).toBe('Hello Bcc: victim@example.test');
    expect(email.html).not.toContain('javascript:');
    expect(email.text.split('\n')[0]).toBe('Open');
  });
});

describe('unsubscribe tokens', () => {
  const tokens = new UnsubscribeTokens(createHasher(Buffer.alloc(32, 7)), 'https://chat.example');

  it('name the address they were signed for, compared case-insensitively', () => {
    expect(tokens.verify(tokens.sign('Ann@Shop.example'))).toBe('ann@shop.example');
  });

  it.each([
    ['another key', new UnsubscribeTokens(createHasher(Buffer.alloc(32, 8)), 'https://chat.example').sign('ann@shop.example')],
    ['another address', `${Buffer.from('bob@shop.example').toString('base64url')}.${tokens.sign('ann@shop.example').split('.')[1]}`],
    ['a cut signature', tokens.sign('ann@shop.example').slice(0, -1)],
    ['no signature', Buffer.from('ann@shop.example').toString('base64url')],
    ['an extra part', `${tokens.sign('ann@shop.example')}.x`],
    ['nothing', ''],
  ])('refuse a token signed with %s', (_case, token) => {
    expect(tokens.verify(token)).toBeUndefined();
  });

  it('give the one-click unsubscribe headers of RFC 8058', () => {
    expect(tokens.headers('ann@shop.example')).toEqual({
      'List-Unsubscribe': `<https://chat.example/email/unsubscribe?token=${tokens.sign('ann@shop.example')}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });
});

describe('retries', () => {
  const now = 1_000_000;
  it.each([
    [1, false, { action: 'retry', at: now + 30_000 }],
    [2, false, { action: 'retry', at: now + 60_000 }],
    [5, false, { action: 'retry', at: now + 480_000 }],
    [8, false, { action: 'retry', at: now + 3_600_000 }],
    [10, false, { action: 'give-up', reason: 'attempts' }],
    [1, true, { action: 'give-up', reason: 'permanent' }],
  ])('after failed attempt %i (permanent: %s): %o', (attempts, permanent, expected) => {
    expect(afterFailure(attempts, permanent, now, RETRY_DEFAULTS)).toEqual(expected);
  });
});
