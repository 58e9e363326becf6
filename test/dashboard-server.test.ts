import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../src/http/csp.js';
import { startHarness, type Harness } from './support/harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('serving the agent dashboard', () => {
  let h: Harness;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/stratus/app.js'))) {
      execFileSync(process.execPath, [join(ROOT, 'scripts/build-dashboard.mjs')], { cwd: ROOT });
    }
    h = await startHarness('sqlite');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it.each(['/stratus', '/stratus/login', '/stratus/agents', '/stratus/conversations/12'])('answers %s with the HTML shell, the CSP and no framing', async (url) => {
    const res = await h.request({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(contentSecurityPolicy(h.config.broadcast));
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; connect-src 'self' ws://localhost:8080 wss://localhost:8080; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'",
    );
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).toContain('<script src="/stratus/app.js"');
  });

  it('serves the bundle and its styles', async () => {
    const js = await h.request({ method: 'GET', url: '/stratus/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toContain('Agent received message:');
    const css = await h.request({ method: 'GET', url: '/stratus/app.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });
});
