import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/config.js';
import { SECRET_VARIABLES } from '../src/config/env-schema.js';
import { mailerFor } from '../src/compose/mail-for.js';
import { LogMailer } from '../src/mail/log-mailer.js';
import { NullMailer } from '../src/mail/null-mailer.js';
import { SmtpMailer } from '../src/mail/smtp-mailer.js';
import { TEST_SECRETS } from './support/harness.js';

const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', STORAGE_PATH: '/tmp/parley-test-storage', ...env }, TEST_SECRETS);
const SMTP = { MAIL_MAILER: 'smtp', MAIL_HOST: 'smtp.example', MAIL_FROM_ADDRESS: 'chat@shop.example' };

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('MAIL_* settings', () => {
  it('log by default, so a quick start sends nothing', () => {
    const { mail } = load({ APP_URL: 'https://chat.shop.example' });
    expect(mail.mailer).toBe('log');
    expect(mail.from).toEqual({ address: 'parley@chat.shop.example', name: 'Parley' });
  });

  it.each([
    [{}, { port: 587, secure: false, requireTls: false }],
    [{ MAIL_PORT: '465' }, { port: 465, secure: true, requireTls: false }],
    [{ MAIL_SCHEME: 'smtps' }, { port: 465, secure: true, requireTls: false }],
    [{ MAIL_SCHEME: 'smtp', MAIL_PORT: '2525' }, { port: 2525, secure: false, requireTls: false }],
    [{ MAIL_ENCRYPTION: 'tls' }, { port: 587, secure: false, requireTls: true }],
    [{ MAIL_ENCRYPTION: 'ssl' }, { port: 465, secure: true, requireTls: false }],
    [{ MAIL_ENCRYPTION: 'null', MAIL_PORT: '25' }, { port: 25, secure: false, requireTls: false }],
    [{ MAIL_SCHEME: 'smtps', MAIL_ENCRYPTION: 'tls' }, { port: 465, secure: true, requireTls: false }],
  ])('reads Laravel’s names: %o', (env, expected) => {
    expect(load({ ...SMTP, ...env }).mail.smtp).toMatchObject(expected);
  });

  it('takes the credentials and sender as given', () => {
    const { mail } = load({ ...SMTP, MAIL_USERNAME: 'apikey', MAIL_PASSWORD: 's3cret-pass', MAIL_FROM_NAME: 'Shop & Co' });
    expect(mail.smtp).toMatchObject({ host: 'smtp.example', username: 'apikey', password: 's3cret-pass' });
    expect(mail.from).toEqual({ address: 'chat@shop.example', name: 'Shop & Co' });
  });

  it.each([
    [{ MAIL_MAILER: 'sendmail' }, 'MAIL_MAILER'],
    [{ MAIL_SCHEME: 'tls' }, 'MAIL_SCHEME'],
    [{ MAIL_ENCRYPTION: 'starttls-please' }, 'MAIL_ENCRYPTION'],
    [{ MAIL_PORT: '0' }, 'MAIL_PORT'],
    [{ MAIL_FROM_ADDRESS: 'not an address' }, 'MAIL_FROM_ADDRESS'],
    [{ MAIL_MAILER: 'smtp', MAIL_FROM_ADDRESS: 'chat@shop.example' }, 'MAIL_HOST'],
    [{ MAIL_MAILER: 'smtp', MAIL_HOST: 'smtp.example' }, 'MAIL_FROM_ADDRESS'],
    [{ ...SMTP, MAIL_PASSWORD: 'pw-without-user' }, 'MAIL_USERNAME'],
  ])('stops start-up on %o, naming %s', (env, name) => {
    expect(problems(env).map((p) => p.split(':')[0])).toEqual([name]);
  });

  it('never repeats MAIL_PASSWORD in an error', () => {
    expect(SECRET_VARIABLES.has('MAIL_PASSWORD')).toBe(true);
    expect(problems({ ...SMTP, MAIL_PASSWORD: 'hunter2-secret' }).join('\n')).not.toContain('hunter2');
  });

  it.each([
    ['smtp', SmtpMailer],
    ['log', LogMailer],
    ['null', NullMailer],
  ])('MAIL_MAILER=%s builds its mailer', (mailer, type) => {
    expect(mailerFor(load({ ...SMTP, MAIL_MAILER: mailer }).mail, pino({ level: 'silent' }))).toBeInstanceOf(type);
  });
});

describe('MAIL_MAILER=log', () => {
  const email = { to: 'ann@example.test', subject: 'Your reply', text: 'the private body', html: '<p>the private body</p>', headers: {} };
  const capture = (level: string) => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
    return { lines, logger: pino({ level }, stream) };
  };

  it('logs the subject and the masked recipient of what it would send at info, and not the body', async () => {
    const { lines, logger } = capture('info');
    await new LogMailer(logger).send(email);
    expect(lines).toEqual([expect.objectContaining({ to: 'a***@example.test', subject: 'Your reply', msg: 'email not sent (MAIL_MAILER=log)' })]);
    expect(JSON.stringify(lines)).not.toContain('private body');
  });

  it('logs the bodies too at debug', async () => {
    const { lines, logger } = capture('debug');
    await new LogMailer(logger).send(email);
    expect(lines[1]).toMatchObject({ text: 'the private body', html: '<p>the private body</p>' });
  });
});
