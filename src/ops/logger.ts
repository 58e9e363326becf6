import pino, { type Logger } from 'pino';

/** JSON logs on stdout; credentials never reach them (tokens, cookies, passwords are redacted). */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'parley' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.visitor_token',
        '*.resume_ticket',
        '*.secret',
        '*.secretAccessKey',
      ],
      censor: '[redacted]',
    },
  });
}
