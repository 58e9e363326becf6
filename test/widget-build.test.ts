import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist/web/js');
const KB = 1024;

/** Gzipped here, not taken from sizes.json: the budget is about what browsers download. */
const gzipped = (name: string) => gzipSync(readFileSync(join(OUT, name)), { level: 9 }).length;

describe('widget build (scripts/build-widget.mjs)', () => {
  let output = '';
  beforeAll(() => {
    output = execFileSync(process.execPath, [join(ROOT, 'scripts/build-widget.mjs')], { cwd: ROOT, encoding: 'utf8' });
  }, 60_000);

  it('prints the three files with their gzipped sizes', () => {
    expect(output).toMatch(/live-chat\.js .* gzipped/);
    expect(output).toMatch(/live-chat-app\.js .* gzipped/);
    expect(output).toMatch(/live-chat-upload\.js .* gzipped/);
  });

  it('keeps the file code (loaded on the first attachment) within 10 KB gzipped, and the chat code asks for it by its content hash', () => {
    expect(gzipped('live-chat-upload.js')).toBeLessThanOrEqual(10 * KB);
    const upload = readFileSync(join(OUT, 'live-chat-upload.js'));
    const version = createHash('sha256').update(upload).digest('hex').slice(0, 12);
    expect(readFileSync(join(OUT, 'live-chat-app.js'), 'utf8')).toContain(`live-chat-upload.js?v=`);
    expect(readFileSync(join(OUT, 'live-chat-app.js'), 'utf8')).toContain(version);
  });

  it('keeps the loader within 5 KB gzipped', () => {
    expect(gzipped('live-chat.js')).toBeLessThanOrEqual(5 * KB);
  });

  it('keeps everything needed to chat, pusher-js included, within 40 KB gzipped', () => {
    const app = readFileSync(join(OUT, 'live-chat-app.js'), 'utf8');
    expect(app).toContain('Pusher');
    expect(gzipped('live-chat-app.js')).toBeLessThanOrEqual(40 * KB);
  });

  it('bundles pusher-js without its encryption add-on', () => {
    const app = readFileSync(join(OUT, 'live-chat-app.js'), 'utf8');
    // tweetnacl, which only pusher-js's `with-encryption` build carries, throws this when it has no RNG.
    expect(app).not.toContain('no PRNG');
  });

  it('writes sizes.json with the sizes of the files it wrote', () => {
    const sizes = JSON.parse(readFileSync(join(OUT, 'sizes.json'), 'utf8')) as Record<'loader' | 'app', { bytes: number; gzip: number }>;
    expect(sizes.loader.bytes).toBe(readFileSync(join(OUT, 'live-chat.js')).length);
    expect(sizes.app.bytes).toBe(readFileSync(join(OUT, 'live-chat-app.js')).length);
    expect(sizes.loader.gzip).toBeLessThanOrEqual(5 * KB);
    expect(sizes.app.gzip).toBeLessThanOrEqual(40 * KB);
  });

  it('makes the loader ask for the chat code by its content hash, so it can be cached for long', () => {
    const app = readFileSync(join(OUT, 'live-chat-app.js'));
    const version = createHash('sha256').update(app).digest('hex').slice(0, 12);
    expect(readFileSync(join(OUT, 'live-chat.js'), 'utf8')).toContain(version);
  });

  it('emits browser scripts, not modules (no import/export left)', () => {
    for (const name of ['live-chat.js', 'live-chat-app.js', 'live-chat-upload.js']) {
      const code = readFileSync(join(OUT, name), 'utf8');
      expect(code.startsWith('"use strict";(()=>{') || code.startsWith('(()=>{')).toBe(true);
      expect(code).not.toMatch(/^\s*(import|export)\s/m);
    }
  });
});
