import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Request/answer over a child's IPC channel; every call has a deadline so nothing can hang. */
export interface RpcRequest {
  rpc: number;
  cmd: string;
  args?: unknown;
}
export interface RpcAnswer {
  rpc: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export const benchPath = (relative: string): string => fileURLToPath(new URL(`../${relative}`, import.meta.url));

export class Child {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.on('message', (msg: RpcAnswer) => {
      const waiter = this.pending.get(msg.rpc);
      if (!waiter) return;
      this.pending.delete(msg.rpc);
      if (msg.ok) waiter.resolve(msg.result);
      else waiter.reject(new Error(`${name}: ${msg.error ?? 'failed'}`));
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.pending.values()) w.reject(new Error(`${name} exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  call<T>(cmd: string, args: unknown, timeoutMs: number): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const rpc = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rpc);
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(rpc, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.proc.send({ rpc, cmd, args } satisfies RpcRequest);
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited || this.proc.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

/** Starts a TypeScript module (through tsx) as a child with IPC. */
export function forkTs(name: string, script: string, args: string[], options: { env?: NodeJS.ProcessEnv; execArgv?: string[]; quiet?: boolean } = {}): Child {
  const proc = fork(benchPath(script), args, {
    execArgv: [...(options.execArgv ?? []), '--import', 'tsx'],
    env: options.env ?? process.env,
    stdio: ['ignore', options.quiet ? 'ignore' : 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  return new Child(name, proc);
}

/** The worker side: answers RPC requests with the handler for each command. */
export function serveRpc(handlers: Record<string, (args: never) => unknown>): void {
  process.on('message', (msg: RpcRequest) => {
    const handler = handlers[msg.cmd];
    const reply = (answer: Omit<RpcAnswer, 'rpc'>) => process.send?.({ rpc: msg.rpc, ...answer });
    if (!handler) {
      reply({ ok: false, error: `unknown command ${msg.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(msg.args as never))
      .then(
        (result) => reply({ ok: true, result }),
        (error: unknown) => reply({ ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  // The parent going away must not leave a worker holding thousands of sockets.
  process.on('disconnect', () => process.exit(0));
}

/** Rejects when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`, or when `check` throws an Error. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // A failed probe (connection refused, timeout) means "not yet"; a thrown Error from `check` itself means "never".
    const done = await Promise.resolve()
      .then(check)
      .catch((error: unknown) => {
        if (error instanceof Error && error.message.includes('exited with code')) throw error;
        return false;
      });
    if (done) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms`);
}
