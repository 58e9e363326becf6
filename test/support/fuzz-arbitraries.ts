import fc from 'fast-check';

/**
 * Generators for the fuzz suites: structure-aware (valid shapes carrying hostile values) as well as
 * random bytes. Everything here is what a client can put on the wire.
 */

/** Strings attackers and broken clients send: escapes, traversal, prototype keys, control and header-injection characters, odd unicode. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '%ZZ',
  '%',
  '%00',
  '%C0%AF',
  '%E0%A4%A',
  '..',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '//',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '0x1F',
  '9007199254740993',
  '99999999999999999999',
  '1.5',
  'true',
  '[]',
  '{}',
  '\u0000',
  '\r\n',
  'a\r\nSet-Cookie: parley_session=x',
  'a\nX-Injected: 1',
  '\t',
  '\u007f',
  '\ud800',
  '\udfff',
  '\u202e',
  '\ufeff',
  '\u00e9\u4e2d\u6587\ud83d\ude00',
  '\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67',
  '<script>alert(1)</script>',
  "'; DROP TABLE conversations; --",
  '${7*7}',
  'javascript:alert(1)',
  'data:text/html,<b>x</b>',
  'http://',
  'https://evil.example/?q=1#x',
  'private-conversation.1',
  'presence-agents',
  'private-agents',
];

/** A string that is hostile by content or by size (up to `maxLong` characters). */
export const hostileString = (maxLong = 70_000): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\r', '\n', '%', '"', '\\', '\ud800', 'é', '/', '.'), maxLength: 40 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', 'é', '\ud83d\ude00', '%', '0'), fc.integer({ min: Math.min(256, maxLong), max: maxLong })).map(([c, n]) => c.repeat(n)) },
  );

/** JSON text nested `depth` levels deep (arrays or objects), beyond what a recursive parser or validator should follow. */
export const deepJson = fc
  .tuple(fc.integer({ min: 50, max: 20_000 }), fc.boolean(), fc.boolean())
  .map(([depth, arrays, closed]) => {
    const open = arrays ? '[' : '{"a":';
    const close = arrays ? ']' : '}';
    return open.repeat(depth) + '1' + (closed ? close.repeat(depth) : '');
  });

/** Any JSON value, with hostile strings and numbers mixed in. */
export const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString(6_000) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53 + 2, 1e308, -0, 4294967297)) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileString(100), { maxLength: 5 }) },
);

/** Object text from entries, so keys like `__proto__` and duplicates are written as they are. */
export const objectText = (entries: [string, unknown][]): string =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`;

/**
 * A JSON object with the endpoint's fields: each one valid (from `fields`), hostile, or missing;
 * sometimes an extra prototype-polluting or unknown key; sometimes a field twice.
 */
export function shapedObject(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<string> {
  const entries = Object.entries(fields).map(([name, valid]) =>
    fc.oneof(
      { weight: 3, arbitrary: valid.map((value): [string, unknown][] => [[name, value]]) },
      { weight: 3, arbitrary: hostileJsonValue.map((value): [string, unknown][] => [[name, value]]) },
      { weight: 1, arbitrary: fc.constant<[string, unknown][]>([]) },
    ),
  );
  const extra = fc.oneof(
    { weight: 4, arbitrary: fc.constant<[string, unknown][]>([]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'x'), fc.oneof(hostileJsonValue, fc.constant({ polluted: true }))).map((e): [string, unknown][] => [e]) },
  );
  return fc.tuple(fc.tuple(...entries), extra, fc.boolean()).map(([parts, more, twice]) => {
    const flat = parts.flat();
    const doubled = twice && flat[0] ? [...flat, flat[0]] : flat;
    return objectText([...doubled, ...more]);
  });
}

/** A request body: mostly the endpoint's shape with hostile values, else any JSON, garbage, deep JSON, invalid UTF-8 or nothing. */
export function hostileBody(shape: fc.Arbitrary<string>): fc.Arbitrary<string | Buffer | undefined> {
  return fc.oneof(
    { weight: 6, arbitrary: shape },
    { weight: 1, arbitrary: hostileJsonValue.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: hostileString(100_000) },
    { weight: 1, arbitrary: deepJson },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.concat([Buffer.from('{"body":"'), Buffer.from(bytes), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')])) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

export const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '',
      'application/json, text/plain',
      '*/*',
      'application/json\u00e9',
    ),
  },
  { weight: 1, arbitrary: hostileString(300) },
);

/** Percent-encodes every byte but unreserved ASCII (lone surrogates become U+FFFD, as a browser sends them). */
export const percentEncode = (text: string): string =>
  [...Buffer.from(text)].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/** A path segment where an id belongs: a real id, or hostile. */
export const pathSegment = (valid: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...valid) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '0', '-1', '1.5', '1e3', '0x1', '007', '%ZZ', '%', '%00', '%2e%2e', '..', '.', '__proto__', 'constructor',
        '99999999999999999999', '9007199254740993', '%F0%9F%98%80', '%C0%AF', 'x'.repeat(600), '1'.repeat(120), '%E0%A4%A', ';', '%20', 'é',
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(percentEncode) },
  );

/** A query string: the endpoint's parameters with hostile values, repeats, brackets and bad escapes. */
export const queryString = (names: string[]): fc.Arbitrary<string> =>
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...names, '__proto__', 'constructor', `${names[0] ?? 'a'}[]`, `${names[0] ?? 'a'}[x]`, '', '%ZZ'), fc.string({ maxLength: 8 })),
        fc.oneof(hostileString(3_000).map(percentEncode), fc.constantFrom('%ZZ', '%', '', '1', '0', '-1', '1e9', 'NaN', '%00', 'a&b')),
      ),
      { maxLength: 5 },
    )
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));

/** A header value: valid, hostile (written byte for byte, so it may break the request), or absent. */
export const headerValue = (valid: string[]): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...valid) },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: hostileString(10_000).map((s) => Buffer.from(s).toString('latin1')) },
  );

/** Headers from optional values, in order. */
export const headerLines = (headers: Record<string, string | undefined>): [string, string][] =>
  Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined);
