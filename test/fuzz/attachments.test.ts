import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTML_AS_PNG, jpegWithGps, png, SVG_WITH_SCRIPT, TEXT_AS_PNG } from '../support/attachments.js';
import { headerLines, headerValue, hostileString, NASTY_STRINGS, pathSegment, percentEncode, queryString } from '../support/fuzz-arbitraries.js';
import { FuzzCounts, fuzzTimeout } from '../support/fuzz-config.js';
import { apiAnswerProblem, expectUp, type RawAnswer, type RequestSpec } from '../support/fuzz-http.js';
import { fuzzRequests, jsonOf, SHOP_ORIGIN, startFuzzServer, type FuzzServer } from '../support/fuzz-server.js';
import { ADMIN } from '../support/harness.js';

/**
 * Property-based fuzzing of the attachment routes (docs/api.md, "Attachments") on a listening Parley:
 * arbitrary multipart bodies (boundaries, part headers, file names, contents, truncations), headers,
 * ids and query strings on both upload routes and on the download route. Whatever arrives: never a
 * 5xx, every error documented, `/up` still answers, and every stored file has its row (and back).
 */
const counts = new FuzzCounts('attachments');
const RUNS = 40;

/**
 * A HEAD answer has no body to check: it must arrive and not be a 5xx. A body comes only from the
 * HTTP parser refusing the request before its method was known, and then it is a documented error.
 */
function headAnswerProblem(answer: RawAnswer): string | undefined {
  if (answer.status === undefined || answer.status >= 500) return `HEAD answered ${answer.status}: ${answer.body.slice(0, 300)}`;
  return answer.body === '' ? undefined : apiAnswerProblem(answer);
}

describe('fuzzing the attachment routes', () => {
  let server: FuzzServer;
  let chat = { id: 1, token: '' };
  let session = { cookie: '', csrf: '' };
  let fileUrl = '/api/files/1/x.png?expires=0&sig=00';

  beforeAll(async () => {
    server = await startFuzzServer(counts, { CHAT_ATTACHMENT_MAX_MB: '1', CHAT_RATE_LIMIT_UPLOAD: '100000/1m' });
    const started = jsonOf<{ conversation: { id: number }; visitor_token: string }>(
      await server.send({
        method: 'POST',
        target: '/api/chat/start',
        headers: [['Content-Type', 'application/json'], ['Origin', SHOP_ORIGIN]],
        body: JSON.stringify({ fingerprint: 'fp0000000000000042deadbeef', message: 'hello' }),
      }),
    );
    chat = { id: started.conversation.id, token: started.visitor_token };
    const login = await server.send({ method: 'POST', target: '/api/agent/login', headers: [['Content-Type', 'application/json']], body: JSON.stringify(ADMIN) });
    session = { cookie: `parley_session=${/parley_session=([^;]+)/.exec(login.headers['set-cookie'] ?? '')?.[1]}`, csrf: jsonOf<{ csrf_token: string }>(login).csrf_token };
    const body = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n'),
      png(),
      Buffer.from('\r\n--b--\r\n'),
    ]);
    const uploaded = await server.send({ method: 'POST', target: `/api/chat/${chat.id}/attachments`, headers: [['Content-Type', 'multipart/form-data; boundary=b'], ['Authorization', `Bearer ${chat.token}`]], body });
    fileUrl = jsonOf<{ message: { attachments: { url: string }[] } }>(uploaded).message.attachments[0]?.url ?? fileUrl;
  });
  afterAll(async () => {
    counts.print();
    await server?.close();
  });

  /** Four times in five what a real client sends, else something hostile. */
  const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>): fc.Arbitrary<T | U> =>
    fc.oneof({ weight: 4, arbitrary: valid as fc.Arbitrary<T | U> }, { weight: 1, arbitrary: hostile as fc.Arbitrary<T | U> });

  /** File contents: each kind the policy judges, plus random bytes, nothing, and one over the limit. */
  const contents = fc.oneof(
    fc.constantFrom<Uint8Array | string>(
      png(),
      png('tEXt with a secret'),
      jpegWithGps(),
      HTML_AS_PNG.data,
      SVG_WITH_SCRIPT.data,
      TEXT_AS_PNG.data,
      '',
      '%PDF-1.4\n%\u00e2\u00e3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n',
      Buffer.from('PK\u0003\u0004\u0014\u0000\u0000\u0000', 'latin1'),
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
      '\ufeff  <ScRiPt>alert(1)</script>',
      'a\u0000b',
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      'x'.repeat(1_100_000),
    ),
    fc.uint8Array({ maxLength: 2_000 }),
    hostileString(3_000),
  );
  const fileName = mostly(
    fc.constantFrom('photo.png', 'a.txt', 'x.png', 'Résumé 2026.pdf', 'IMG_0001.JPG'),
    fc.oneof(fc.constantFrom('', '.', '..', '../../etc/passwd', 'C:\\boot.ini', 'a"b.png', 'a\u202egnp.exe', 'x'.repeat(600)), hostileString(300)),
  );
  const partHeader = (value: string) => Buffer.from(value).toString('latin1');

  const filePart = fc.record({ name: fc.constant('file'), filename: fileName, type: fc.option(fc.constantFrom('image/png', 'text/html', 'image/svg+xml', '', 'x;y=z'), { nil: undefined }), data: contents });
  const fieldPart = fc.record({ name: fc.constantFrom('body', 'client_message_id'), value: mostly(fc.constantFrom('hi', 'f-1', 'f-2', ''), fc.oneof(fc.constantFrom('x'.repeat(5_001), 'a b'), hostileString(6_000))) });
  /** One part: the file, a known field, a file where a field belongs, or a field of any name. */
  const part = fc.oneof(
    { weight: 4, arbitrary: filePart },
    { weight: 2, arbitrary: fieldPart },
    { weight: 1, arbitrary: fc.record({ name: fc.oneof(fc.constantFrom('file', 'body', '__proto__', 'constructor', ''), hostileString(50)), value: hostileString(200) }) },
    { weight: 1, arbitrary: fc.record({ name: fc.constantFrom('body', 'client_message_id', 'extra'), filename: fileName, data: contents }) },
  );

  /** A multipart body: parts under a boundary (the declared one, or another), sometimes cut short or missing its end. */
  const multipartBody = fc
    .record({
      boundary: mostly(fc.constantFrom('b', '----WebKitFormBoundary7MA4YWxkTrZu0gW'), fc.oneof(fc.constantFrom('x'.repeat(70), 'x'.repeat(300), 'a b', '"q"', '--', 'é'), hostileString(80))),
      declared: mostly(fc.constant('same'), fc.constantFrom('other', 'none', 'quoted')),
      // Mostly one file with a field or two around it; else any parts at all.
      parts: mostly(
        fc.tuple(fc.array(fieldPart, { maxLength: 2 }), filePart, fc.array(fieldPart, { maxLength: 1 })).map(([before, file, after]) => [...before, file, ...after]),
        fc.array(part, { maxLength: 4 }),
      ),
      ending: mostly(fc.constant('close'), fc.constantFrom('none', 'garbage')),
      cut: mostly(fc.constant(undefined), fc.nat()),
      preamble: fc.constantFrom('', 'preamble\r\n', '\r\n'),
    })
    .map((r) => {
      const chunks: Buffer[] = [Buffer.from(r.preamble)];
      for (const p of r.parts) {
        chunks.push(Buffer.from(`--${r.boundary}\r\n`, 'latin1'));
        const filename = 'filename' in p ? `; filename="${partHeader(p.filename)}"` : '';
        const type = 'type' in p && p.type !== undefined ? `\r\nContent-Type: ${p.type}` : '';
        chunks.push(Buffer.from(`Content-Disposition: form-data; name="${partHeader(p.name)}"${filename}${type}\r\n\r\n`, 'latin1'));
        chunks.push(Buffer.from('data' in p ? p.data : p.value), Buffer.from('\r\n'));
      }
      if (r.ending === 'close') chunks.push(Buffer.from(`--${r.boundary}--\r\n`, 'latin1'));
      if (r.ending === 'garbage') chunks.push(Buffer.from('--\r\n\u0000\u00ff', 'latin1'));
      const whole = Buffer.concat(chunks);
      const body = r.cut === undefined ? whole : whole.subarray(0, r.cut % (whole.length + 1));
      const boundary = { same: `; boundary=${r.boundary}`, other: '; boundary=zzz', none: '', quoted: `; boundary="${r.boundary}"` }[r.declared];
      return { body, contentType: Buffer.from(`multipart/form-data${boundary}`).toString('latin1') };
    });

  const contentType = (multipartType: string) =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constant(multipartType) },
      { weight: 1, arbitrary: fc.constantFrom('application/json', 'multipart/mixed; boundary=b', 'multipart/form-data', 'MULTIPART/FORM-DATA; BOUNDARY=b', 'text/plain', '') },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );

  const uploads = (path: (id: string) => string, auth: fc.Arbitrary<[string, string | undefined][]>) =>
    fc
      .record({
        id: mostly(fc.constant(String(chat.id)), pathSegment([String(chat.id + 1)])),
        query: mostly(fc.constant(''), queryString(['x'])),
        body: multipartBody,
        auth,
        lengthless: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      })
      .chain((r) =>
      contentType(r.body.contentType).map(
        (type): RequestSpec => ({
          method: 'POST',
          target: `${path(r.id)}${r.query}`,
          headers: headerLines({ 'Content-Type': type, ...Object.fromEntries(r.auth) }),
          body: r.body.body,
          noContentLength: r.lengthless,
        }),
      ),
    );

  // Built inside the tests: the token, session and URL exist only after beforeAll. Mostly valid, so
  // most requests get past authentication to the parser and the file policy.
  const visitorAuth = () =>
    fc
      .tuple(mostly(fc.constant(`Bearer ${chat.token}`), headerValue(['Bearer x'])), mostly(fc.constantFrom(SHOP_ORIGIN, undefined), headerValue(['https://evil.example'])))
      .map(([a, o]): [string, string | undefined][] => [['Authorization', a], ['Origin', o]]);
  const agentAuth = () =>
    fc
      .tuple(mostly(fc.constant(session.cookie), headerValue(['parley_session=x'])), mostly(fc.constant(session.csrf), headerValue(['wrong'])))
      .map(([c, t]): [string, string | undefined][] => [['Cookie', c], ['X-CSRF-Token', t]]);

  /** A download target: the real URL's parts, each kept or replaced by something hostile. */
  const downloads = (methods: string[]) =>
    fc
    .record({
      method: fc.constantFrom(...methods),
      id: pathSegment([/\/api\/files\/(\d+)\//.exec(fileUrl)?.[1] ?? '1', '0', '2']),
      name: fc.oneof(fc.constant(fileUrl.split('/')[4]?.split('?')[0] ?? 'x.png'), fc.constantFrom(...NASTY_STRINGS).map(percentEncode), fc.constantFrom('', '%ZZ', '..%2f..%2fetc', 'x'.repeat(600))),
      query: fc.oneof(fc.constant(`?${fileUrl.split('?')[1] ?? ''}`), queryString(['expires', 'sig']), fc.constant(`?${fileUrl.split('?')[1] ?? ''}&sig=00`)),
      range: headerValue(['bytes=0-3', 'bytes=-1', 'bytes=99999999-', 'bytes=a-b']),
      cookie: headerValue([session.cookie]),
    })
    .map((r): RequestSpec => ({ method: r.method, target: `/api/files/${r.id}/${r.name}${r.query}`, headers: headerLines({ Range: r.range, Cookie: r.cookie }) }));

  it(`POST /api/chat/{id}/attachments: never a 5xx, every error documented`, async () => {
    await fuzzRequests(server, counts, uploads((id) => `/api/chat/${id}/attachments`, visitorAuth()), RUNS);
  }, fuzzTimeout(RUNS, 150));

  it(`POST /api/agent/conversations/{id}/attachments: never a 5xx, every error documented`, async () => {
    await fuzzRequests(server, counts, uploads((id) => `/api/agent/conversations/${id}/attachments`, agentAuth()), RUNS);
  }, fuzzTimeout(RUNS, 150));

  it(`GET /api/files/{id}/{name} (and other methods): never a 5xx, every error documented`, async () => {
    await fuzzRequests(server, counts, downloads(['GET', 'POST', 'OPTIONS', 'PUT']), RUNS);
  }, fuzzTimeout(RUNS, 50));

  it(`HEAD /api/files/{id}/{name}: never a 5xx, and never a body`, async () => {
    await fuzzRequests(server, counts, downloads(['HEAD']), RUNS, headAnswerProblem);
  }, fuzzTimeout(RUNS, 50));

  it('still answers GET /up and serves the file afterwards; every attachment row has its bytes and every stored file its row', async () => {
    await expectUp(server.port);
    expect((await server.send({ method: 'GET', target: fileUrl })).status).toBe(200);
    const db = server.h.parley.storage.db;
    const orphans = await sql<{ n: number }>`select count(*) as n from attachment_blobs b where not exists (select 1 from attachments a where a.storage_key = b.key)`.execute(db);
    const missing = await sql<{ n: number }>`select count(*) as n from attachments a where not exists (select 1 from attachment_blobs b where b.key = a.storage_key)`.execute(db);
    expect([Number(orphans.rows[0]?.n), Number(missing.rows[0]?.n)]).toEqual([0, 0]);
    expect(counts.fiveXx).toBe(0);
    expect(counts.crashes).toBe(0);
  });
});
