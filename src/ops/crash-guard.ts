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
  exit?: (code: number) => void;
}

/**
 * The policy for errors nothing else caught (see docs/security.md, "When something goes wrong"):
 * - a rejected promise nobody awaited is logged and serving goes on: it failed one operation,
 *   and no synchronous state was left half-changed;
 * - an uncaught exception from one client's socket or request (`isClientError`) is logged and
 *   serving goes on: only that client is affected;
 * - any other uncaught exception is logged as fatal and the process exits with 1, because its
 *   state is unknown; the supervisor (systemd, Docker, Kubernetes) starts a clean one.
 * Logs carry the error and where it came from, never request bodies or credentials.
 * Returns a function that removes the handlers.
 */
export function installCrashGuard(logger: Logger, options: CrashGuardOptions = {}): () => void {
  const target = options.target ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const onRejection = (reason: unknown) => {
    logger.error({ err: reason, origin: 'unhandledRejection' }, 'a promise failed and nothing handled it; still serving');
  };
  const onException = (error: unknown, origin?: string) => {
    if (isClientError(error)) {
      logger.error({ err: error, origin: origin ?? 'uncaughtException' }, 'a client connection failed and nothing handled it; still serving');
      return;
    }
    logger.fatal({ err: error, origin: origin ?? 'uncaughtException' }, 'unexpected error: exiting so the supervisor restarts a clean process');
    exit(1);
  };
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtException', onException);
  return () => {
    target.off('unhandledRejection', onRejection);
    target.off('uncaughtException', onException);
  };
}
