import { afterEach, describe, expect, it } from 'vitest';
import { skipEngine } from './support/engines.js';
import { startHarness, type Harness } from './support/harness.js';
import { dropRedisKeys, freshRedisPrefix, redisMissing, redisTarget, redisUrlVia, TEST_REDIS_URL } from './support/redis.js';
import { TcpProxy } from './support/tcp-proxy.js';

/**
 * Two Parley nodes in this process on one Redis (REDIS_URL, REDIS_PREFIX): what they share besides
 * the realtime bus. The cross-process suites (multi-node*.test.ts) cover delivery and failover.
 */
describe.skipIf(redisMissing || skipEngine('pgsql'))('multi-node operations over Redis', () => {
  const nodes: Harness[] = [];
  const prefixes: string[] = [];
  const proxies: TcpProxy[] = [];

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((node) => node.close()));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    await dropRedisKeys(prefixes.splice(0));
  });

  const node = async (env: Record<string, string>): Promise<Harness> => {
    const started = await startHarness('pgsql', env);
    nodes.push(started);
    return started;
  };
  const cluster = (env: Record<string, string> = {}): Record<string, string> => {
    const prefix = freshRedisPrefix('ops');
    prefixes.push(prefix);
    return { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, ...env };
  };
  const startConversation = (h: Harness) => h.request({ method: 'POST', url: '/api/chat/start', ip: '198.51.100.7', json: {} });

  it('counts a rate limit once for the whole cluster, whichever node answers', async () => {
    const env = cluster({ CHAT_RATE_LIMIT_START: '3/1m' });
    const [a, b] = [await node(env), await node(env)];
    expect((await startConversation(a)).statusCode).toBe(201);
    expect((await startConversation(b)).statusCode).toBe(201);
    expect((await startConversation(a)).statusCode).toBe(201);
    const fourth = await startConversation(b);
    expect(fourth.statusCode).toBe(429);
    expect(fourth.headers['retry-after']).toBeDefined();
    expect(fourth.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it('reports Redis in /up: 503 naming it while unreachable, 200 again once it is back', async () => {
    const proxy = await TcpProxy.start(redisTarget());
    proxies.push(proxy);
    const a = await node({ ...cluster(), REDIS_URL: redisUrlVia(proxy.port) });
    const up = async () => a.request({ method: 'GET', url: '/up' });
    expect((await up()).json()).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });

    await proxy.cut();
    await expect.poll(async () => (await up()).statusCode, { timeout: 5_000 }).toBe(503);
    expect((await up()).json()).toMatchObject({ error: { code: 'service_unavailable', fields: { database: 'ok', redis: 'failing' } } });
    // The chat keeps working meanwhile: rate limits are skipped rather than refusing everyone.
    expect((await startConversation(a)).statusCode).toBe(201);

    await proxy.restore();
    await expect.poll(async () => (await up()).statusCode, { timeout: 10_000 }).toBe(200);
  });
});
