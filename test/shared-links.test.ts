import { describe, expect, it } from 'vitest';
import { splitLinks } from '../web/shared/links.js';

describe('link splitting (bodies are text; only http(s) links become <a>)', () => {
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

describe('link splitting around parentheses and punctuation', () => {
  const links = (body: string) => splitLinks(body).filter((s) => s.kind === 'link').map((s) => s.text);

  it('keeps a URL that ends in a closing parenthesis of its own', () => {
    expect(links('Read https://en.wikipedia.org/wiki/Mocha_(coffee) first')).toEqual(['https://en.wikipedia.org/wiki/Mocha_(coffee)']);
    expect(links('See (https://en.wikipedia.org/wiki/Mocha_(coffee)).')).toEqual(['https://en.wikipedia.org/wiki/Mocha_(coffee)']);
  });

  it('keeps parentheses inside a URL', () => {
    expect(links('https://example.com/a_(b)_c/d?x=(1)&y=2 ok')).toEqual(['https://example.com/a_(b)_c/d?x=(1)&y=2']);
    expect(links('https://example.com/((nested)).')).toEqual(['https://example.com/((nested))']);
  });

  it('leaves a sentence\'s closing parenthesis and punctuation out', () => {
    expect(splitLinks('(see https://example.com/help).').map((s) => s.text)).toEqual(['(see ', 'https://example.com/help', ').']);
    expect(links('Really? https://example.com/a!? Yes; https://example.com/b: done, https://example.com/c...')).toEqual([
      'https://example.com/a',
      'https://example.com/b',
      'https://example.com/c',
    ]);
    expect(links('"https://example.com/q"')).toEqual(['https://example.com/q']);
  });

  it('never turns text into markup: tags and entities stay text, and every piece joins back', () => {
    const body = '<img src=x onerror=alert(1)> &amp; https://example.com/<script>alert(1)</script>';
    const segments = splitLinks(body);
    expect(segments.map((s) => s.text).join('')).toBe(body);
    expect(segments.filter((s) => s.kind === 'text').map((s) => s.text)).toContain('<img src=x onerror=alert(1)> &amp; ');
    expect(segments.find((s) => s.kind === 'link')).toEqual({ kind: 'link', text: 'https://example.com/', href: 'https://example.com/' });
  });
});
