import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyIdentityToken } from '../src/security/identity-token.js';

const SECRET = 'an-identity-secret-of-at-least-32-characters';
const KEY = { secret: SECRET, audience: 'https://chat.example.com' };
const NOW = 1_800_000_000_000;
const NOW_S = NOW / 1000;

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A token signed by hand, so that a test can choose any header (alg, typ…) and any claims. */
function handSigned(header: Record<string, unknown>, payload: Record<string, unknown>, secret = SECRET, hash = 'sha256'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

/** A token as a host site signs it with jose. */
async function signed(claims: JWTPayload, secret = SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

const valid = { sub: 'user-42', name: 'Ada Lovelace', email: 'ada@example.com', exp: NOW_S + 3600, iat: NOW_S };

describe('identity tokens (docs/identity.md)', () => {
  it('a token signed with the secret gives the user id, name and email', async () => {
    expect(await verifyIdentityToken(await signed(valid), KEY, NOW)).toEqual({ id: 'user-42', name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(await verifyIdentityToken(handSigned({ alg: 'HS256' }, { sub: '7', exp: NOW_S + 60 }), KEY, NOW)).toEqual({ id: '7', name: undefined, email: undefined });
  });

  it('is refused when the feature is off (no CHAT_IDENTITY_SECRET)', async () => {
    expect(await verifyIdentityToken(await signed(valid), undefined, NOW)).toBeUndefined();
  });

  it('is refused when signed with another secret', async () => {
    expect(await verifyIdentityToken(await signed(valid, 'another-secret-that-is-32-characters-long'), KEY, NOW)).toBeUndefined();
  });

  it('is refused with alg none, HS512, RS256 or no alg, even when the MAC would match', async () => {
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(valid)}.`;
    expect(await verifyIdentityToken(none, KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(`${b64({ alg: 'none' })}.${b64(valid)}`, KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(handSigned({ alg: 'HS512' }, valid, SECRET, 'sha512'), KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(handSigned({ alg: 'RS256' }, valid), KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(handSigned({ alg: 'hs256' }, valid), KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(handSigned({ typ: 'JWT' }, valid), KEY, NOW)).toBeUndefined();
  });

  it('is refused once expired (beyond 60 s of leeway), and without exp', async () => {
    expect(await verifyIdentityToken(await signed({ ...valid, exp: NOW_S - 61 }), KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(await signed({ ...valid, exp: NOW_S - 30 }), KEY, NOW)).toBeDefined();
    const { exp: _exp, ...noExp } = valid;
    expect(await verifyIdentityToken(await signed(noExp), KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(handSigned({ alg: 'HS256' }, { ...valid, exp: 'tomorrow' }), KEY, NOW)).toBeUndefined();
  });

  it('a token valid yesterday is refused when replayed after its expiry', async () => {
    const token = await signed(valid);
    expect(await verifyIdentityToken(token, KEY, NOW)).toBeDefined();
    expect(await verifyIdentityToken(token, KEY, NOW + 24 * 3_600_000)).toBeUndefined();
  });

  it('is refused before nbf and with iat in the future (beyond 60 s)', async () => {
    expect(await verifyIdentityToken(await signed({ ...valid, nbf: NOW_S + 120 }), KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(await signed({ ...valid, nbf: NOW_S + 30 }), KEY, NOW)).toBeDefined();
    expect(await verifyIdentityToken(await signed({ ...valid, iat: NOW_S + 120 }), KEY, NOW)).toBeUndefined();
  });

  it('is refused without sub, with a sub that is not a string, or longer than 255', async () => {
    const { sub: _sub, ...noSub } = valid;
    expect(await verifyIdentityToken(await signed(noSub), KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(handSigned({ alg: 'HS256' }, { ...valid, sub: 42 }), KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(await signed({ ...valid, sub: 'x'.repeat(256) }), KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(await signed({ ...valid, sub: 'x'.repeat(255) }), KEY, NOW)).toBeDefined();
  });

  it('is refused with an email that is not one, or a name that is not a string', async () => {
    expect(await verifyIdentityToken(await signed({ ...valid, email: 'not an email' }), KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(await signed({ ...valid, name: { html: '<b>' } }), KEY, NOW)).toBeUndefined();
  });

  it('checks aud against APP_URL when the token names one', async () => {
    expect(await verifyIdentityToken(await signed({ ...valid, aud: 'https://chat.example.com' }), KEY, NOW)).toBeDefined();
    expect(await verifyIdentityToken(await signed({ ...valid, aud: ['https://other.example', 'https://chat.example.com/'] }), KEY, NOW)).toBeDefined();
    expect(await verifyIdentityToken(await signed({ ...valid, aud: 'https://other.example' }), KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken(await signed({ ...valid, aud: 'chat.example.com' }), KEY, NOW)).toBeUndefined();
  });

  it('is refused when malformed: bad base64, bad JSON, a changed payload, extra parts', async () => {
    const token = await signed(valid);
    const [h, p, s] = token.split('.') as [string, string, string];
    for (const bad of [
      `${h}.${p}.${s}x`,
      `${h}.${p}.${s.slice(0, -2)}`,
      `${h}!.${p}.${s}`,
      `${h}.${b64({ ...valid, sub: 'admin' })}.${s}`,
      `${b64('{not json')}.${p}.${s}`,
      `${h}.${b64('not json')}.${s}`,
      `${token}.extra`,
      `${h}.${p}`,
      '',
      'a.b.c',
    ]) {
      expect(await verifyIdentityToken(bad, KEY, NOW), bad).toBeUndefined();
    }
    expect(await verifyIdentityToken(42, KEY, NOW)).toBeUndefined();
    expect(await verifyIdentityToken('x'.repeat(5000), KEY, NOW)).toBeUndefined();
  });

  it('never throws and never accepts arbitrary strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string().map((s) => `${b64({ alg: 'HS256' })}.${b64(s)}.${b64(s)}`), fc.array(fc.base64String(), { maxLength: 4 }).map((parts) => parts.join('.'))), async (s) => {
        expect(await verifyIdentityToken(s, KEY, NOW)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});

describe('the widget with an identity token (docs/identity.md)', () => {
  it('sends it in the start body and as X-Parley-Identity, and on identity_invalid continues once without it', async () => {
    const { ChatApi } = await import('../web/widget/app/api.js');
    const sent: { url: string; headers: Record<string, string>; body?: string }[] = [];
    let identity: string | undefined = 'signed.jwt.token';
    const answers = [
      { status: 401, body: { error: { code: 'identity_invalid', message: 'expired' } } },
      { status: 201, body: { conversation: { id: 1 }, visitor_token: 't', messages: [] } },
      { status: 200, body: { messages: [], last_seq: 0 } },
    ];
    const api = new ChatApi('https://chat.example.com', {
      fetch: async (url, init) => {
        sent.push({ url, headers: init.headers, ...(init.body ? { body: init.body } : {}) });
        const answer = answers.shift()!;
        return { status: answer.status, headers: { get: () => null }, json: async () => answer.body };
      },
      fingerprint: () => undefined,
      token: () => 'visitor-token-1234567890',
      identity: () => identity,
      identityRefused: () => (identity = undefined),
    });
    expect((await api.start({ message: 'hi' })).ok).toBe(true);
    expect(sent.map((r) => r.body && (JSON.parse(r.body) as Record<string, unknown>))).toEqual([
      { message: 'hi', identity_token: 'signed.jwt.token' },
      { message: 'hi' },
    ]);
    identity = 'fresh.jwt.token';
    await api.messages(1, 0);
    expect(sent[2]?.headers['X-Parley-Identity']).toBe('fresh.jwt.token');
  });
});
