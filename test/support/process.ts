import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root, `bin/parley.js` and the TypeScript compiler, found from this file. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PARLEY_BIN = fileURLToPath(new URL('../../bin/parley.js', import.meta.url));

/** Compiles `src` into `dist` (what `bin/parley.js` runs); throws with the compiler's output when it fails. */
export function buildDist(timeoutMs = 120_000): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs });
  if (result.status !== 0) {
    throw new Error(`npm run build failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`);
  }
}

/** A port nobody listens on right now: the kernel picks one for a throwaway server. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `parley` child: its output so far, and bounded waits on it. */
export class ParleyProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.notify();
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Resolves once `predicate` holds for the output; rejects if the process exits first or time runs out. */
  async waitFor<T>(predicate: (p: ParleyProcess) => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = predicate(this);
        if (found !== undefined) return finish(() => resolve(found));
        if (this.exit !== undefined) return finish(() => reject(new Error(`parley exited (${JSON.stringify(this.exit)}) before ${what}\n${this.output()}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.output()}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** The pino JSON log lines on stdout (other lines, such as the printed credentials, are skipped). */
  logs(): { msg?: string; level?: number; [key: string]: unknown }[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as { msg?: string }];
        } catch {
          return [];
        }
      });
  }

  /** Waits for the "Parley is listening" log line. */
  async listening(timeoutMs = 15_000): Promise<void> {
    await this.waitFor((p) => (p.logs().some((l) => l.msg === 'Parley is listening') ? true : undefined), '"Parley is listening"', timeoutMs);
  }

  /** Sends `signal` and waits for the exit; SIGKILL if it does not come in time. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<Exit> {
    if (this.exit !== undefined) return this.exit;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result !== 'timeout') return result;
    this.child.kill('SIGKILL');
    throw new Error(`parley did not exit within ${timeoutMs} ms of ${signal}\n${this.output()}`);
  }

  /** Waits for the process to end on its own, within `timeoutMs`. */
  async finished(timeoutMs = 15_000): Promise<Exit> {
    return this.waitFor((p) => p.exit, 'exit', timeoutMs);
  }

  output(): string {
    return `--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Starts `node bin/parley.js …` and keeps track of it so `killAll` can end it. */
export class ParleyProcesses {
  private readonly all = new Set<ParleyProcess>();

  spawn(args: string[], options: { cwd: string; env: Record<string, string> }): ParleyProcess {
    // A clean environment: nothing from the developer's shell (DATABASE_URL, REDIS_URL…) leaks in.
    const env = { PATH: process.env.PATH ?? '', ...options.env };
    const child = spawn(process.execPath, [PARLEY_BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const parley = new ParleyProcess(child);
    this.all.add(parley);
    void parley.exited.then(() => this.all.delete(parley));
    return parley;
  }

  /** Runs a command to completion and answers its exit code and output. */
  async run(args: string[], options: { cwd: string; env: Record<string, string> }, timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const parley = this.spawn(args, options);
    const exit = await parley.finished(timeoutMs);
    return { code: exit.code, stdout: parley.stdout, stderr: parley.stderr };
  }

  /** Ends every child still running: SIGKILL, then waits (bounded) for each to be gone. */
  async killAll(timeoutMs = 5_000): Promise<void> {
    const running = [...this.all];
    for (const parley of running) parley.child.kill('SIGKILL');
    await Promise.all(running.map((p) => p.finished(timeoutMs).catch(() => undefined)));
    this.all.clear();
  }
}
