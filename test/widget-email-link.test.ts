import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { realClock } from '../web/shared/clock.js';
import { Retries } from '../web/shared/retries.js';
import { ChatApi, type FetchLike } from '../web/widget/app/api.js';
import { decideLink, redeemLink, stripLink, takeLink } from '../web/widget/app/email-link.js';

/** docs/widget.md, "Links from follow-up emails": the fragment, the address bar, and `POST /api/chat/link`. */

const TOKEN = 'Ab3_-9xYz012345678901234567890123456789abcd';
const OTHER = 'Zz9_-0aBc012345678901234567890123456789wxyz';
const FP = 'f'.repeat(64);

describe('finding the link in the fragment', () => {
  it.each([
    ['alone', `#parley-link=${TOKEN}`, ''],
    ['after other fragment content', `#section&parley-link=${TOKEN}`, 'section'],
    ['before other fragment content', `#parley-link=${TOKEN}&tab=2`, 'tab=2'],
    ['between parts, which keep their order', `#a=1&parley-link=${TOKEN}&b=2`, 'a=1&b=2'],
    ['in a hash-routed page', `#/orders/42?view=full&parley-link=${TOKEN}`, '/orders/42?view=full'],
    ['without the leading #', `parley-link=${TOKEN}`, ''],
  ])('%s', (_case, hash, rest) => {
    expect(takeLink(hash)).toEqual({ token: TOKEN, hash: rest });
  });

  it.each([
    ['no fragment', ''],
    ['an empty one', '#'],
    ["the page's own anchor", '#section'],
    ['a look-alike key', `#xparley-link=${TOKEN}&PARLEY-LINK=${TOKEN}&parley-link-${TOKEN}`],
    ['the key inside a value', `#q=parley-link=${TOKEN}`],
  ])('finds nothing in %s', (_case, hash) => {
    expect(takeLink(hash)).toBeUndefined();
  });

  it.each([
    ['an encoded =', `#parley-link%3D${TOKEN}`],
    ['an encoded key', `#parley%2Dlink%3d${TOKEN}`],
    ['encoded token characters', `#parley-link=${encodeURIComponent(TOKEN).replace('A', '%41')}`],
  ])('reads a percent-encoded link (%s), as mail link trackers may rewrite it', (_case, hash) => {
    expect(takeLink(hash)).toEqual({ token: TOKEN, hash: '' });
  });

  it.each([
    ['empty', ''],
    ['cut short', TOKEN.slice(0, 40)],
    ['too long', `${TOKEN}x`],
    ['standard base64 with padding', `${TOKEN.slice(0, 42)}+/=`],
    ['markup', '<img src=x onerror=alert(1)>'],
    ['a space', `${TOKEN.slice(0, 42)} `],
    ['a second =', `=${TOKEN}`],
  ])('removes a malformed link (%s) and reports no usable token', (_case, value) => {
    expect(takeLink(`#top&parley-link=${value}`)).toEqual({ token: '', hash: 'top' });
  });

  it('takes the first well-formed token of repeated links and removes them all', () => {
    expect(takeLink(`#parley-link=${TOKEN}&x&parley-link=${OTHER}`)).toEqual({ token: TOKEN, hash: 'x' });
    expect(takeLink(`#parley-link=broken&parley-link=${OTHER}&parley-link=${TOKEN}`)).toEqual({ token: OTHER, hash: '' });
    expect(takeLink('#parley-link=&parley-link=%')).toEqual({ token: '', hash: '' });
  });

  it('keeps malformed percent-encoding of other parts untouched instead of failing', () => {
    expect(takeLink(`#%E0%A4%A&100%&parley-link=${TOKEN}`)).toEqual({ token: TOKEN, hash: '%E0%A4%A&100%' });
  });

  it('copes with a huge hostile fragment: many parts, or one huge part that is never decoded', () => {
    const many = `#${'a=%41&'.repeat(300_000)}parley-link=${TOKEN}`;
    const started = performance.now();
    expect(takeLink(many)?.token).toBe(TOKEN);
    const huge = `#parley-link=${'%41'.repeat(700_000)}`;
    expect(takeLink(huge)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

/** A page's address bar: `history.replaceState` changes `location` as a browser does. */
function addressBar(href: string, refuse = false) {
  const location = new URL(href);
  const state = { route: 'cart' };
  const replaced: unknown[] = [];
  return {
    location,
    history: {
      state,
      replaceState(next: unknown, _unused: string, url: string) {
        if (refuse) throw new DOMException('The operation is insecure.', 'SecurityError');
        replaced.push(next);
        location.href = new URL(url, location.href).href;
      },
    },
    replaced,
  };
}

describe('taking the link out of the address on boot', () => {
  it('removes the token from location at once and returns it', () => {
    const win = addressBar(`https://shop.example/cart?step=2#parley-link=${TOKEN}`);
    expect(stripLink(win)).toBe(TOKEN);
    expect(win.location.href).toBe('https://shop.example/cart?step=2');
    expect(win.location.href).not.toContain(TOKEN);
  });

  it("keeps the rest of the URL, the rest of the fragment and the page's history state", () => {
    const win = addressBar(`https://shop.example/cart?step=2#section&parley-link=${TOKEN}&tab=2`);
    expect(stripLink(win)).toBe(TOKEN);
    expect(win.location.href).toBe('https://shop.example/cart?step=2#section&tab=2');
    expect(win.replaced).toEqual([{ route: 'cart' }]);
  });

  it('removes a malformed link too, and leaves an address without a link alone', () => {
    const broken = addressBar('https://shop.example/cart#parley-link=abc');
    expect(stripLink(broken)).toBe('');
    expect(broken.location.href).toBe('https://shop.example/cart');
    const plain = addressBar('https://shop.example/cart#reviews');
    expect(stripLink(plain)).toBeUndefined();
    expect(plain.replaced).toEqual([]);
  });

  it('still returns the token where the page refuses replaceState (a sandboxed frame)', () => {
    expect(stripLink(addressBar(`https://shop.example/#parley-link=${TOKEN}`, true))).toBe(TOKEN);
  });
});

describe('what POST /api/chat/link answers', () => {
  const joined = { conversation: { id: 7, status: 'open' as const, last_seq: 2 }, visitor_token: 'v', messages: [] };
  it.each([
    ['200: the conversation', { ok: true as const, status: 200, data: joined }, 'opened'],
    ['404 not_found: used, expired or unknown', { ok: false as const, status: 404, error: { code: 'not_found' as const, message: '' } }, 'expired'],
    ['422 validation_failed', { ok: false as const, status: 422, error: { code: 'validation_failed' as const, message: '' } }, 'expired'],
    ['no answer', { ok: false as const, status: 0, error: { code: 'network' as const, message: '' } }, 'unreachable'],
    ['429 rate limited', { ok: false as const, status: 429, error: { code: 'rate_limited' as const, message: '' } }, 'unreachable'],
    ['503 from a proxy', { ok: false as const, status: 503, error: { code: 'unexpected_response' as const, message: '' } }, 'unreachable'],
  ])('%s → %s', (_case, res, kind) => {
    expect(decideLink(res).kind).toBe(kind);
  });
});

describe('redeeming a link', () => {
  let answers: (number | 'network')[];
  let sent: { url: string; body: unknown; fingerprint: string | undefined }[];
  const fetch: FetchLike = async (url, init) => {
    sent.push({ url, body: init.body ? JSON.parse(init.body) : undefined, fingerprint: init.headers['X-Client-Fingerprint'] });
    const status = answers.shift() ?? 200;
    if (status === 'network') throw new TypeError('Failed to fetch');
    const data = status === 200 ? { conversation: { id: 7, status: 'open', last_seq: 0 }, visitor_token: 'v', messages: [] } : { error: { code: 'not_found', message: 'x', fields: { token: 'is unknown, used or expired' } } };
    return { status, headers: { get: () => null }, json: async () => data };
  };
  const deps = () => ({ api: new ChatApi('https://chat.example', { fetch, fingerprint: () => FP, token: () => undefined }), retries: new Retries(realClock), fingerprint: async () => FP });

  beforeEach(() => {
    vi.useFakeTimers();
    answers = [];
    sent = [];
  });
  afterEach(() => vi.useRealTimers());

  it("sends the token and the widget's fingerprint, in the body and as X-Client-Fingerprint", async () => {
    expect((await redeemLink(TOKEN, deps())).kind).toBe('opened');
    expect(sent).toEqual([{ url: 'https://chat.example/api/chat/link', body: { token: TOKEN, fingerprint: FP }, fingerprint: FP }]);
  });

  it('asks nothing for a malformed token: it opens nothing', async () => {
    expect(await redeemLink('', deps())).toEqual({ kind: 'expired' });
    expect(sent).toEqual([]);
  });

  it('does not retry a link the server refuses', async () => {
    answers = [404];
    expect(await redeemLink(TOKEN, deps())).toEqual({ kind: 'expired' });
    expect(sent).toHaveLength(1);
  });

  it('tries again 5 seconds after a network failure, and opens once the chat answers', async () => {
    answers = ['network', 503];
    const outcome = redeemLink(TOKEN, deps());
    await vi.advanceTimersByTimeAsync(4999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect((await outcome).kind).toBe('opened');
    expect(sent).toHaveLength(3);
  });

  it('gives up after three tries without an answer', async () => {
    answers = ['network', 'network', 'network', 200];
    const outcome = redeemLink(TOKEN, deps());
    await vi.runAllTimersAsync();
    expect(await outcome).toEqual({ kind: 'unreachable' });
    expect(sent).toHaveLength(3);
  });

  it('tries again at once when the browser is back online (Retries.runAll)', async () => {
    answers = ['network'];
    const d = deps();
    const outcome = redeemLink(TOKEN, d);
    await vi.advanceTimersByTimeAsync(0);
    d.retries.runAll();
    expect((await outcome).kind).toBe('opened');
    expect(sent).toHaveLength(2);
  });
});
