import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../web/shared/clock.js';
import { humanSize } from '../web/shared/file-size.js';
import { sendOutcome } from '../web/shared/send-outcome.js';
import { upload, type FormLike, type UploadDeps, type XhrLike } from '../web/shared/upload.js';

class FakeXhr implements XhrLike {
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown;
  aborted = false;
  status = 0;
  responseText = '';
  responseHeaders: Record<string, string> = {};
  withCredentials = false;
  upload: XhrLike['upload'] = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  send(body: unknown): void {
    this.body = body;
  }
  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }
  getResponseHeader(name: string): string | null {
    return this.responseHeaders[name] ?? null;
  }
  /** The server answers. */
  answer(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.status = status;
    this.responseText = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    this.responseHeaders = headers;
    this.onload?.();
  }
  progress(loaded: number, total: number): void {
    this.upload.onprogress?.({ loaded, total, lengthComputable: true });
  }
}

class FakeForm implements FormLike {
  parts: [string, string | Blob, string | undefined][] = [];
  append(name: string, value: string | Blob, fileName?: string): void {
    this.parts.push([name, value, fileName]);
  }
}

function world() {
  const xhr = new FakeXhr();
  const form = new FakeForm();
  const timers = new Map<number, () => void>();
  let next = 0;
  const clock: Clock = {
    now: () => 0,
    setTimeout: (fn) => (timers.set(++next, fn), next),
    clearTimeout: (handle) => timers.delete(handle as number),
  };
  const deps: UploadDeps = { xhr: () => xhr, form: () => form, clock };
  const fire = () => [...timers.values()].forEach((fn) => fn());
  return { xhr, form, deps, timers, fire };
}

const file = new Blob(['hello'], { type: 'text/plain' });

describe('uploading one file with progress (web/shared/upload.ts)', () => {
  it('posts the text fields, then the file, with the given headers', () => {
    const { xhr, form, deps } = world();
    upload({ url: '/api/chat/7/attachments', file, fileName: 'notes.txt', fields: { client_message_id: 'c-1', body: 'see attached', empty: '' }, headers: { Authorization: 'Bearer t' } }, deps);
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe('/api/chat/7/attachments');
    expect(xhr.headers).toMatchObject({ Authorization: 'Bearer t', Accept: 'application/json' });
    expect(xhr.headers).not.toHaveProperty('Content-Type');
    expect(form.parts.map(([name, , fileName]) => [name, fileName])).toEqual([
      ['client_message_id', undefined],
      ['body', undefined],
      ['file', 'notes.txt'],
    ]);
    expect(form.parts[2]?.[1]).toBe(file);
    expect(xhr.body).toBe(form);
    expect(xhr.withCredentials).toBe(false);
  });

  it('answers the created message like any API call', async () => {
    const { xhr, deps } = world();
    const sent = upload<{ message: { id: number } }>({ url: '/u', file, fileName: 'a.txt' }, deps);
    xhr.answer(201, { message: { id: 3 } });
    await expect(sent.done).resolves.toEqual({ ok: true, status: 201, data: { message: { id: 3 } } });
  });

  it('reports progress as bytes go out', () => {
    const { xhr, deps } = world();
    const onProgress = vi.fn();
    upload({ url: '/u', file, fileName: 'a.txt', onProgress }, deps);
    xhr.progress(100, 400);
    xhr.progress(400, 400);
    expect(onProgress.mock.calls).toEqual([
      [100, 400],
      [400, 400],
    ]);
  });

  it('reads a refusal by its error code, so the outbox knows it is final', async () => {
    const { xhr, deps } = world();
    const sent = upload({ url: '/u', file, fileName: 'a.exe' }, deps);
    xhr.answer(415, { error: { code: 'unsupported_media_type', message: 'This kind of file is not accepted.', fields: { file: 'type' } } });
    const result = await sent.done;
    expect(result).toMatchObject({ ok: false, status: 415, error: { code: 'unsupported_media_type', fields: { file: 'type' } } });
    expect(sendOutcome(result)).toEqual({ kind: 'failed', code: 'unsupported_media_type' });
  });

  it('keeps Retry-After of a rate limit, to be retried', async () => {
    const { xhr, deps } = world();
    const sent = upload({ url: '/u', file, fileName: 'a.txt' }, deps);
    xhr.answer(429, { error: { code: 'rate_limited', message: 'Slow down.' } }, { 'Retry-After': '7' });
    expect(sendOutcome(await sent.done)).toEqual({ kind: 'retry', afterMs: 7000 });
  });

  it('names an answer without a JSON error (a proxy page)', async () => {
    const { xhr, deps } = world();
    const sent = upload({ url: '/u', file, fileName: 'a.txt' }, deps);
    xhr.answer(502, '<html>Bad gateway</html>');
    await expect(sent.done).resolves.toMatchObject({ ok: false, status: 502, error: { code: 'unexpected_response' } });
  });

  it('is a network failure, to be retried, when the connection fails', async () => {
    const { xhr, deps } = world();
    const sent = upload({ url: '/u', file, fileName: 'a.txt' }, deps);
    xhr.onerror?.();
    const result = await sent.done;
    expect(result).toMatchObject({ ok: false, status: 0, error: { code: 'network' } });
    expect(sendOutcome(result)).toEqual({ kind: 'retry' });
  });

  it('stops with request_aborted when aborted, and settles only once', async () => {
    const { xhr, deps } = world();
    const sent = upload({ url: '/u', file, fileName: 'a.txt' }, deps);
    sent.abort();
    expect(xhr.aborted).toBe(true);
    xhr.answer(201, { message: {} });
    await expect(sent.done).resolves.toMatchObject({ ok: false, status: 0, error: { code: 'request_aborted' } });
    sent.abort();
  });

  it('gives up when nothing moves for stallMs, and every progress event restarts the wait', async () => {
    const { xhr, deps, timers, fire } = world();
    const sent = upload({ url: '/u', file, fileName: 'a.txt', stallMs: 1000 }, deps);
    expect(timers.size).toBe(1);
    xhr.progress(1, 5);
    expect(timers.size).toBe(1);
    fire();
    expect(xhr.aborted).toBe(true);
    await expect(sent.done).resolves.toMatchObject({ ok: false, status: 0, error: { code: 'network' } });
    expect(timers.size).toBe(0);
  });

  it('clears its stall timer once answered', async () => {
    const { xhr, deps, timers } = world();
    const sent = upload({ url: '/u', file, fileName: 'a.txt' }, deps);
    xhr.answer(200, { message: { id: 1 } });
    await sent.done;
    expect(timers.size).toBe(0);
  });

  it('is a network failure when the request cannot even be opened', async () => {
    const { xhr, deps } = world();
    xhr.open = () => {
      throw new Error('bad url');
    };
    await expect(upload({ url: '::', file, fileName: 'a.txt' }, deps).done).resolves.toMatchObject({ error: { code: 'network' } });
  });
});

describe('file sizes as people read them (web/shared/file-size.ts)', () => {
  it('counts bytes, then KB, MB and GB of 1024, with one decimal below 10', () => {
    expect(humanSize(0)).toBe('0 B');
    expect(humanSize(1023)).toBe('1023 B');
    expect(humanSize(1024)).toBe('1 KB');
    expect(humanSize(1536)).toBe('1.5 KB');
    expect(humanSize(12 * 1024 + 300)).toBe('12 KB');
    expect(humanSize(3.44 * 1024 * 1024)).toBe('3.4 MB');
    expect(humanSize(5 * 1024 ** 3)).toBe('5 GB');
  });
});
