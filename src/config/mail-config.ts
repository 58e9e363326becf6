import type { Problems } from './config-error.js';
import type { RawEnv } from './env-schema.js';

/** Where email goes: an SMTP server, the log (the default: `npm start` sends nothing), or nowhere. */
export type MailerKind = 'smtp' | 'log' | 'null';

/** The `MAIL_*` settings (docs/email.md), with Laravel's aliases already resolved. */
export interface MailConfig {
  mailer: MailerKind;
  smtp: {
    host: string;
    port: number;
    /** TLS from the first byte (`smtps`, port 465); otherwise plain SMTP, upgraded by STARTTLS when offered. */
    secure: boolean;
    /** Refuse to send unless STARTTLS succeeds (`MAIL_ENCRYPTION=tls`). */
    requireTls: boolean;
    username: string | undefined;
    password: string | undefined;
  };
  from: { address: string; name: string };
}

const SMTPS_PORT = 465;
const SUBMISSION_PORT = 587;

/** Builds the mail settings; `MAIL_SCHEME` wins over Laravel's older `MAIL_ENCRYPTION` (`tls` = STARTTLS, `ssl` = smtps). */
export function mailConfig(e: RawEnv, appHost: string, problems: Problems): MailConfig {
  const scheme = e.MAIL_SCHEME === 'null' ? undefined : e.MAIL_SCHEME;
  const encryption = e.MAIL_ENCRYPTION === 'null' ? undefined : e.MAIL_ENCRYPTION;
  const secure = scheme !== undefined ? scheme === 'smtps' : encryption !== undefined ? encryption === 'ssl' : e.MAIL_PORT === SMTPS_PORT;
  const requireTls = !secure && (encryption === 'tls' || encryption === 'starttls');
  if (e.MAIL_MAILER === 'smtp') {
    if (e.MAIL_HOST === undefined) problems.add('MAIL_HOST', 'is required when MAIL_MAILER=smtp');
    if (e.MAIL_FROM_ADDRESS === undefined) problems.add('MAIL_FROM_ADDRESS', 'is required when MAIL_MAILER=smtp');
    if (e.MAIL_PASSWORD !== undefined && e.MAIL_USERNAME === undefined) problems.add('MAIL_USERNAME', 'is required when MAIL_PASSWORD is set');
  }
  return {
    mailer: e.MAIL_MAILER,
    smtp: {
      host: e.MAIL_HOST ?? '127.0.0.1',
      port: e.MAIL_PORT ?? (secure ? SMTPS_PORT : SUBMISSION_PORT),
      secure,
      requireTls,
      username: e.MAIL_USERNAME,
      password: e.MAIL_PASSWORD,
    },
    from: { address: e.MAIL_FROM_ADDRESS ?? `parley@${appHost}`, name: e.MAIL_FROM_NAME },
  };
}
