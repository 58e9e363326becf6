#!/usr/bin/env node
// The `parley` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('parley: dist/cli.js is missing; run `npm run build` first.');
  process.exit(1);
}
await import(cli);
