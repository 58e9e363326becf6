/**
 * Hosts one server under test, the floor or Parley, in a process started with --expose-gc, and
 * answers `stats` over IPC from inside it: RSS after a full GC and CPU time (process.cpuUsage,
 * every thread). Both servers are measured the same way, by the same code.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { serveRpc } from '../lib/proc.js';

export interface ServerStats {
  rss: number;
  heapUsed: number;
  cpuMicros: number;
  atMs: number;
}

const collect = globalThis.gc;
/** A V8 CPU profile of just a measured window (bench/profile.ts), not of start-up. */
let profiler: Session | undefined;

serveRpc({
  stats: ({ gc }: { gc: boolean }): ServerStats => {
    if (gc && collect) {
      // Twice: the first pass can leave weak references and finalisers for the second.
      collect();
      collect();
    }
    const cpu = process.cpuUsage();
    return { rss: process.memoryUsage.rss(), heapUsed: process.memoryUsage().heapUsed, cpuMicros: cpu.user + cpu.system, atMs: performance.now() };
  },
  profileStart: async () => {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
    await profiler.post('Profiler.start');
    return true;
  },
  profileStop: async ({ file }: { file: string }) => {
    if (!profiler) throw new Error('no profile running');
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = undefined;
    writeFileSync(file, JSON.stringify(profile));
    return file;
  },
});

const kind = process.argv[2];
if (kind === 'parley') {
  // Exactly what `node bin/parley.js start` runs, with the stats hook above in the same process.
  const bin = fileURLToPath(new URL('../../bin/parley.js', import.meta.url));
  process.argv = [process.argv[0] as string, bin, 'start'];
  await import(bin);
} else if (kind === 'floor') {
  await import('./floor-server.js');
} else {
  console.error(`server-host: unknown server kind ${kind}`);
  process.exit(2);
}
