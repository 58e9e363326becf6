import type { Logger } from 'pino';

/**
 * Error codes of failures that belong to one client's socket or request (a reset, a write after the
 * peer left, an unparsable request, a WebSocket protocol violation), not to the server's state.
 */
const CLIENT_ERROR_CODE = /^(ECONNRESET|EPIPE|ECONNABORTED|ETIMEDOUT|ERR_STREAM_(DESTROYED|WRITE_AFTER_END|PREMATURE_CLOSE)|ERR_INVALID_URI|HPE_\w+|WS_ERR_\w+)$/;

/** True for an error that came from one client's bytes or connection, so serving everyone else is safe. */
export function isClientError(error: unknown): boolean {
  if (error instanceof URIError) return true;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && CLIENT_ERROR_CODE.test(code);
}

export interface CrashGuardOptions {
  /** Where the handlers go (the process; an EventEmitter in tests). */
  target?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

/**
 * The policy for errors nothing else caught (see docs/security.md, "When something goes wrong"):
 * log them with where they came from and keep serving. Parley's state lives in the database and
 * in per-connection objects, so an exception that escaped one request or socket leaves the other
 * clients' state intact; exiting would hand any client who finds such a path a way to take the
 * whole chat down. Errors from one client's connection (`isClientError`) are logged at `warn`,
 * anything else at `error` as the bug it is. Logs carry the error and its origin, never request
 * bodies or credentials. Returns a function that removes the handlers.
 */
export function installCrashGuard(logger: Logger, options: CrashGuardOptions = {}): () => void {
  const target = options.target ?? process;
  const onRejection = (reason: unknown) => {
    logger.error({ err: reason, origin: 'unhandledRejection' }, 'a promise failed and nothing handled it; still serving');
  };
  const onException = (error: unknown, origin?: string) => {
    if (isClientError(error)) {
      logger.warn({ err: error, origin: origin ?? 'uncaughtException' }, 'a client connection failed and nothing handled it; still serving');
      return;
    }
    logger.error({ err: error, origin: origin ?? 'uncaughtException' }, 'unexpected error nothing handled (a bug: please report it); still serving');
  };
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtException', onException);
  return () => {
    target.off('unhandledRejection', onRejection);
    target.off('uncaughtException', onException);
  };
}
