/** What a WebSocket upgrade asks for, read from its raw request target without anything that throws. */
export type UpgradeTarget =
  | { ok: true; appKey: string; protocol: string | null }
  | { ok: false; status: 400 | 404; reason: string };

const APP_PATH = /^\/app\/([^/?#]+)\/?$/;
/** Longer keys belong to no app; reading them would only cost memory. */
const MAX_KEY_LENGTH = 1024;

/**
 * Parses `/app/{key}?protocol=7` from the request target as the client sent it. It is not handed
 * to `new URL()`, which reads `//app/key` as a host, and the key is decoded without throwing on
 * bad escapes such as `%ZZ` (400 instead).
 */
export function parseUpgradeTarget(target: string | undefined): UpgradeTarget {
  const raw = target ?? '';
  const queryAt = raw.indexOf('?');
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const match = APP_PATH.exec(path);
  if (!match) return { ok: false, status: 404, reason: 'Not a WebSocket endpoint: connect to /app/{key}' };
  const encoded = match[1] as string;
  if (encoded.length > MAX_KEY_LENGTH) return { ok: false, status: 400, reason: 'The app key is too long' };
  const appKey = safeDecode(encoded);
  if (appKey === undefined) return { ok: false, status: 400, reason: 'The app key is not a valid percent-encoded string' };
  const query = queryAt === -1 ? '' : raw.slice(queryAt + 1);
  // URLSearchParams never throws: a bad escape in a value is kept as written.
  const protocol = new URLSearchParams(query).get('protocol');
  return { ok: true, appKey, protocol };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** A WebSocket close reason must fit 123 bytes of UTF-8: cut on a character boundary, never mid-character. */
export function closeReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= 123) return reason;
  let end = 120;
  // Step back over continuation bytes (10xxxxxx) so the cut lands before a character's first byte.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end -= 1;
  return `${bytes.subarray(0, end).toString('utf8')}...`;
}
