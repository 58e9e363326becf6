/**
 * Search on SQLite (docs/performance.md, "Search"): 1,000,000 messages in 5,000 conversations,
 * written in one transaction through the real schema (the FTS5 triggers index them as they would
 * in service), then typical queries timed through the same `SearchService` the endpoint calls.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { SearchService } from '../../src/chat/search.js';
import { migrate, openStorage } from '../../src/storage/database.js';
import { SearchIndex } from '../../src/storage/search-index.js';
import { atMost, type Row } from '../lib/report.js';

export const SEARCH = { messages: 1_000_000, conversations: 5_000, runs: 200, pageSize: 20 };

export interface SearchQueryResult {
  name: string;
  q: string;
  /** How many messages and visitors match every word (the work a query has to rank). */
  matching: number;
  p50: number;
  p95: number;
  max: number;
  /** CPU time of this process per query (user + system): what a busy machine's queueing leaves out. */
  cpuP50: number;
  cpuP95: number;
}

export interface SearchResult {
  buildSeconds: number;
  databaseMegabytes: number;
  queries: SearchQueryResult[];
}

// Function and support words first (the most frequent), then made-up words for the long tail.
const HEAD = ('the i to you a and is my it of for in on not have with can this order that be was are please ' +
  'do but at we your me no an will so if just get from what how there when help account need would thanks ' +
  'payment refund delivery invoice password email shipping price card address login subscription error code ' +
  'cancel problem package week today still yet again time support question update app website page').split(' ');
const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tu', 'sa', 'vel', 'dor', 'pi', 'gan', 'mo', 'ter', 'quo', 'lin', 'bre', 'zu'];
const VOCABULARY_SIZE = 20_000;

/** A seeded generator, so every run builds the same data. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function vocabulary(): string[] {
  const words = [...HEAD];
  for (let i = 0; words.length < VOCABULARY_SIZE; i++) {
    let n = i;
    let word = '';
    do {
      word += SYLLABLES[n % SYLLABLES.length];
      n = Math.floor(n / SYLLABLES.length);
    } while (n > 0);
    words.push(`${word}x`);
  }
  return words;
}

/** Zipf (s = 1.07) over the vocabulary: word k is drawn with probability ∝ 1/k^s, as in natural text. */
function zipfSampler(size: number, random: () => number): () => number {
  const cumulative = new Float64Array(size);
  let sum = 0;
  for (let k = 0; k < size; k++) cumulative[k] = sum += 1 / Math.pow(k + 1, 1.07);
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Writes the conversations and messages into a migrated database file. */
export function buildSearchData(file: string): void {
  const random = mulberry32(13);
  const words = vocabulary();
  const pick = zipfSampler(words.length, random);
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const started = Date.now() - 400 * 86_400_000;
  const conversation = db.prepare(
    `insert into conversations (status, client_ip, user_agent, visitor_token_hash, visitor_name, visitor_email, last_seq, created_at, last_activity_at, closed_at)
     values ('closed', '203.0.113.1', 'bench', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const message = db.prepare('insert into messages (conversation_id, seq, sender, body, created_at) values (?, ?, ?, ?, ?)');
  const perConversation = SEARCH.messages / SEARCH.conversations;
  db.transaction(() => {
    for (let c = 1; c <= SEARCH.conversations; c++) {
      const at = started + c * 6_000_000;
      conversation.run(`hash${c}`, `Visitor ${c}`, `visitor${c}@example.com`, perConversation, at, at + perConversation * 30_000, at + perConversation * 30_000);
      for (let seq = 1; seq <= perConversation; seq++) {
        const length = 3 + Math.floor(random() * 22);
        const body = Array.from({ length }, () => words[pick()]).join(' ');
        message.run(c, seq, seq % 2 ? 'visitor' : 'agent', body, at + seq * 30_000);
      }
    }
  })();
  db.close();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Builds the data (about a minute), then times each query `SEARCH.runs` times, first pages. */
export async function searchScenario(): Promise<SearchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-search-'));
  const file = join(dir, 'search.sqlite');
  const storage = openStorage({ kind: 'sqlite', file });
  try {
    await migrate(storage);
    const t0 = performance.now();
    buildSearchData(file);
    const buildSeconds = (performance.now() - t0) / 1000;
    const service = new SearchService(SearchIndex.for(storage.db, storage.engine));
    const raw = new SQLite(file, { readonly: true });
    const count = (q: string) =>
      ['messages_fts', 'conversations_fts'].reduce((n, table) => n + (raw.prepare(`select count(*) as n from ${table} where ${table} match ?`).get(q) as { n: number }).n, 0);
    const words = vocabulary();
    const plan = [
      { name: 'one common word', q: 'refund', match: '"refund"' },
      { name: 'two words', q: 'payment error', match: '"payment" "error"' },
      { name: 'a rare word', q: words[15_000] as string, match: `"${words[15_000]}"` },
      { name: 'a visitor email', q: 'visitor4321@example.com', match: '"visitor4321@example.com"' },
      { name: 'a very common word (no target)', q: 'order', match: '"order"' },
    ];
    const queries: SearchQueryResult[] = [];
    for (const { name, q, match } of plan) {
      for (let i = 0; i < 5; i++) await service.search(q, undefined, SEARCH.pageSize);
      const times: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < SEARCH.runs; i++) {
        const t = performance.now();
        const c = process.cpuUsage();
        const page = await service.search(q, undefined, SEARCH.pageSize);
        const used = process.cpuUsage(c);
        times.push(performance.now() - t);
        cpu.push((used.user + used.system) / 1000);
        if (!page.ok || page.value.results.length === 0) throw new Error(`search for ${q} found nothing`);
      }
      times.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      queries.push({ name, q, matching: count(match), p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1) as number, cpuP50: percentile(cpu, 50), cpuP95: percentile(cpu, 95) });
    }
    raw.close();
    return { buildSeconds, databaseMegabytes: statSync(file).size / 1_048_576, queries };
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table's rows: p50 and p95 of each query, p95 held to 50 ms except the stress row. */
export function searchRows(result: SearchResult | { error: string } | undefined): Row[] {
  if (!result) return [];
  const scenario = 'search, SQLite, 1,000,000 messages';
  if ('error' in result) return [{ scenario, metric: 'queries', parley: Number.NaN, note: `failed: ${result.error}` }];
  return result.queries.flatMap((r) => [
    { scenario, metric: `${r.name} "${r.q}": p50 (ms)`, parley: r.p50, note: `${r.matching.toLocaleString('en')} matching messages and visitors` },
    {
      scenario,
      metric: `${r.name} "${r.q}": p95 (ms)`,
      parley: r.p95,
      ...(r.name.includes('no target') ? {} : { target: atMost(50, '≤ 50 ms', 'value') }),
      note: `max ${r.max.toFixed(1)} ms; built in ${result.buildSeconds.toFixed(0)} s, ${result.databaseMegabytes.toFixed(0)} MB`,
    },
    { scenario, metric: `${r.name} "${r.q}": CPU time p50 / p95 (ms)`, parley: r.cpuP50, note: `p95 ${r.cpuP95.toFixed(1)} ms (wall time less waiting for a core)` },
  ]);
}
