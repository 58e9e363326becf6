import { describe, expect, it } from 'vitest';
import { splitLinks } from '../web/widget/app/links.js';

describe('widget link splitting (bodies are text; only http(s) links become <a>)', () => {
  it('leaves plain text alone', () => {
    expect(splitLinks('Hello <b>there</b>')).toEqual([{ kind: 'text', text: 'Hello <b>there</b>' }]);
    expect(splitLinks('')).toEqual([]);
  });

  it('turns http and https URLs into links', () => {
    expect(splitLinks('See https://example.com/help or http://shop.example/a?b=1#c now')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/help', href: 'https://example.com/help' },
      { kind: 'text', text: ' or ' },
      { kind: 'link', text: 'http://shop.example/a?b=1#c', href: 'http://shop.example/a?b=1#c' },
      { kind: 'text', text: ' now' },
    ]);
  });

  it('never links other schemes', () => {
    for (const body of ['javascript:alert(1)', 'data:text/html,<script>x</script>', 'file:///etc/passwd', 'ftp://example.com', 'mailto:a@b.c']) {
      expect(splitLinks(body).every((s) => s.kind === 'text')).toBe(true);
    }
  });

  it('leaves sentence punctuation out of the link', () => {
    expect(splitLinks('Go to https://example.com/orders.')).toEqual([
      { kind: 'text', text: 'Go to ' },
      { kind: 'link', text: 'https://example.com/orders', href: 'https://example.com/orders' },
      { kind: 'text', text: '.' },
    ]);
    expect(splitLinks('(https://example.com)').map((s) => s.text)).toEqual(['(', 'https://example.com', ')']);
  });

  it('keeps a parenthesis that belongs to the URL', () => {
    const link = splitLinks('https://en.wikipedia.org/wiki/Mocha_(coffee)').find((s) => s.kind === 'link');
    expect(link?.text).toBe('https://en.wikipedia.org/wiki/Mocha_(coffee)');
  });

  it('cannot break out of the attribute: quotes and angle brackets end a URL', () => {
    const segments = splitLinks('https://example.com/"onmouseover="alert(1) <x>');
    const link = segments.find((s) => s.kind === 'link');
    expect(link?.text).toBe('https://example.com/');
    expect(segments.map((s) => s.text).join('')).toBe('https://example.com/"onmouseover="alert(1) <x>');
  });

  it('joins back into the original body', () => {
    const body = 'Tracking: https://track.example/abc?x=1, and https://example.com/faq!\nThanks';
    expect(splitLinks(body).map((s) => s.text).join('')).toBe(body);
  });
});
