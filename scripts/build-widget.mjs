// Builds the customer widget (web/widget) into dist/web/js: the loader `live-chat.js`, the chat
// code `live-chat-app.js` and its file code `live-chat-upload.js` (loaded on the first attachment),
// minified IIFEs for browsers. Prints their gzipped sizes, checks the
// budgets and writes dist/web/js/sizes.json. Run by `npm run build`.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/web/js');

/** Gzipped budgets, in bytes: the loader on every page, the chat code when it opens, the file code on the first attachment. */
export const BUDGETS = { loader: 5 * 1024, app: 40 * 1024, upload: 10 * 1024 };

const common = {
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2019',
  legalComments: 'eof',
  charset: 'utf8',
  write: false,
  logLevel: 'warning',
};

const bundle = async (entry, define = {}) => {
  const result = await build({ ...common, entryPoints: [join(root, entry)], define });
  return Buffer.from(result.outputFiles[0].contents);
};

/** Writes through a temporary file, so a server reading the file never sees half of it. */
const write = (name, contents) => {
  const file = join(out, name);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
};

const hash = (code) => createHash('sha256').update(code).digest('hex').slice(0, 12);
const upload = await bundle('web/widget/app/upload/main.ts');
const app = await bundle('web/widget/app/main.ts', { __UPLOAD_VERSION__: JSON.stringify(hash(upload)) });
const version = createHash('sha256').update(app).digest('hex').slice(0, 12);
const loader = await bundle('web/widget/loader.ts', { __APP_VERSION__: JSON.stringify(version) });

mkdirSync(out, { recursive: true });
const sizes = {};
for (const [key, name, code] of [
  ['loader', 'live-chat.js', loader],
  ['app', 'live-chat-app.js', app],
  ['upload', 'live-chat-upload.js', upload],
]) {
  const gzip = gzipSync(code, { level: 9 });
  write(name, code);
  write(`${name}.gz`, gzip);
  sizes[key] = { bytes: code.length, gzip: gzip.length };
}
write('sizes.json', JSON.stringify({ ...sizes, version }, null, 2) + '\n');

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let over = false;
for (const [key, name] of [
  ['loader', 'live-chat.js'],
  ['app', 'live-chat-app.js'],
  ['upload', 'live-chat-upload.js'],
]) {
  const { bytes, gzip } = sizes[key];
  const fits = gzip <= BUDGETS[key];
  over ||= !fits;
  console.log(`widget: dist/web/js/${name.padEnd(20)} ${kb(bytes).padStart(8)}  ${kb(gzip).padStart(8)} gzipped  (budget ${kb(BUDGETS[key])}${fits ? '' : ', OVER'})`);
}
if (over) {
  console.error('widget: over the size budget');
  process.exit(1);
}
