import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` this reads. */
interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by where the code lives: a package, a file of Parley's, or a V8/Node category. */
  byPlace: [string, number][];
  /** Self time by function. */
  byFunction: [string, number][];
}

/** Where a frame's code lives: `kysely`, `dist/realtime/server/connection.js`, `node:net`, `(garbage collector)`. */
function place(url: string, functionName: string): string {
  if (!url) return functionName || '(native)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1] as string;
  const dist = /\/(dist\/.*)$/.exec(path);
  return dist ? (dist[1] as string) : path;
}

const top = (counts: Map<string, number>, n: number): [string, number][] => [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);

/** Sums self time per place and per function: enough to say where a window's CPU went. */
export function summariseProfile(file: string, n = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const places = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const us = profile.timeDeltas[i] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    total += us;
    const where = place(frame.url, frame.functionName);
    places.set(where, (places.get(where) ?? 0) + us);
    const fn = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  });
  const share = (entries: [string, number][]) => entries.map(([k, us]) => [k, (100 * us) / total] as [string, number]);
  return { totalMs: total / 1000, byPlace: share(top(places, n)), byFunction: share(top(functions, n)) };
}
