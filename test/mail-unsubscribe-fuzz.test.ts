import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentType, hostileString, percentEncode, queryString } from './support/fuzz-arbitraries.js';
import { FuzzCounts, fuzzOptions, fuzzTimeout } from './support/fuzz-config.js';
import { startHarness, type Harness } from './support/harness.js';

/**
 * Property-based fuzzing of `GET`/`POST /email/unsubscribe` (docs/email.md, "Unsubscribe"): any
 * token, changed, cut, repeated or garbage, with any body and content type, is answered without a
 * 5xx, and only a token signed for an address unsubscribes it.
 */
const counts = new FuzzCounts('unsubscribe');
const RUNS = 150;
const ADDRESS = 'ann@example.test';

describe('fuzzing the unsubscribe endpoint', () => {
  let h: Harness;
  let valid: string;

  beforeAll(async () => {
    h = await startHarness('sqlite');
    valid = h.parley.mail.tokens.sign(ADDRESS);
  });
  afterAll(async () => {
    counts.print();
    await h?.close();
  });

  /** A token near a valid one (a character changed, cut, doubled, re-encoded) or far from it. */
  const token = () =>
    fc.oneof(
      fc.constant(valid),
      fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 })).map(([at, c]) => {
        const i = at % valid.length;
        return valid.slice(0, i) + c + valid.slice(i + 1);
      }),
      fc.nat().map((n) => valid.slice(0, n % valid.length)),
      fc.constantFrom(`${valid}.${valid}`, valid.toUpperCase(), `${valid}=`, valid.replace('.', '%2E'), `.${valid.split('.')[1]}`, `${valid.split('.')[0]}.`),
      hostileString(5_000),
    );

  it(
    'never answers 5xx, whatever the token, method, body or content type',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'POST', 'HEAD', 'PUT'),
          fc.oneof(token().map((t) => `?token=${percentEncode(t)}`), queryString(['token'])),
          fc.option(contentType, { nil: undefined }),
          fc.option(fc.oneof(fc.constant('List-Unsubscribe=One-Click'), hostileString(20_000)), { nil: undefined }),
          async (method, query, type, body) => {
            const res = await h.app.inject({
              method: method as 'GET',
              url: `/email/unsubscribe${query}`,
              headers: type === undefined ? {} : { 'content-type': Buffer.from(type).toString('latin1') },
              ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { payload: body } : {}),
            });
            counts.requests += 1;
            if (res.statusCode >= 500) counts.fiveXx += 1;
            expect(res.statusCode, `${method} ${query.slice(0, 200)}`).toBeLessThan(500);
          },
        ),
        fuzzOptions(RUNS),
      );
      expect(counts.crashes).toBe(0);
    },
    fuzzTimeout(RUNS, 50),
  );

  it('unsubscribes only the address a valid token names', async () => {
    const res = await h.app.inject({ method: 'POST', url: `/email/unsubscribe?token=${valid}`, headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--' });

    expect(res.statusCode).toBe(200);
    expect(await h.parley.mail.suppressions.isSuppressed(ADDRESS)).toBe(true);
    expect(await h.parley.mail.suppressions.isSuppressed('bob@example.test')).toBe(false);
  });
});
