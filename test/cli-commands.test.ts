import { describe, expect, it } from 'vitest';
import { FINGERPRINT, json, login, post, printedCredentials, useCliSites } from './support/cli-sites.js';

/** The real CLI, compiled, as child processes on real ports. Every wait is bounded; nothing sleeps. */
const { newSite, start, run } = useCliSites();

describe('parley agent:create', () => {
  it('creates an agent that can log in over HTTP', async () => {
    const site = await newSite();
    const created = await run(site, 'agent:create', '--email', 'a@b.test', '--name', 'Ann', '--password', 'longpassword');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('a@b.test');
    expect(created.stdout).not.toContain('longpassword');
    await start(site);
    const res = await post(`${site.url}/api/agent/login`, { email: 'a@b.test', password: 'longpassword' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ agent: { email: 'a@b.test', name: 'Ann', role: 'agent' } });
  });

  it('prints a generated password when --password is left out', async () => {
    const site = await newSite();
    const created = await run(site, 'agent:create', '--email', 'gen@b.test', '--name', 'Gen');
    expect(created.code).toBe(0);
    const password = /password:\s+(\S+)/.exec(created.stdout)?.[1];
    expect(password?.length).toBeGreaterThanOrEqual(12);
    await start(site);
    await login(site, 'gen@b.test', password ?? '');
  });

  it('refuses a short password, a bad email and a taken email with exit code 1', async () => {
    const site = await newSite();
    const short = await run(site, 'agent:create', '--email', 'a@b.test', '--password', 'short');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('password');
    const badEmail = await run(site, 'agent:create', '--email', 'not-an-email', '--password', 'longpassword');
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr).toContain('email');
    expect((await run(site, 'agent:create', '--email', 'a@b.test', '--password', 'longpassword')).code).toBe(0);
    const taken = await run(site, 'agent:create', '--email', 'A@B.test', '--password', 'longpassword');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('already exists');
  });
});

describe('parley migrate', () => {
  it('applies the migrations once, then has nothing to migrate', async () => {
    const site = await newSite();
    const first = await run(site, 'migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Applied: 0001-initial');
    const second = await run(site, 'migrate');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Nothing to migrate.');
  });

  it('says nothing to migrate on a database that parley start created', async () => {
    const site = await newSite();
    const parley = await start(site);
    await parley.stop();
    const result = await run(site, 'migrate');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('Nothing to migrate.');
  });
});

describe('parley purge', () => {
  it('runs the retention policy and reports its counts', async () => {
    const site = await newSite({ CHAT_RETENTION_DAYS: '1' });
    const parley = await start(site);
    const admin = printedCredentials(parley.stdout);
    const started = await post(`${site.url}/api/chat/start`, { fingerprint: FINGERPRINT, message: 'Bye soon' });
    const { conversation } = await json<{ conversation: { id: number } }>(started);
    const agent = await login(site, admin?.email ?? '', admin?.password ?? '');
    expect((await fetch(`${site.url}/api/agent/conversations/${conversation.id}/close`, { method: 'POST', headers: agent })).status).toBe(200);
    expect(await parley.stop()).toMatchObject({ code: 0 });

    const result = await run(site, 'purge');
    expect(result.code).toBe(0);
    // Closed just now: younger than a day, so kept.
    expect(result.stdout).toMatch(/Purged 0 closed conversation\(s\), \d+ expired session\(s\), \d+ used or expired resume ticket\(s\), \d+ used or expired email link\(s\)\./);
  }, 30_000);
});
