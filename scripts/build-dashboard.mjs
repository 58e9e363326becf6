// Builds the agent dashboard (web/dashboard, Preact) into dist/web/stratus: `app.js` and `app.css`.
// Run by `npm run build`; served under /stratus by src/http/routes/dashboard-routes.ts.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/web/stratus');
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: { app: join(root, 'web/dashboard/main.tsx') },
  outdir: out,
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2019',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'eof',
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  console.log(`dashboard: ${file.padEnd(30)} ${(info.bytes / 1024).toFixed(1).padStart(7)} KB`);
}
