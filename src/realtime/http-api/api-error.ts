/** Statuses the Pusher HTTP API answers with when it refuses a request. */
export type ApiErrorStatus = 400 | 401 | 404 | 413 | 415 | 500;

/**
 * A refusal of the Pusher HTTP API. Pusher answers errors as plain text or JSON depending on the
 * endpoint; Parley always answers JSON `{"error": "message"}` with the status, which every Pusher
 * server SDK accepts (they report the status and the body as text).
 */
export class ApiError extends Error {
  constructor(
    readonly status: ApiErrorStatus,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
