#!/usr/bin/env node
// `npm run fuzz`: the property-based fuzz suites (test/fuzz/) with many more runs than CI and a
// random seed, printed first so a failure can be replayed: FUZZ_SEED=<seed> FUZZ_RUNS=<runs> npm run fuzz.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const seed = process.env.FUZZ_SEED ?? String(randomInt(1, 2 ** 31 - 1));
const runs = process.env.FUZZ_RUNS ?? '1000';
console.log(`fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} (replay a failure with the same two variables)`);

// `npm run fuzz -- test/fuzz/raw-http.test.ts` runs only the files named; vitest options pass through.
const args = process.argv.slice(2);
const files = args.some((arg) => !arg.startsWith('-')) ? [] : ['test/fuzz/'];
const result = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', ...files, '--hookTimeout=120000', ...args],
  { stdio: 'inherit', env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs } },
);
console.log(`fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} finished with exit status ${result.status}`);
process.exit(result.status ?? 1);
