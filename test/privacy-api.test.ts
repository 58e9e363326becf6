import { describe, expect, it } from 'vitest';
import { parseSelector } from '../src/chat/privacy.js';
import { ENGINES } from './support/engines.js';
import { useHarness } from './support/harness.js';

/** The admin API of docs/privacy.md: admins only, exactly one selector, never a 5xx. */

const AGENT = { email: 'agent@example.test', name: 'Agent', password: 'agent password 1' };
const EXPORT = '/api/agent/visitors/export';
const ERASE = '/api/agent/visitors/erase';

describe('parseSelector', () => {
  it('takes exactly one of email, conversation_id, user_id', () => {
    expect(parseSelector({ email: ' a@b.test ' })).toEqual({ ok: true, value: { kind: 'email', email: 'a@b.test' } });
    expect(parseSelector({ conversation_id: '12' })).toEqual({ ok: true, value: { kind: 'conversation', id: 12 } });
    expect(parseSelector({ conversation_id: 12 })).toEqual({ ok: true, value: { kind: 'conversation', id: 12 } });
    expect(parseSelector({ user_id: 'u-1' })).toEqual({ ok: true, value: { kind: 'user', userId: 'u-1' } });
    for (const bad of [{}, { email: 'a@b.test', user_id: 'u' }, { email: '', conversation_id: null }]) {
      const r = parseSelector(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(Object.keys(r.error.fields ?? {}).sort()).toEqual(['conversation_id', 'email', 'user_id']);
    }
    for (const [input, field] of [
      [{ email: 'nope' }, 'email'],
      [{ conversation_id: 'x1' }, 'conversation_id'],
      [{ conversation_id: -3 }, 'conversation_id'],
      [{ conversation_id: 1.5 }, 'conversation_id'],
      [{ user_id: 7 }, 'user_id'],
      [{ user_id: 'u'.repeat(256) }, 'user_id'],
    ] as const) {
      const r = parseSelector(input);
      expect(r.ok ? undefined : Object.keys(r.error.fields ?? {})).toEqual([field]);
    }
  });
});

describe.each(ENGINES)('privacy API on %s', (engine) => {
  const harness = useHarness(engine);

  it('answers 401 without a session and 403 to an agent who is not an admin', async () => {
    const h = harness.h;
    expect((await h.request({ method: 'GET', url: `${EXPORT}?email=a@b.test` })).statusCode).toBe(401);
    const admin = (await h.loginAs()).headers;
    expect((await h.request({ method: 'POST', url: '/api/agent/agents', json: AGENT, headers: admin })).statusCode).toBe(201);
    const agent = (await h.loginAs(AGENT.email, AGENT.password)).headers;
    const exported = await h.request({ method: 'GET', url: `${EXPORT}?email=a@b.test`, headers: agent });
    expect(exported.statusCode).toBe(403);
    expect(exported.json()).toMatchObject({ error: { code: 'forbidden' } });
    const erased = await h.request({ method: 'POST', url: ERASE, json: { email: 'a@b.test' }, headers: agent });
    expect(erased.statusCode).toBe(403);
    expect(await h.parley.storage.db.selectFrom('privacy_audit').selectAll().execute()).toEqual([]);
  });

  it('refuses no selector or two with 422 naming the fields', async () => {
    const h = harness.h;
    const admin = (await h.loginAs()).headers;
    for (const res of [
      await h.request({ method: 'GET', url: EXPORT, headers: admin }),
      await h.request({ method: 'GET', url: `${EXPORT}?email=a@b.test&conversation_id=1`, headers: admin }),
      await h.request({ method: 'POST', url: ERASE, json: {}, headers: admin }),
      await h.request({ method: 'POST', url: ERASE, json: { email: 'a@b.test', user_id: 'x' }, headers: admin }),
    ]) {
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ error: { code: 'validation_failed', fields: { email: expect.any(String), conversation_id: expect.any(String), user_id: expect.any(String) } } });
    }
    const bad = await h.request({ method: 'GET', url: `${EXPORT}?conversation_id=abc`, headers: admin });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ error: { fields: { conversation_id: expect.any(String) } } });
  });

  it('answers an erase without the CSRF token 403', async () => {
    const h = harness.h;
    const { cookie } = await h.loginAs();
    const res = await h.request({ method: 'POST', url: ERASE, json: { email: 'a@b.test' }, headers: { cookie } });
    expect(res.statusCode).toBe(403);
  });

  it('never answers 5xx to hostile selectors', async () => {
    const h = harness.h;
    const admin = (await h.loginAs()).headers;
    // A fixed pseudo-random sequence: the same inputs on every run.
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    const values: unknown[] = ['', ' ', '%', "' or 1=1 --", 'a@b', '@', 'x'.repeat(5000), '😀@😀', '1e3', '0', '-1', '9007199254740993', 12, 1.5, null, true, [], {}, ['a@b.test'], { $ne: 1 }, '\u0000@a.b'];
    const fields = ['email', 'conversation_id', 'user_id', 'other'];
    for (let i = 0; i < 120; i += 1) {
      const body: Record<string, unknown> = {};
      for (let k = rand(3); k >= 0; k -= 1) body[fields[rand(fields.length)] as string] = values[rand(values.length)];
      const query = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
      const exported = await h.request({ method: 'GET', url: `${EXPORT}?${query}`, headers: admin });
      expect(exported.statusCode, `${query}: ${exported.body}`).toBeLessThan(500);
      const erased = await h.request({ method: 'POST', url: ERASE, json: i % 7 === 0 ? values[rand(values.length)] : body, headers: admin });
      expect(erased.statusCode, `${JSON.stringify(body)}: ${erased.body}`).toBeLessThan(500);
    }
  });
});
