import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSignature, md5Hex } from '../../src/realtime/protocol/signatures.js';
import { contentType, headerLines, hostileBody, hostileString, objectText, pathSegment, percentEncode, shapedObject } from '../support/fuzz-arbitraries.js';
import { FuzzCounts, fuzzOptions, fuzzTimeout } from '../support/fuzz-config.js';
import { expectUp, pusherApiAnswerProblem, type RequestSpec } from '../support/fuzz-http.js';
import { APP, fuzzRequests, startFuzzServer, type FuzzServer } from '../support/fuzz-server.js';

/**
 * Property-based fuzzing of the Pusher HTTP API (`/apps/{id}/…`, docs/realtime.md), signed with the
 * app's secret and unsigned: never a 5xx, every refusal in its documented form, `/up` still answers.
 */
const counts = new FuzzCounts('Pusher HTTP API');
const RUNS = 40;

describe('fuzzing the Pusher HTTP API', () => {
  let server: FuzzServer;

  beforeAll(async () => {
    server = await startFuzzServer(counts);
  });
  afterAll(async () => {
    counts.print();
    await server?.close();
  });

  const channel = () =>
    fc.oneof(
      fc.constantFrom('news', 'presence-agents', 'private-agents', 'cache-x', `private-${'c'.repeat(156)}`, `presence-${'p'.repeat(200)}`, '#', 'a b', ''),
      hostileString(300),
    );
  const eventBody = () =>
    shapedObject({
      name: fc.constantFrom('Ping', 'x'.repeat(201), 'client-x', ''),
      data: fc.constantFrom('{}', '"x"', 'x'.repeat(10_241)),
      channel: channel(),
      channels: fc.array(channel(), { maxLength: 120 }),
      socket_id: fc.constantFrom('123.456', 'abc', '1.1.1'),
      info: fc.constantFrom('subscription_count', 'user_count', ''),
    });

  /**
   * A request to the API: the path as written (hostile app id, channel or user id), a hostile query,
   * and either a valid signature over exactly that (so it reaches the handlers) or none, or a broken one.
   */
  const requests = (method: 'GET' | 'POST', path: (appId: string, param: string) => string, body?: fc.Arbitrary<string>) =>
    fc
      .record({
        appId: pathSegment([APP.id, APP.id, 'other-app']),
        param: fc.oneof(channel().map(percentEncode), pathSegment(['news', 'presence-agents'])),
        extra: fc.dictionary(fc.constantFrom('info', 'filter_by_prefix', 'auth_version', 'x', '__proto__', 'AUTH_KEY'), hostileString(500), { maxKeys: 3 }),
        signing: fc.constantFrom('valid', 'valid', 'valid', 'none', 'stale', 'wrong-secret', 'repeated'),
        body: body ? hostileBody(body) : fc.constant(undefined),
        contentType: fc.option(contentType, { nil: undefined }),
      })
      .map((r): RequestSpec => {
        const rawPath = path(r.appId, r.param);
        const bodyText = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : r.body.toString('latin1');
        const query: Record<string, string> = { ...r.extra };
        if (r.signing !== 'none') {
          query.auth_key = APP.key;
          query.auth_timestamp = String(Math.floor(Date.now() / 1000) - (r.signing === 'stale' ? 3_600 : 0));
          query.auth_version = '1.0';
          if (bodyText !== '') query.body_md5 = md5Hex(r.body as string | Buffer);
          query.auth_signature = httpSignature(r.signing === 'wrong-secret' ? 'not the secret' : APP.secret, method, rawPath, query);
        }
        const search = new URLSearchParams(Object.entries(query)).toString();
        const target = `${rawPath}${search ? `?${search}` : ''}${r.signing === 'repeated' ? '&auth_key=again' : ''}`;
        return {
          method,
          target,
          headers: headerLines({ 'Content-Type': r.body === undefined ? undefined : r.contentType }),
          ...(r.body === undefined ? {} : { body: r.body }),
        };
      });

  const batch = () =>
    fc.oneof(
      fc.array(eventBody(), { maxLength: 12 }).map((events) => `{"batch":[${events.join(',')}]}`),
      fc.constantFrom('{"batch":{}}', '{"batch":null}', '{"batch":"x"}', objectText([['__proto__', { batch: [] }]])),
    );
  const cases: { name: string; requests: () => fc.Arbitrary<RequestSpec> }[] = [
    { name: 'POST /apps/{id}/events', requests: () => requests('POST', (id) => `/apps/${id}/events`, eventBody()) },
    { name: 'POST /apps/{id}/batch_events', requests: () => requests('POST', (id) => `/apps/${id}/batch_events`, batch()) },
    { name: 'GET /apps/{id}/channels', requests: () => requests('GET', (id) => `/apps/${id}/channels`) },
    { name: 'GET /apps/{id}/channels/{channel}', requests: () => requests('GET', (id, c) => `/apps/${id}/channels/${c}`) },
    { name: 'GET /apps/{id}/channels/{channel}/users', requests: () => requests('GET', (id, c) => `/apps/${id}/channels/${c}/users`) },
    {
      name: 'POST /apps/{id}/users/{user}/terminate_connections',
      requests: () => requests('POST', (id, user) => `/apps/${id}/users/${user}/terminate_connections`, fc.constant('{}')),
    },
    { name: 'unknown paths under /apps/', requests: () => requests('POST', (id, c) => `/apps/${id}/${c}`, fc.constant('{}')) },
  ];

  for (const c of cases) {
    it(
      `${c.name}: never a 5xx, every refusal documented`,
      async () => {
        await fuzzRequests(server, counts, c.requests(), RUNS, pusherApiAnswerProblem);
      },
      fuzzTimeout(RUNS, 50),
    );
  }

  it(
    'a validly signed query about any valid channel name of up to 164 characters answers 200',
    async () => {
      const name = fc
        .tuple(fc.constantFrom('', 'private-', 'presence-', 'cache-'), fc.string({ unit: fc.constantFrom(...'AZaz09_-=@,.;'.split('')), minLength: 1, maxLength: 164 }))
        .map(([prefix, rest]) => `${prefix}${rest}`.slice(0, 164));
      await fc.assert(
        fc.asyncProperty(name, async (channel) => {
          const path = `/apps/${APP.id}/channels/${channel}`;
          const query: Record<string, string> = { auth_key: APP.key, auth_timestamp: String(Math.floor(Date.now() / 1000)), auth_version: '1.0' };
          query.auth_signature = httpSignature(APP.secret, 'GET', path, query);
          const answer = await server.send({ method: 'GET', target: `${path}?${new URLSearchParams(query)}` });
          if (answer.status !== 200) throw new Error(`GET ${path} (${channel.length} characters) answered ${answer.status}: ${answer.body.slice(0, 300)}`);
        }),
        fuzzOptions(RUNS),
      );
    },
    fuzzTimeout(RUNS, 50),
  );

  it('still answers GET /up afterwards, and no request got a 5xx', async () => {
    await expectUp(server.port);
    expect(counts.fiveXx).toBe(0);
    expect(counts.crashes).toBe(0);
  });
});
