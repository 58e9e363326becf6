import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startupWarnings } from '../src/config/startup-warnings.js';
import { createParley, type Parley } from '../src/main.js';
import { freshStorage } from './support/engines.js';
import { testConfig } from './support/harness.js';

describe('startupWarnings', () => {
  it.each([
    ['production with CHAT_ALLOWED_ORIGINS=*', 'production', '*', ['CHAT_ALLOWED_ORIGINS']],
    ['production with a list of sites', 'production', ['https://shop.example'], []],
    ['development with CHAT_ALLOWED_ORIGINS=*', 'development', '*', []],
    ['test with CHAT_ALLOWED_ORIGINS=*', 'test', '*', []],
  ] as const)('%s → %j', (_label, env, allowedOrigins, settings) => {
    const config = { env, chat: { allowedOrigins } } as unknown as Parameters<typeof startupWarnings>[0];
    expect(startupWarnings(config).map((w) => w.setting)).toEqual(settings);
  });
});

describe('start-up', () => {
  let parley: Parley | undefined;
  afterEach(async () => {
    await parley?.close();
    parley = undefined;
  });

  /** Starts Parley with `env` and answers the log lines it wrote at warn level and above. */
  async function warningsAtStart(env: Record<string, string>): Promise<{ level: number; msg: string; setting?: string }[]> {
    const lines: { level: number; msg: string; setting?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const config = testConfig({ BROADCAST_DRIVER: 'null', REVERB_APP_SECRET: 's'.repeat(40), ...env });
    parley = await createParley(config, logger, { storage: await freshStorage('sqlite') });
    return lines.filter((l) => l.level >= 40);
  }

  it('warns once, in one line, when CHAT_ALLOWED_ORIGINS=* in production', async () => {
    const warnings = await warningsAtStart({ NODE_ENV: 'production', CHAT_ALLOWED_ORIGINS: '*' });
    expect(warnings.filter((w) => w.setting === 'CHAT_ALLOWED_ORIGINS')).toEqual([
      expect.objectContaining({ level: 40, msg: expect.stringContaining('CHAT_ALLOWED_ORIGINS=* in production') }),
    ]);
    expect(warnings.find((w) => w.setting === 'CHAT_ALLOWED_ORIGINS')?.msg).not.toContain('\n');
  });

  it('does not warn when the allowed sites are listed, or outside production', async () => {
    expect((await warningsAtStart({ NODE_ENV: 'production', CHAT_ALLOWED_ORIGINS: 'https://shop.example' })).filter((w) => w.setting === 'CHAT_ALLOWED_ORIGINS')).toEqual([]);
    await parley?.close();
    expect((await warningsAtStart({ NODE_ENV: 'development', CHAT_ALLOWED_ORIGINS: '*' })).filter((w) => w.setting === 'CHAT_ALLOWED_ORIGINS')).toEqual([]);
  });
});
