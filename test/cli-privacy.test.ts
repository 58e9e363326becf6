import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINGERPRINT, json, post, useCliSites } from './support/cli-sites.js';

/** `parley visitor:export` and `visitor:erase` (docs/privacy.md): the real CLI, compiled, as child processes. */
const { newSite, start, run } = useCliSites();

describe('parley visitor:export and visitor:erase', () => {
  it('exports a visitor as JSON, then erases them with --yes and prints the counts', async () => {
    const site = await newSite();
    const parley = await start(site);
    const started = await post(`${site.url}/api/chat/start`, { fingerprint: FINGERPRINT, email: 'Mia@Example.test', name: 'Mia', message: 'Where is my order?' });
    expect(started.status).toBe(201);
    const { conversation } = await json<{ conversation: { id: number } }>(started);
    expect(await parley.stop()).toMatchObject({ code: 0 });

    const exported = await run(site, 'visitor:export', '--email', 'mia@example.TEST');
    expect(exported.code, exported.stderr).toBe(0);
    const data = JSON.parse(exported.stdout) as { tables: { conversations: { id: number; visitor_email: string }[]; messages: { body: string }[] } };
    expect(data.tables.conversations).toEqual([expect.objectContaining({ id: conversation.id, visitor_email: 'Mia@Example.test' })]);
    expect(data.tables.messages.map((m) => m.body)).toContain('Where is my order?');

    const out = join(site.cwd, 'mia.json');
    expect((await run(site, 'visitor:export', '--conversation', String(conversation.id), '--out', out)).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ format: 'parley-visitor-export', tables: { conversations: [{ id: conversation.id }] } });
    expect(statSync(out).mode & 0o077).toBe(0);

    const unconfirmed = await run(site, 'visitor:erase', '--email', 'mia@example.test');
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('--yes');

    const erased = await run(site, 'visitor:erase', '--email', 'mia@example.test', '--yes');
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toContain('Erased 1 conversation(s), 1 message(s), 0 file(s).');
    const after = await run(site, 'visitor:export', '--email', 'mia@example.test');
    expect(JSON.parse(after.stdout)).toMatchObject({ tables: { conversations: [], messages: [] } });
  }, 60_000);

  it('refuses no selector, two selectors and a malformed one with exit code 1', async () => {
    const site = await newSite();
    const none = await run(site, 'visitor:export');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('exactly one of --email, --conversation, --user');
    const two = await run(site, 'visitor:erase', '--email', 'a@b.test', '--conversation', '3', '--yes');
    expect(two.code).toBe(1);
    expect(two.stderr).toContain('exactly one');
    const bad = await run(site, 'visitor:export', '--conversation', 'abc');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--conversation');
  }, 30_000);

  it('purge also reports the IPs it reduced', async () => {
    const site = await newSite();
    const result = await run(site, 'purge');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Reduced the IP address of \d+ conversation\(s\) past the resume window\./);
  }, 30_000);
});
