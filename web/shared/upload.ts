/**
 * One file sent as `multipart/form-data` with XMLHttpRequest, so that the browser reports upload
 * progress (fetch cannot). The answer is read into the same `ApiResult` as every other API call
 * (docs/errors.md), so the outboxes read it with `sendOutcome`. DOM-free: the request and the
 * form are injected (tests pass fakes; browsers use the defaults).
 */
import type { Clock } from './clock.js';
import { realClock } from './clock.js';
import { failureOf, networkFailure, type ApiResult } from './api-result.js';

/** The part of `XMLHttpRequest` an upload uses. */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: unknown): void;
  abort(): void;
  getResponseHeader(name: string): string | null;
  readonly status: number;
  readonly responseText: string;
  withCredentials: boolean;
  readonly upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

/** The part of `FormData` an upload uses. */
export interface FormLike {
  append(name: string, value: string | Blob, fileName?: string): void;
}

export interface UploadRequest {
  /** Absolute or same-origin URL, e.g. `${server}/api/chat/7/attachments`. */
  url: string;
  /** The bytes (a `File` or `Blob`), sent as the field `file`. */
  file: Blob;
  /** The file name sent with it (the server sanitises it, docs/api.md). */
  fileName: string;
  /** Text fields sent before the file: `client_message_id`, `body`. Empty values are left out. */
  fields?: Record<string, string | undefined>;
  /** E.g. `Authorization` (widget) or `X-CSRF-Token` (dashboard). `Content-Type` is set by the browser. */
  headers?: Record<string, string>;
  /** Send cookies cross-origin (the dashboard is same-origin and needs nothing). */
  withCredentials?: boolean;
  /** Called as bytes go out: `sent` of `total` bytes (total is the whole request body). */
  onProgress?(sent: number, total: number): void;
  /** Give up when no progress and no answer came for this long (default 60 s); counts as a network failure. */
  stallMs?: number;
}

/** A running upload: its answer, and a way to stop it. */
export interface Upload<T> {
  /** Settles once, never rejects: the server's answer, `network` (no answer, stalled) or `request_aborted` (after `abort()`, status 0). */
  readonly done: Promise<ApiResult<T>>;
  /** Stops the upload; `done` settles with `request_aborted`. Does nothing once settled. */
  abort(): void;
}

export interface UploadDeps {
  xhr(): XhrLike;
  form(): FormLike;
  clock: Clock;
}

const browserDeps = (): UploadDeps => ({
  // Through globalThis: this module also compiles without the DOM types (the server's project).
  xhr: () => new (globalThis as unknown as { XMLHttpRequest: new () => XhrLike }).XMLHttpRequest(),
  form: () => new FormData(),
  clock: realClock,
});

/** The failure after the caller's `abort()`: status 0 like a network failure, so a queued send is retried later. */
export const abortedUpload = (): ApiResult<never> => ({ ok: false, status: 0, error: { code: 'request_aborted', message: 'The upload was stopped.' } });

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `POST request.url` with the fields and the file; see `Upload`. */
export function upload<T>(request: UploadRequest, deps: UploadDeps = browserDeps()): Upload<T> {
  let settle: (result: ApiResult<T>) => void = () => undefined;
  const done = new Promise<ApiResult<T>>((resolve) => (settle = resolve));
  let settled = false;
  let stallTimer: unknown;
  const stallMs = request.stallMs ?? 60_000;
  const xhr = deps.xhr();

  const finish = (result: ApiResult<T>): void => {
    if (settled) return;
    settled = true;
    if (stallTimer !== undefined) deps.clock.clearTimeout(stallTimer);
    xhr.upload.onprogress = null;
    xhr.onload = xhr.onerror = xhr.onabort = null;
    settle(result);
  };
  const watch = (): void => {
    if (stallTimer !== undefined) deps.clock.clearTimeout(stallTimer);
    stallTimer = deps.clock.setTimeout(() => {
      finish(networkFailure());
      xhr.abort();
    }, stallMs);
  };

  const form = deps.form();
  for (const [name, value] of Object.entries(request.fields ?? {})) if (value) form.append(name, value);
  form.append('file', request.file, request.fileName);

  xhr.upload.onprogress = (event) => {
    watch();
    request.onProgress?.(event.loaded, event.lengthComputable ? event.total : request.file.size);
  };
  xhr.onload = () => {
    const data = xhr.status === 204 ? undefined : parse(xhr.responseText);
    if (xhr.status >= 200 && xhr.status < 300) finish({ ok: true, status: xhr.status, data: data as T });
    else if (xhr.status === 0) finish(networkFailure());
    else finish(failureOf(xhr.status, data, xhr.getResponseHeader('Retry-After')));
  };
  xhr.onerror = () => finish(networkFailure());
  xhr.onabort = () => finish(abortedUpload());

  try {
    xhr.open('POST', request.url);
    xhr.withCredentials = request.withCredentials ?? false;
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [name, value] of Object.entries(request.headers ?? {})) xhr.setRequestHeader(name, value);
    watch();
    xhr.send(form);
  } catch {
    finish(networkFailure());
  }

  return {
    done,
    abort: () => {
      if (settled) return;
      finish(abortedUpload());
      xhr.abort();
    },
  };
}
