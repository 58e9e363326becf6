import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentType, headerLines, headerValue, hostileBody, hostileString, pathSegment, queryString, shapedObject } from '../support/fuzz-arbitraries.js';
import { FuzzCounts, fuzzOptions, fuzzTimeout } from '../support/fuzz-config.js';
import type { RequestSpec } from '../support/fuzz-http.js';
import { expectUp } from '../support/fuzz-http.js';
import { fuzzRequests, jsonOf, SHOP_ORIGIN, startFuzzServer, type FuzzServer } from '../support/fuzz-server.js';

/**
 * Property-based fuzzing of the customer API (docs/api.md, "Customer API") on a listening Parley: bodies,
 * headers, path ids and query strings, valid shapes with hostile values as well as garbage. Whatever
 * arrives: never a 5xx, every error `{"error":{code,message}}` with a code docs/errors.md lists,
 * and `/up` still answers.
 */
const counts = new FuzzCounts('customer API');
const RUNS = 40;
const FP = 'fp0000000000000001deadbeef';

describe('fuzzing the customer API', () => {
  let server: FuzzServer;
  let conversation: { id: number; token: string };
  let ticket = 'none';

  beforeAll(async () => {
    server = await startFuzzServer(counts);
    const started = jsonOf<{ conversation: { id: number }; visitor_token: string }>(
      await server.send({
        method: 'POST',
        target: '/api/chat/start',
        headers: [['Content-Type', 'application/json'], ['Origin', SHOP_ORIGIN]],
        body: JSON.stringify({ fingerprint: FP, message: 'hello', client_message_id: 'v-1' }),
      }),
    );
    conversation = { id: started.conversation.id, token: started.visitor_token };
    const lookup = jsonOf<{ resume_ticket?: string }>(
      await server.send({
        method: 'POST',
        target: '/api/chat/lookup',
        headers: [['Content-Type', 'application/json'], ['Origin', SHOP_ORIGIN]],
        body: JSON.stringify({ fingerprint: 'fp0000000000000002deadbeef' }),
      }),
    );
    ticket = lookup.resume_ticket ?? ticket;
  });
  afterAll(async () => {
    counts.print();
    await server?.close();
  });

  /** Valid-ish values for each field the customer API reads. */
  const valid = {
    fingerprint: () => fc.constantFrom(FP, 'fp0000000000000003deadbeef', 'a'.repeat(16), 'A+/=_:.-'.repeat(3)),
    name: () => fc.constantFrom('Ann', ' ', 'x'.repeat(121)),
    email: () => fc.constantFrom('ann@example.test', 'not-an-email', 'a@b'),
    message: () => fc.constantFrom('hello', ' ', 'x'.repeat(5_001), 'é'.repeat(5_000)),
    clientMessageId: () => fc.constantFrom('v-1', 'v-2', 'c:1.2_3', 'x'.repeat(65)),
    url: () => fc.constantFrom('https://shop.example/page?q=secret#frag', 'javascript:alert(1)', 'http://user:pw@shop.example/', '', 'ftp://x'),
  };

  /** A request to `path(id)` with the endpoint's body shape and query names, and hostile headers. */
  const requests = (method: string, path: (id: string) => string, body?: fc.Arbitrary<string>, queryNames: string[] = []) =>
    fc
      .record({
        id: pathSegment([String(conversation.id), String(conversation.id + 1)]),
        query: queryNames.length > 0 ? queryString(queryNames) : fc.constant(''),
        body: body ? hostileBody(body) : fc.constant(undefined),
        contentType: fc.option(contentType, { nil: undefined }),
        authorization: headerValue([`Bearer ${conversation.token}`, 'Bearer ', 'Bearer x', `bearer ${conversation.token}`, 'Basic YTpi']),
        fingerprint: headerValue([FP, 'short']),
        origin: headerValue([SHOP_ORIGIN, 'null', 'https://evil.example', 'https://shop.example.evil.example']),
        forwardedFor: headerValue(['198.51.100.1', '::1, 10.0.0.1', 'unknown']),
        identity: headerValue(['a.b.c']),
      })
      .map(
        (r): RequestSpec => ({
          method,
          target: `${path(r.id)}${r.query}`,
          headers: headerLines({
            'Content-Type': r.body === undefined ? undefined : r.contentType,
            Authorization: r.authorization,
            'X-Client-Fingerprint': r.fingerprint,
            Origin: r.origin,
            'X-Forwarded-For': r.forwardedFor,
            'X-Parley-Identity': r.identity,
          }),
          ...(r.body === undefined ? {} : { body: r.body }),
        }),
      );

  const cases: { name: string; requests: () => fc.Arbitrary<RequestSpec> }[] = [
    { name: 'GET /api/chat/config', requests: () => requests('GET', () => '/api/chat/config', undefined, ['v', 'callback']) },
    {
      name: 'POST /api/chat/start',
      requests: () =>
        requests(
          'POST',
          () => '/api/chat/start',
          shapedObject({
            fingerprint: valid.fingerprint(),
            name: valid.name(),
            email: valid.email(),
            message: valid.message(),
            client_message_id: valid.clientMessageId(),
            page_url: valid.url(),
            referrer: valid.url(),
            conversation_id: fc.constantFrom(conversation.id, 0, -1, 1.5),
          }),
        ),
    },
    { name: 'POST /api/chat/lookup', requests: () => requests('POST', () => '/api/chat/lookup', shapedObject({ fingerprint: valid.fingerprint() })) },
    {
      name: 'POST /api/chat/resume',
      requests: () => requests('POST', () => '/api/chat/resume', shapedObject({ resume_ticket: fc.constantFrom(ticket, 'x', 'x'.repeat(201)), fingerprint: valid.fingerprint() })),
    },
    {
      name: 'POST /api/chat/link',
      requests: () => requests('POST', () => '/api/chat/link', shapedObject({ token: fc.constantFrom('x', 'x'.repeat(43), 'x'.repeat(201), ticket), fingerprint: valid.fingerprint() })),
    },
    { name: 'GET /api/chat/{id}/status', requests: () => requests('GET', (id) => `/api/chat/${id}/status`, undefined, ['x']) },
    { name: 'GET /api/chat/{id}/messages', requests: () => requests('GET', (id) => `/api/chat/${id}/messages`, undefined, ['after', 'limit']) },
    {
      name: 'POST /api/chat/{id}/messages',
      requests: () => requests('POST', (id) => `/api/chat/${id}/messages`, shapedObject({ body: valid.message(), client_message_id: valid.clientMessageId() })),
    },
    { name: 'POST /api/chat/{id}/read', requests: () => requests('POST', (id) => `/api/chat/${id}/read`, shapedObject({ seq: fc.constantFrom(0, 1, 2 ** 31, 1e300, -1, 0.5) })) },
    {
      name: 'POST /api/chat/{id}/rating',
      requests: () => requests('POST', (id) => `/api/chat/${id}/rating`, shapedObject({ score: fc.constantFrom(1, 5, 0, 6, 2.5, '5', null), comment: fc.constantFrom('Great', '', 'x'.repeat(1_001), 3) })),
    },
    { name: 'POST /api/chat/{id}/transcript', requests: () => requests('POST', (id) => `/api/chat/${id}/transcript`, shapedObject({ email: valid.email() })) },
    {
      name: 'POST /broadcasting/auth',
      requests: () =>
        requests(
          'POST',
          () => '/broadcasting/auth',
          fc.oneof(
            shapedObject({
              socket_id: fc.constantFrom('123.456', '1.1', 'abc', '123.456\n'),
              channel_name: fc.constantFrom(`private-conversation.${conversation.id}`, 'private-agents', 'presence-agents', 'chat-status', `private-conversation.${'9'.repeat(160)}`),
            }),
            fc.constantFrom(
              `socket_id=123.456&channel_name=private-conversation.${conversation.id}`,
              'socket_id=%ZZ&channel_name=%ZZ',
              'socket_id=1.1&socket_id=2.2&channel_name[]=x',
              '__proto__[polluted]=1&socket_id=1.1',
            ),
          ),
        ),
    },
    {
      name: 'POST /broadcasting/user-auth',
      requests: () => requests('POST', () => '/broadcasting/user-auth', shapedObject({ socket_id: fc.constantFrom('123.456', 'x') })),
    },
  ];

  for (const c of cases) {
    it(
      `${c.name}: never a 5xx, every error documented`,
      async () => {
        await fuzzRequests(server, counts, c.requests(), RUNS);
      },
      fuzzTimeout(RUNS, 50),
    );
  }

  it(
    'another site (any Origin but the one that started the conversation, or none) never obtains its token, a ticket or its transcript',
    async () => {
      const foreignOrigin = fc.option(
        fc.oneof(fc.constantFrom('null', 'https://evil.example', 'http://shop.example', 'https://shop.example:444', 'https://SHOP.example', `${SHOP_ORIGIN}/`, `${SHOP_ORIGIN}.evil.example`), hostileString(200).map((s) => Buffer.from(s).toString('latin1').replace(/[\r\n]/g, ''))).filter((o) => o !== SHOP_ORIGIN),
        { nil: undefined },
      );
      // The control: from the conversation's own site, the same request does resume it (rule 6).
      const own = await server.send({ method: 'POST', target: '/api/chat/lookup', headers: [['Content-Type', 'application/json'], ['Origin', SHOP_ORIGIN]], body: JSON.stringify({ fingerprint: FP }) });
      expect(own.body).toContain('"match":"device"');
      await fc.assert(
        fc.asyncProperty(foreignOrigin, fc.constantFrom('/api/chat/lookup', '/api/chat/start'), async (origin, path) => {
          // The very device that started the conversation: same IP, user agent (none) and fingerprint.
          const answer = await server.send({
            method: 'POST',
            target: path,
            headers: headerLines({ 'Content-Type': 'application/json', Origin: origin, 'X-Client-Fingerprint': FP }),
            body: JSON.stringify({ fingerprint: FP }),
          });
          const leaked = answer.body.includes(conversation.token) || /"resume_ticket"/.test(answer.body) || /"match":"(device|network)"/.test(answer.body) || /"resumed":true/.test(answer.body) || answer.body.includes('"hello"');
          if (leaked) throw new Error(`POST ${path} with Origin ${JSON.stringify(origin)} → ${answer.status} ${answer.body.slice(0, 300)}`);
        }),
        fuzzOptions(RUNS),
      );
    },
    fuzzTimeout(RUNS, 50),
  );

  it('still answers GET /up and serves the conversation afterwards, and no request got a 5xx', async () => {
    await expectUp(server.port);
    const status = await server.send({ method: 'GET', target: `/api/chat/${conversation.id}/status`, headers: [['Authorization', `Bearer ${conversation.token}`]] });
    expect(status.status, status.body).toBe(200);
    expect(counts.fiveXx).toBe(0);
    expect(counts.crashes).toBe(0);
  });
});
