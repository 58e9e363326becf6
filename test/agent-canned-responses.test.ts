import { describe, expect, it } from 'vitest';
import type { CannedResponseDto } from '../src/chat/canned-responses.js';
import type { Engine } from '../src/storage/engine.js';
import { AGENT, expectFailure, useAgentApi, type Session } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';

// Canned responses over HTTP (docs/api.md, "Canned responses"): shared ones that admins manage and
// every agent uses, personal ones that only their owner sees, shortcuts unique per owner.

const URL = '/api/agent/canned-responses';
const OTHER = { email: 'kim@example.test', name: 'Kim Agent', password: 'kim password 123' };

describe.each(ENGINES)('canned responses on %s', (engine: Engine) => {
  const api = useAgentApi(engine);

  const list = async (session: Session = api.admin): Promise<CannedResponseDto[]> => {
    const res = await api.get(URL, session);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ canned_responses: CannedResponseDto[] }>().canned_responses;
  };
  const create = async (input: { shortcut: string; body: string; shared?: boolean }, session: Session = api.admin): Promise<CannedResponseDto> => {
    const res = await api.post(URL, input, session);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ canned_response: CannedResponseDto }>().canned_response;
  };
  const remove = (id: number | string, session: Session = api.admin) => api.h.request({ method: 'DELETE', url: `${URL}/${id}`, headers: session.headers });
  const agentSession = async (who = AGENT): Promise<Session> => {
    await api.createAgent(who);
    return api.h.loginAs(who.email, who.password);
  };

  it('creates a personal answer by default and lists it with id, shortcut, body, shared and updated_at', async () => {
    const made = await create({ shortcut: 'hello', body: 'Hi {{visitor.name}}, how can I help?' });
    expect(made).toEqual({ id: expect.any(Number), shortcut: 'hello', body: 'Hi {{visitor.name}}, how can I help?', shared: false, updated_at: new Date(api.h.clock.now()).toISOString() });
    expect(await list()).toEqual([made]);
  });

  it('lists the shared answers and the caller’s own, never another agent’s personal ones', async () => {
    const sam = await agentSession();
    const kim = await agentSession(OTHER);
    const shared = await create({ shortcut: 'refund', body: 'Refunds take 5 days.', shared: true });
    const samsOwn = await create({ shortcut: 'bye', body: 'Bye from Sam' }, sam);
    const kimsOwn = await create({ shortcut: 'bye', body: 'Bye from Kim' }, kim);
    expect(await list(sam)).toEqual([samsOwn, shared]);
    expect(await list(kim)).toEqual([kimsOwn, shared]);
    expect(await list()).toEqual([shared]);
  });

  it('keeps a shortcut unique per owner (in lower case), naming shortcut in a 422, while a personal one may repeat a shared one', async () => {
    await create({ shortcut: 'Refund', body: 'Shared refund', shared: true });
    expectFailure(await api.post(URL, { shortcut: 'refund', body: 'Again', shared: true }), 422, 'validation_failed', 'shortcut');
    const personal = await create({ shortcut: 'REFUND', body: 'My refund' });
    expect(personal.shortcut).toBe('refund');
    expectFailure(await api.post(URL, { shortcut: 'refund', body: 'Mine again' }), 422, 'validation_failed', 'shortcut');
    const other = await create({ shortcut: 'other', body: 'x' });
    expectFailure(await api.patch(`${URL}/${other.id}`, { shortcut: 'refund' }), 422, 'validation_failed', 'shortcut');
  });

  it('validates shortcut (1–32 letters, digits, - or _) and body (1–5000 characters), naming each field', async () => {
    for (const shortcut of ['', 'has space', 'a'.repeat(33), '/slash', 'émoji', 7]) {
      expectFailure(await api.post(URL, { shortcut, body: 'ok' }), 422, 'validation_failed', 'shortcut');
    }
    for (const body of ['', '   ', 'x'.repeat(5001), null]) {
      expectFailure(await api.post(URL, { shortcut: 'ok', body }), 422, 'validation_failed', 'body');
    }
    expectFailure(await api.post(URL, {}), 422, 'validation_failed', 'shortcut', 'body');
    expectFailure(await api.post(URL, { shortcut: 'ok', body: 'ok', shared: 'yes' }), 422, 'validation_failed', 'shared');
    expectFailure(await api.post(URL, { shortcut: 'ok', body: 'ok', owner_id: 3 }), 422, 'validation_failed');
    expect(await create({ shortcut: 'A-b_9'.padEnd(32, 'z'), body: 'y'.repeat(5000) })).toMatchObject({ shortcut: 'a-b_9'.padEnd(32, 'z') });
    expect(await list()).toHaveLength(1);
  });

  it('lets an agent create, edit and delete their own answers, but not create, edit or delete shared ones (403)', async () => {
    const sam = await agentSession();
    expectFailure(await api.post(URL, { shortcut: 'x', body: 'y', shared: true }, sam), 403, 'forbidden');
    const own = await create({ shortcut: 'mine', body: 'Mine' }, sam);
    api.h.clock.advance(60_000);
    const edited = await api.patch(`${URL}/${own.id}`, { body: 'Mine, edited', shortcut: 'mine2' }, sam);
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json<{ canned_response: CannedResponseDto }>().canned_response).toEqual({ ...own, shortcut: 'mine2', body: 'Mine, edited', updated_at: new Date(api.h.clock.now()).toISOString() });
    expectFailure(await api.patch(`${URL}/${own.id}`, { shared: true }, sam), 403, 'forbidden');

    const shared = await create({ shortcut: 'team', body: 'Team answer', shared: true });
    expectFailure(await api.patch(`${URL}/${shared.id}`, { body: 'Hijacked' }, sam), 403, 'forbidden');
    expectFailure(await remove(shared.id, sam), 403, 'forbidden');
    expect((await remove(own.id, sam)).statusCode).toBe(204);
    expect(await list(sam)).toEqual([shared]);
  });

  it('answers 404 to anyone, admins included, who edits or deletes another agent’s personal answer or one that does not exist', async () => {
    const sam = await agentSession();
    const kim = await agentSession(OTHER);
    const samsOwn = await create({ shortcut: 'secret', body: 'Sam only' }, sam);
    for (const session of [kim, api.admin]) {
      expectFailure(await api.patch(`${URL}/${samsOwn.id}`, { body: 'changed' }, session), 404, 'not_found');
      expectFailure(await remove(samsOwn.id, session), 404, 'not_found');
    }
    expectFailure(await api.patch(`${URL}/999999`, { body: 'x' }), 404, 'not_found');
    expectFailure(await remove('abc'), 404, 'not_found');
    expectFailure(await remove(samsOwn.id + 1000), 404, 'not_found');
    expect(await list(sam)).toEqual([samsOwn]);
  });

  it('lets admins edit, unshare and delete shared answers; an unshared answer becomes the admin’s own', async () => {
    const sam = await agentSession();
    const shared = await create({ shortcut: 'hours', body: 'We are open 9–5.', shared: true });
    const res = await api.patch(`${URL}/${shared.id}`, { body: 'We are open 8–6.' });
    expect(res.json<{ canned_response: CannedResponseDto }>().canned_response).toMatchObject({ body: 'We are open 8–6.', shared: true });
    expect((await list(sam)).map((c) => c.body)).toEqual(['We are open 8–6.']);

    const unshared = await api.patch(`${URL}/${shared.id}`, { shared: false });
    expect(unshared.json<{ canned_response: CannedResponseDto }>().canned_response).toMatchObject({ shared: false });
    expect(await list(sam)).toEqual([]);
    expect((await api.patch(`${URL}/${shared.id}`, { shared: true })).statusCode).toBe(200);
    expect((await remove(shared.id)).statusCode).toBe(204);
    expect(await list(sam)).toEqual([]);
  });

  it('needs a session (401) and, to change anything, the CSRF token (403 csrf_mismatch)', async () => {
    expectFailure(await api.get(URL, null), 401, 'unauthenticated');
    expectFailure(await api.post(URL, { shortcut: 'a', body: 'b' }, null), 401, 'unauthenticated');
    const noCsrf = { ...api.admin, headers: { cookie: api.admin.cookie } };
    expectFailure(await api.post(URL, { shortcut: 'a', body: 'b' }, noCsrf), 403, 'csrf_mismatch');
    const made = await create({ shortcut: 'a', body: 'b' });
    expectFailure(await api.patch(`${URL}/${made.id}`, { body: 'c' }, noCsrf), 403, 'csrf_mismatch');
    expectFailure(await remove(made.id, noCsrf), 403, 'csrf_mismatch');
    expect(await list()).toEqual([made]);
  });
});
