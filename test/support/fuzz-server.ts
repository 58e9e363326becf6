import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { startHarness, TEST_SECRETS, type Harness } from './harness.js';
import { fuzzOptions, type FuzzCounts } from './fuzz-config.js';
import { apiAnswerProblem, assertAnswer, exchange, requestBytes, type RawAnswer, type RequestSpec } from './fuzz-http.js';

/** The site the fuzzed Parley allows (`CHAT_ALLOWED_ORIGINS`). */
export const SHOP_ORIGIN = 'https://shop.example';

export interface FuzzServer {
  h: Harness;
  port: number;
  /** Sends one request, counts it, and answers the raw answer. */
  send(spec: RequestSpec): Promise<RawAnswer>;
  close(): Promise<void>;
}

/** A Parley listening on 127.0.0.1 with its embedded realtime server, as the fuzz suites attack it. */
export async function startFuzzServer(counts: FuzzCounts, env: Record<string, string> = {}): Promise<FuzzServer> {
  const h = await startHarness('sqlite', { CHAT_ALLOWED_ORIGINS: SHOP_ORIGIN, ...env }, { broadcast: 'configured' });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (h.app.server.address() as AddressInfo).port;
  const send = async (spec: RequestSpec) => {
    counts.requests += 1;
    return exchange(port, requestBytes(spec));
  };
  return { h, port, send, close: () => h.close() };
}

export const APP = { id: TEST_SECRETS.REVERB_APP_ID, key: TEST_SECRETS.REVERB_APP_KEY, secret: TEST_SECRETS.REVERB_APP_SECRET };

/**
 * Runs one property over generated requests: every answer keeps the invariants of `check`
 * (by default the chat API's: no 5xx, documented error shape and code). fast-check shrinks a failure
 * to its smallest request and reports it with the seed.
 */
export async function fuzzRequests(
  server: FuzzServer,
  counts: FuzzCounts,
  requests: fc.Arbitrary<RequestSpec>,
  ciRuns: number,
  check: (answer: RawAnswer) => string | undefined = apiAnswerProblem,
  /** Requests always tried first: counterexamples found before, kept as regressions. */
  examples: RequestSpec[] = [],
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(requests, async (spec) => {
      const answer = await server.send(spec);
      assertAnswer(requestBytes(spec), answer, counts, check);
    }),
    { ...fuzzOptions<[RequestSpec]>(ciRuns), examples: examples.map((e): [RequestSpec] => [e]) },
  );
}

/** A JSON body from a raw answer (for setting up valid ids and tokens). */
export function jsonOf<T>(answer: RawAnswer): T {
  if (answer.status === undefined || answer.status >= 400) throw new Error(`set-up request failed: ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body) as T;
}
