import { describe, expect, it } from 'vitest';
import type { VisitorExport } from '../src/chat/privacy.js';
import { countRows } from './support/attachments.js';
import { ENGINES } from './support/engines.js';
import { useHarness } from './support/harness.js';
import { richVisitor, rowsContaining } from './support/privacy.js';

/** Export and erasure of one visitor's data (docs/privacy.md), through the admin API, on both engines. */

const JANE = { email: 'Jane.Doe@Example.test', name: 'Jane Quartermaine', ip: '198.51.100.77' };
const OTTO = { email: 'otto@example.test', name: 'Otto Bystander', ip: '192.0.2.44' };

describe.each(ENGINES)('visitor export and erasure on %s', (engine) => {
  const harness = useHarness(engine, { CHAT_RATE_LIMIT_UPLOAD: '10000/1m' });

  it('exports every row and file about the visitor, found by email in any case', async () => {
    const h = harness.h;
    const admin = (await h.loginAs()).headers;
    const jane = await richVisitor(h, JANE, admin);
    await richVisitor(h, OTTO, admin);

    const res = await h.request({ method: 'GET', url: `/api/agent/visitors/export?email=${encodeURIComponent('JANE.doe@example.TEST')}`, headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[^"]+\.json"$/);
    const data = res.json<VisitorExport>();
    const t = data.tables;
    expect(t.conversations).toHaveLength(1);
    expect(t.conversations?.[0]).toMatchObject({ id: jane.id, visitor_email: JANE.email, visitor_name: JANE.name, client_ip: JANE.ip, client_fingerprint: jane.fingerprintHash });
    expect(t.conversations?.[0]).not.toHaveProperty('visitor_token_hash');
    expect(t.messages?.map((m) => m.body)).toEqual(expect.arrayContaining([`Hello, I am ${JANE.name}`, 'my receipt']));
    expect(t.notes?.[0]).toMatchObject({ body: `${JANE.name} called about ${JANE.email}` });
    expect(t.ratings?.[0]).toMatchObject({ score: 4, comment: `thanks from ${JANE.name}` });
    expect(t.labels).toEqual([{ conversation_id: jane.id, name: 'vip' }]);
    expect(t.email_queue?.map((e) => e.subject)).toContain(`Your chat, ${JANE.name}`);
    expect(t.email_suppressions).toEqual([expect.objectContaining({ email: JANE.email.toLowerCase() })]);
    expect(t.visitor_tokens?.length).toBeGreaterThan(0);
    expect(t.webhook_deliveries?.[0]?.payload).toContain(JANE.email);
    expect(JSON.stringify(data)).not.toContain(OTTO.email);
    expect(data.files).toHaveLength(1);
    const bytes = Buffer.from(data.files[0]?.data_base64 ?? '', 'base64');
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.length).toBe(t.attachments?.[0]?.size);

    const audit = await h.parley.storage.db.selectFrom('privacy_audit').selectAll().execute();
    expect(audit).toEqual([expect.objectContaining({ action: 'export', selector_kind: 'email', conversations: 1, files: 1 })]);
  });

  it('erases everything: no row keeps the email, name, IP or fingerprint; files are deleted; the audit row holds none of them', async () => {
    const h = harness.h;
    const { storage } = h.parley;
    const admin = (await h.loginAs()).headers;
    const jane = await richVisitor(h, JANE, admin);
    const otto = await richVisitor(h, OTTO, admin);
    const needles = [JANE.email, JANE.name, JANE.ip, jane.fingerprintHash];
    expect((await rowsContaining(storage, needles)).length).toBeGreaterThan(5);
    const before = await countRows(h);

    const res = await h.request({ method: 'POST', url: '/api/agent/visitors/erase', json: { email: JANE.email.toLowerCase() }, headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ erased: { conversations: 1, messages: 2, files: 1 } });

    expect(await rowsContaining(storage, needles)).toEqual([]);
    const after = await countRows(h);
    expect(after.blobs).toBe(before.blobs - 1);
    expect(after.attachments).toBe(before.attachments - 1);
    // The other visitor keeps everything.
    expect(await rowsContaining(storage, [OTTO.email, OTTO.ip, otto.fingerprintHash])).not.toEqual([]);
    expect(await storage.db.selectFrom('conversations').select('id').execute()).toEqual([{ id: otto.id }]);

    const audit = await storage.db.selectFrom('privacy_audit').selectAll().execute();
    expect(audit).toEqual([expect.objectContaining({ action: 'erase', selector_kind: 'email', conversations: 1, messages: 2, files: 1, actor: expect.stringMatching(/^agent:\d+$/) })]);
    // The old visitor token opens nothing any more.
    const status = await h.request({ method: 'GET', url: `/api/chat/${jane.id}`, headers: { authorization: `Bearer ${jane.token}` } });
    expect(status.statusCode).toBe(404);
  });

  it('exports and erases by verified user id', async () => {
    const h = harness.h;
    const admin = (await h.loginAs()).headers;
    const jane = await richVisitor(h, JANE, admin);
    const otto = await richVisitor(h, OTTO, admin);
    const url = `/api/agent/visitors/export?user_id=${encodeURIComponent(`user-${JANE.name}`)}`;
    const exported = (await h.request({ method: 'GET', url, headers: admin })).json<VisitorExport>();
    expect(exported.tables.conversations?.map((c) => c.id)).toEqual([jane.id]);
    const res = await h.request({ method: 'POST', url: '/api/agent/visitors/erase', json: { user_id: `user-${JANE.name}` }, headers: admin });
    expect(res.json()).toEqual({ erased: { conversations: 1, messages: 2, files: 1 } });
    expect(await rowsContaining(h.parley.storage, [JANE.email, JANE.ip, jane.fingerprintHash, `user-${JANE.name}`])).toEqual([]);
    expect(await h.parley.storage.db.selectFrom('conversations').select('id').execute()).toEqual([{ id: otto.id }]);
  });

  it('erases by conversation id, and a second erasure finds nothing', async () => {
    const h = harness.h;
    const admin = (await h.loginAs()).headers;
    const jane = await richVisitor(h, JANE, admin);
    const first = await h.request({ method: 'POST', url: '/api/agent/visitors/erase', json: { conversation_id: jane.id }, headers: admin });
    expect(first.json()).toEqual({ erased: { conversations: 1, messages: 2, files: 1 } });
    expect(await rowsContaining(h.parley.storage, [JANE.ip, jane.fingerprintHash, JANE.name])).toEqual([]);
    const again = await h.request({ method: 'POST', url: '/api/agent/visitors/erase', json: { conversation_id: String(jane.id) }, headers: admin });
    expect(again.json()).toEqual({ erased: { conversations: 0, messages: 0, files: 0 } });
  });
});
