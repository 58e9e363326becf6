/**
 * `npm run bench`: each realtime scenario against the floor (a bare `ws` fan-out server) and
 * Parley, interleaved over several rounds so machine noise hits both alike; then the full chat
 * path on SQLite (one repeat per round, on one server), polling vs WebSocket, and the full chat
 * path on PostgreSQL with one and two nodes. Prints a markdown table of medians and writes it,
 * with every raw figure, to bench/results/. Each server's children exit when this process does.
 *
 *   npm run bench                 3 rounds (5–6 minutes on a quiet 2-core machine)
 *   npm run bench:quick           1 round, shorter steps (2–3 minutes)
 *   npm run bench -- --rounds 5 --skip pg,polling
 *   npm run bench -- --only search   search over 1,000,000 messages on SQLite alone (names: realtime, path, polling, pg, search, upload)
 *   npm run bench -- --only upload   10 MB attachments uploaded and downloaded (docs/performance.md, "Attachments")
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LoadGenerators } from './lib/load.js';
import { benchPath, withTimeout } from './lib/proc.js';
import { markdownTable, verdict } from './lib/report.js';
import { startServer, type ServerKind } from './lib/servers.js';
import { startConversations } from './lib/chat-client.js';
import { CHAT_PATH, chatPathSqlite, chatPathTwoNodes } from './scenarios/chat-path.js';
import { pollingVsWebSocket } from './scenarios/polling.js';
import { searchRows, searchScenario, type SearchResult } from './scenarios/search.js';
import { uploadRows, uploadScenario, type UploadResult } from './scenarios/upload.js';
import { chat, fanout, idle } from './scenarios/realtime.js';
import { summaryRows, type RealtimeSet, type Results, type Round } from './summary.js';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    skip: { type: 'string', default: '' },
    only: { type: 'string', default: '' },
  },
});
const SCENARIOS = ['realtime', 'path', 'polling', 'pg', 'search', 'upload'];
const only = opts.only.split(',').filter(Boolean);
// --only runs the named scenarios: every other one is skipped (the full chat path is recorded in the realtime rounds, so it keeps them).
if (only.includes('path')) only.push('realtime');
const skip = new Set([...opts.skip.split(',').filter(Boolean), ...(only.length > 0 ? SCENARIOS.filter((name) => !only.includes(name)) : [])]);
const PLAN = opts.quick
  ? { rounds: 1, loadMs: 2000, stepMs: 1500, pathMs: 3000, pollMs: 6000 }
  : { rounds: 3, loadMs: 4000, stepMs: 2000, pathMs: 4000, pollMs: 10_000 };
if (opts.rounds) PLAN.rounds = Number(opts.rounds);

/** Whole-run ceiling: a stuck step fails the run instead of hanging it. */
const RUN_DEADLINE_MS = 15 * 60_000;
const root = benchPath('..');

/** Builds dist/ when a source file is newer than it, so the bench measures the code in src/. */
function ensureBuilt(): void {
  // dist/web is the widget and dashboard bundles, which `npm run build:widget` also writes: not the server.
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => !(dir.endsWith('dist') && e.name === 'web'))
      .reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  // tsc builds incrementally and rewrites only what changed: compare with the newest file in dist/.
  let built = 0;
  try {
    built = newest(join(root, 'dist'));
  } catch {
    built = 0;
  }
  if (built >= newest(join(root, 'src'))) return;
  console.log('dist/ is older than src/: npm run build');
  try {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], timeout: 5 * 60_000 });
  } catch (error) {
    // src/ mid-edit by someone else should not stop a bench of the last good build.
    if (!built) throw error;
    console.warn('  build failed: measuring the previous dist/');
  }
}

function machine() {
  const model = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { cpus: cpus().length, model, node: process.version, loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))) };
}

async function realtimeSet(kind: ServerKind, load: LoadGenerators): Promise<RealtimeSet> {
  const server = await startServer(kind);
  try {
    const t0 = performance.now();
    const idleResult = await idle(server, load);
    const t1 = performance.now();
    const chatResult = await chat(server, load, PLAN.loadMs);
    const t2 = performance.now();
    const fanoutResult = await fanout(server, load, PLAN.stepMs);
    const took = [t1 - t0, t2 - t1, performance.now() - t2].map((ms) => (ms / 1000).toFixed(0)).join('/');
    console.log(
      `  ${kind.padEnd(6)} idle ${(idleResult.bytesPerConnection / 1024).toFixed(2)} KB/conn | chat p50 ${chatResult.p50.toFixed(2)} p99 ${chatResult.p99.toFixed(1)} ms, ` +
        `${chatResult.cpuMicrosPerDelivery.toFixed(0)} µs/delivery | fan-out ref ${fanoutResult.reference.cpuMicrosPerDelivery.toFixed(1)} µs/delivery, max ${fanoutResult.maxSustainedDeliveriesPerSecond.toFixed(0)}/s (${took} s)`,
    );
    return { idle: idleResult, chat: chatResult, fanout: fanoutResult };
  } finally {
    await server.stop();
  }
}

/** Runs an optional scenario; a failure is recorded in the results rather than ending the run. */
async function attempt<T>(name: string, work: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.warn(`  ${name} failed: ${message}`);
    return { error: message };
  }
}

/**
 * The chat on SQLite: one server and one set of 1,000 open conversations (opening them is the
 * slow part) for the full-path repeats, one per round, then polling vs WebSocket.
 */
async function sqliteChat(load: LoadGenerators, results: Results): Promise<void> {
  const server = await startServer('parley');
  try {
    const visitors = await startConversations(server.base, CHAT_PATH.conversations);
    for (let i = 0; i < PLAN.rounds && !skip.has('path'); i++) {
      const path = await chatPathSqlite(server, visitors, load, PLAN.pathMs, PLAN.stepMs);
      (results.rounds[i] as Round).chatPath = path;
      console.log(`full chat path (SQLite) ${i + 1}/${PLAN.rounds}: p50 ${path.atTarget.p50.toFixed(2)} p99 ${path.atTarget.p99.toFixed(1)} ms, max ${path.maxRateUnderLimit} msg/s`);
    }
    if (!skip.has('polling')) {
      console.log('polling vs WebSocket');
      results.polling = await attempt('polling', () => pollingVsWebSocket(server, visitors, load, PLAN.pollMs));
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  // The search scenario runs src/ in this process: only the servers need dist/.
  if (SCENARIOS.some((name) => name !== 'search' && !skip.has(name))) ensureBuilt();
  const info = machine();
  console.log(`bench: ${PLAN.rounds} round(s) on ${info.cpus} × ${info.model}, node ${info.node}, load average ${info.loadAverageAtStart.join(' ')}`);
  const load = new LoadGenerators();
  const results: Results = { rounds: [] };
  let search: SearchResult | { error: string } | undefined;
  let upload: UploadResult | { error: string } | undefined;
  try {
    for (let i = 0; i < PLAN.rounds && !skip.has('realtime'); i++) {
      console.log(`round ${i + 1}/${PLAN.rounds}`);
      // Alternate who goes first, so a drift in machine load over a round favours neither.
      const order: ServerKind[] = i % 2 === 0 ? ['floor', 'parley'] : ['parley', 'floor'];
      const sets: Partial<Record<ServerKind, RealtimeSet>> = {};
      for (const kind of order) sets[kind] = await realtimeSet(kind, load);
      results.rounds.push({ floor: sets.floor as RealtimeSet, parley: sets.parley as RealtimeSet });
    }
    if (!skip.has('path') || !skip.has('polling')) await sqliteChat(load, results);
    if (!skip.has('pg')) {
      console.log('PostgreSQL, one node then two nodes over Redis');
      results.twoNodes = await attempt('two nodes', () => chatPathTwoNodes(load, PLAN.pathMs));
    }
    if (!skip.has('search')) {
      console.log('search: 1,000,000 messages on SQLite (building takes minutes)');
      search = await attempt('search', () => searchScenario());
    }
    if (!skip.has('upload')) {
      console.log('attachments: 10 MB files up and down');
      upload = await attempt('upload', () => uploadScenario());
    }
  } finally {
    await load.close();
  }
  const rows = [...(results.rounds.length > 0 ? summaryRows(results) : []), ...searchRows(search), ...uploadRows(upload)];
  const seconds = (Date.now() - started) / 1000;
  // Other work on the machine shows in the absolute figures far more than in the ratios: say how busy it was.
  const busy = `load average ${info.loadAverageAtStart.join(' ')} at start, ${loadavg().map((l) => l.toFixed(2)).join(' ')} at end`;
  const title = `Parley bench, ${new Date().toISOString()}: ${PLAN.rounds} round(s), medians; ${info.cpus} × ${info.model}, node ${info.node}; ${seconds.toFixed(0)} s; ${busy}`;
  const table = `${title}\n\n${markdownTable(rows)}\n`;
  const dir = benchPath('results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.md'), table);
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify({ machine: info, plan: PLAN, seconds, rows: rows.map((r) => ({ ...r, result: verdict(r) })), results }, null, 1)}\n`);
  console.log(`\n${table}`);
  console.log(`written: bench/results/latest.md, bench/results/latest.json`);
}

await withTimeout(main(), RUN_DEADLINE_MS, 'bench run').then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
