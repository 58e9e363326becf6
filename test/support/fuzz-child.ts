import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { createParley } from '../../src/main.js';
import { installCrashGuard } from '../../src/ops/crash-guard.js';
import { TEST_SECRETS } from './harness.js';

/**
 * A Parley in its own process for the socket storm (test/fuzz/socket-storm.test.ts), started with
 * `--expose-gc`: it listens on 127.0.0.1, installs the same crash guard as `parley start`, logs at
 * `error` to stdout, and over IPC answers `{ heap, rss, connections }` after a full collection.
 */
const storage = mkdtempSync(join(tmpdir(), 'parley-fuzz-'));
const config = loadConfig(
  { NODE_ENV: 'test', LOG_LEVEL: 'error', STORAGE_PATH: storage, DB_DATABASE: join(storage, 'parley.sqlite'), CHAT_ALLOWED_ORIGINS: 'https://shop.example', ...JSON.parse(process.env.FUZZ_CHILD_ENV ?? '{}') },
  TEST_SECRETS,
);
const logger = pino({ level: 'error' });
installCrashGuard(logger);
const parley = await createParley(config, logger);
await parley.app.listen({ port: 0, host: '127.0.0.1' });

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (message) => {
  if (message !== 'measure') return;
  for (let i = 0; i < 3; i += 1) gc?.();
  const memory = process.memoryUsage();
  process.send?.({ heap: memory.heapUsed, rss: memory.rss, gc: gc !== undefined, connections: parley.realtimeNode?.connectionCount() ?? 0 });
});
process.on('disconnect', () => {
  void parley.close().finally(() => {
    rmSync(storage, { recursive: true, force: true });
    process.exit(0);
  });
});
process.send?.({ port: (parley.app.server.address() as AddressInfo).port });
