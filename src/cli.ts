import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { AddressInfo } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Logger } from 'pino';
import { parseSelector, type PrivacySelector } from './chat/privacy.js';
import { privacyFor, runRetention } from './compose/privacy-for.js';
import { buildRealtimeApp } from './compose/realtime-app.js';
import { realtimeNodeFor } from './compose/realtime-node-for.js';
import { agentServiceFor, storesOf } from './compose/stores.js';
import { ConfigError, type Config } from './config/config.js';
import { loadConfigFromEnvironment, readEnvironment } from './config/load.js';
import { newAgentBody } from './http/schemas.js';
import { createParley } from './main.js';
import { installCrashGuard } from './ops/crash-guard.js';
import { createLogger } from './ops/logger.js';
import { createHasher, randomToken } from './security/hashing.js';
import { migrate, openStorage, type Storage } from './storage/database.js';
import { systemClock } from './time/clock.js';

const program = new Command('parley').description('Parley: self-hosted live chat for websites');

program
  .command('start')
  .description('serve the chat API, dashboard and widget on PORT (migrations run first)')
  .action(async () => {
    const config = configOrExit();
    const logger = createLogger(config.logLevel);
    installCrashGuard(logger);
    const parley = await createParley(config, logger);
    const admin = await parley.agents.ensureFirstAdmin(config.agents.adminEmail, config.agents.adminPassword);
    if (admin) {
      // Printed once, on the start that created the account; never logged.
      process.stdout.write(
        admin.password === undefined
          ? `\nCreated admin agent ${admin.email} with ADMIN_PASSWORD.\n\n`
          : `\nCreated admin agent:\n  email:    ${admin.email}\n  password: ${admin.password}\nLog in at ${config.http.appUrl}/stratus and change it. This is shown only once.\n\n`,
      );
    }
    closeOnSignals(logger, () => parley.close());
    try {
      await parley.app.listen({ host: config.http.host, port: config.http.port });
    } catch (error) {
      await parley.close().catch(() => undefined);
      fatal(`cannot listen on ${config.http.host}:${config.http.port}: ${describe(error)}`);
    }
    logger.info({ url: config.http.appUrl, database: config.database.kind, broadcast: config.broadcast.driver }, 'Parley is listening');
  });

program
  .command('realtime:start')
  .description('run only the Pusher-compatible realtime server: WebSockets, the Pusher HTTP API and /up (like `php artisan reverb:start`)')
  .option('--host <host>', 'address to listen on', '0.0.0.0')
  .option('--port <port>', 'port to listen on (default: REVERB_PORT, else 8080)', parsePort)
  .option('--debug', 'log at debug level, every WebSocket frame included')
  .action(async (opts: { host: string; port?: number; debug?: boolean }) => {
    const env = readEnvironment();
    const config = configOrExit(env);
    const port = opts.port ?? (env.REVERB_PORT ? config.broadcast.reverb.port : 8080);
    const logger = createLogger(opts.debug ? 'debug' : config.logLevel);
    installCrashGuard(logger);
    const node = realtimeNodeFor(config, logger);
    await node.ready();
    const app = await buildRealtimeApp(node, logger, config.http.timeouts);
    closeOnSignals(logger, () => app.close());
    try {
      await app.listen({ host: opts.host, port });
    } catch (error) {
      await app.close().catch(() => undefined);
      fatal(`cannot listen on ${opts.host}:${port}: ${describe(error)}`);
    }
    const address = app.server.address() as AddressInfo;
    logger.info({ host: opts.host, port: address.port, apps: node.appIds() }, 'Realtime server is listening');
  });

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    await withStorage(async (storage) => {
      const applied = await migrate(storage);
      process.stdout.write(applied.length === 0 ? 'Nothing to migrate.\n' : `Applied: ${applied.join(', ')}\n`);
    });
  });

program
  .command('agent:create')
  .description('add an agent (prints a generated password when none is given)')
  .requiredOption('--email <email>', 'login email')
  .option('--name <name>', 'display name', 'Agent')
  .option('--password <password>', 'password (at least 8 characters); generated when omitted')
  .addOption(new Option('--role <role>', 'role').choices(['agent', 'admin']).default('agent'))
  .action(async (opts: { email: string; name: string; password?: string; role: 'agent' | 'admin' }) => {
    // The same rules as the agent API, so the CLI cannot create an account the dashboard would refuse.
    const input = newAgentBody.safeParse({ email: opts.email, name: opts.name, password: opts.password ?? randomToken(12), role: opts.role });
    if (!input.success) {
      fatal(input.error.issues.map((issue) => `--${String(issue.path[0] ?? 'input')} ${issue.message}`).join('; '));
    }
    await withStorage(async (storage, config) => {
      await migrate(storage);
      const service = agentServiceFor(config, { agents: storesOf(storage).agents, hasher: createHasher(config.appKey), clock: systemClock });
      const created = await service.create(input.data);
      if (!created.ok) fatal(created.error.message);
      process.stdout.write(`Created ${created.value.role} ${created.value.email} (id ${created.value.id})${opts.password === undefined ? `\n  password: ${input.data.password}` : ''}\n`);
    });
  });

program
  .command('purge')
  .description('apply the retention policy: closed conversations past CHAT_RETENTION_DAYS (and their files), orphaned uploads, expired sessions, tickets and email links')
  .action(async () => {
    await withStorage(async (storage, config) => {
      await migrate(storage);
      // Files first, while the rows still say where they are (docs/configuration.md, "Attachments").
      const r = await runRetention(config, { storage, now: systemClock.now() });
      process.stdout.write(`Purged ${r.conversations} closed conversation(s), ${r.sessions} expired session(s), ${r.tickets} used or expired resume ticket(s), ${r.links} used or expired email link(s).\n`);
      process.stdout.write(`Deleted ${r.files} file(s) of purged conversations and ${r.orphans} orphaned upload(s).\n`);
      process.stdout.write(`Reduced the IP address of ${r.reducedIps} conversation(s) past the resume window.\n`);
    });
  });

program
  .command('visitor:export')
  .description("print every row and file about one visitor as JSON (docs/privacy.md)")
  .option('--email <email>', "the visitor's email address (any case)")
  .option('--conversation <id>', 'one conversation id')
  .option('--user <id>', 'a verified user id (docs/identity.md)')
  .option('--out <file>', 'write the JSON to this file (owner-only) instead of standard output')
  .action(async (opts: VisitorOptions & { out?: string }) => {
    const selector = selectorOrExit(opts);
    await withStorage(async (storage, config) => {
      await migrate(storage);
      const data = JSON.stringify(await privacyFor(config, { storage, hasher: createHasher(config.appKey), clock: systemClock }).export(selector, 'cli'), null, 2);
      if (opts.out === undefined) process.stdout.write(`${data}\n`);
      else writeFileSync(opts.out, `${data}\n`, { mode: 0o600 });
    });
  });

program
  .command('visitor:erase')
  .description("delete every row and file about one visitor, leaving an audit entry without personal data (docs/privacy.md)")
  .option('--email <email>', "the visitor's email address (any case)")
  .option('--conversation <id>', 'one conversation id')
  .option('--user <id>', 'a verified user id (docs/identity.md)')
  .option('--yes', 'do not ask for confirmation')
  .action(async (opts: VisitorOptions & { yes?: boolean }) => {
    const selector = selectorOrExit(opts);
    if (!opts.yes) {
      if (!process.stdin.isTTY) fatal('erasing cannot be undone: confirm with --yes');
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question('Erase every conversation, message and file of this visitor? Type "erase" to confirm: ');
      rl.close();
      if (answer.trim() !== 'erase') fatal('not confirmed; nothing was erased');
    }
    await withStorage(async (storage, config) => {
      await migrate(storage);
      const erased = await privacyFor(config, { storage, hasher: createHasher(config.appKey), clock: systemClock }).erase(selector, 'cli');
      process.stdout.write(`Erased ${erased.conversations} conversation(s), ${erased.messages} message(s), ${erased.files} file(s).\n`);
    });
  });

interface VisitorOptions {
  email?: string;
  conversation?: string;
  user?: string;
}

function selectorOrExit(opts: VisitorOptions): PrivacySelector {
  const parsed = parseSelector({ email: opts.email, conversation_id: opts.conversation, user_id: opts.user });
  if (parsed.ok) return parsed.value;
  const names: Record<string, string> = { email: '--email', conversation_id: '--conversation', user_id: '--user' };
  const fields = Object.keys(parsed.error.fields ?? {});
  if (fields.length > 1) fatal('give exactly one of --email, --conversation, --user');
  fatal(fields.map((f) => `${names[f] ?? f} ${parsed.error.fields?.[f] ?? ''}`).join('; '));
}

async function withStorage(work: (storage: Storage, config: Config) => Promise<void>): Promise<void> {
  const config = configOrExit();
  const storage = openStorage(config.database);
  try {
    await work(storage, config);
  } finally {
    await storage.close();
  }
}

function configOrExit(env = readEnvironment()): Config {
  try {
    return loadConfigFromEnvironment(env);
  } catch (error) {
    if (error instanceof ConfigError) fatal(error.message);
    throw error;
  }
}

/** SIGTERM/SIGINT close the server (exit 0), or exit 1 when closing fails or takes over 10 s. */
function closeOnSignals(logger: Logger, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('must be an integer from 0 to 65535');
  return port;
}

function fatal(message: string): never {
  process.stderr.write(`parley: ${message}\n`);
  process.exit(1);
}

/** An error's message with its causes (a failed migration wraps the database's error). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth += 1) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ');
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Expected failures (database unreachable, migration failed) end with one line; the stack only when debugging.
  if (/^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '') && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
  fatal(error instanceof ConfigError ? error.message : describe(error));
}
