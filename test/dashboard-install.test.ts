import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../src/http/csp.js';
import { startHarness, type Harness } from './support/harness.js';

/** docs/dashboard.md, "Install as an app": the manifest and icons that make /stratus installable. */

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk, which always comes first. */
function pngSize(body: Buffer): string {
  expect(body.subarray(0, 8).equals(PNG_SIGNATURE), 'a PNG signature').toBe(true);
  expect(body.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return `${body.readUInt32BE(16)}x${body.readUInt32BE(20)}`;
}

describe('installing the agent dashboard as an app', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('sqlite');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  async function manifest(): Promise<Record<string, unknown> & { icons: ManifestIcon[] }> {
    const res = await h.request({ method: 'GET', url: '/stratus/manifest.webmanifest' });
    expect(res.statusCode).toBe(200);
    return JSON.parse(res.body) as Record<string, unknown> & { icons: ManifestIcon[] };
  }

  it('serves the manifest as application/manifest+json, revalidated on every use', async () => {
    const res = await h.request({ method: 'GET', url: '/stratus/manifest.webmanifest' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/manifest+json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('names the app Parley and keeps it to /stratus/, standalone, with its colours', async () => {
    const m = await manifest();
    expect(m).toMatchObject({
      name: 'Parley',
      short_name: 'Parley',
      start_url: '/stratus/',
      scope: '/stratus/',
      display: 'standalone',
      theme_color: expect.stringMatching(/^#[0-9a-f]{6}$/i),
      background_color: expect.stringMatching(/^#[0-9a-f]{6}$/i),
    });
  });

  it('lists 192 and 512 px icons and a maskable one, each a PNG of the size it claims', async () => {
    const { icons } = await manifest();
    expect(icons.filter((i) => (i.purpose ?? 'any').split(' ').includes('any')).map((i) => i.sizes).sort()).toEqual(['192x192', '512x512']);
    expect(icons.some((i) => i.purpose?.split(' ').includes('maskable'))).toBe(true);
    for (const icon of icons) {
      const res = await h.request({ method: 'GET', url: icon.src });
      expect(res.statusCode, icon.src).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(icon.type).toBe('image/png');
      expect(res.headers['cache-control']).toBe('public, max-age=86400');
      expect(pngSize(res.rawPayload), icon.src).toBe(icon.sizes);
    }
  });

  it('links the manifest, an apple-touch-icon of 180 px and a theme colour from the page', async () => {
    const page = await h.request({ method: 'GET', url: '/stratus' });
    expect(page.body).toContain('<link rel="manifest" href="/stratus/manifest.webmanifest" />');
    expect(page.body).toMatch(/<meta name="theme-color" content="#[0-9a-f]{6}" \/>/i);
    expect(page.body).toContain('viewport-fit=cover');
    const touch = /<link rel="apple-touch-icon" href="([^"]+)"/.exec(page.body)?.[1];
    expect(touch).toBe('/stratus/icons/apple-touch-icon.png');
    const icon = await h.request({ method: 'GET', url: touch ?? '' });
    expect(icon.headers['content-type']).toBe('image/png');
    expect(pngSize(icon.rawPayload)).toBe('180x180');
  });

  it("lets the page load its manifest and icons under its Content-Security-Policy (default-src 'self', no narrower manifest-src)", () => {
    const csp = contentSecurityPolicy(h.config.broadcast).split('; ');
    expect(csp).toContain("default-src 'self'");
    expect(csp.filter((d) => d.startsWith('manifest-src'))).toEqual([]);
    expect(csp).toContain("img-src 'self' data:");
  });

  it('answers other names under /stratus/icons/ with the page, never a file from elsewhere', async () => {
    for (const url of ['/stratus/icons/icon-64.png', '/stratus/icons/__proto__', '/stratus/install/icon-192.png']) {
      const res = await h.request({ method: 'GET', url });
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
    }
    const escape = await h.request({ method: 'GET', url: '/stratus/icons/../../package.json' });
    expect(escape.body).not.toContain('"devDependencies"');
  });
});
