import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseFileStore } from '../src/storage/file-store-database.js';
import { S3FileStore } from '../src/storage/file-store-s3.js';
import { ENGINES, freshStorage, skipEngine } from './support/engines.js';
import { newKey, registerFileStoreContract } from './support/file-store-contract.js';
import { startS3Server, type S3TestServer } from './support/s3-server.js';

for (const engine of ENGINES) {
  registerFileStoreContract(
    `database (${engine})`,
    async () => {
      const storage = await freshStorage(engine);
      return { store: new DatabaseFileStore(storage.db), close: () => storage.close() };
    },
    { skip: skipEngine(engine) },
  );
}

const BUCKET = 'parley-test';
let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server([BUCKET]);
});
afterAll(async () => {
  await s3.close();
});

function s3Store(prefix?: string): S3FileStore {
  return new S3FileStore({
    bucket: BUCKET,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    accessKeyId: 'test-access-key',
    secretAccessKey: 'test-secret-key',
    ...(prefix === undefined ? {} : { prefix }),
  });
}

registerFileStoreContract('s3', async () => {
  const store = s3Store();
  return { store, close: async () => store.close() };
});

describe('S3FileStore', () => {
  let store: S3FileStore;
  beforeEach(() => {
    s3.requests.length = 0;
    store = s3Store('parley/');
  });
  afterEach(() => {
    s3.fail(null);
    store.close();
  });

  it('writes private objects under the prefix with the content type', async () => {
    const key = newKey();
    await store.put(key, new TextEncoder().encode('hello'), 'text/plain');
    const object = s3.buckets.get(BUCKET)?.get(`parley/${key}`);
    expect(object?.contentType).toBe('text/plain');
    expect(object?.data.toString()).toBe('hello');
    const put = s3.requests.find((r) => r.method === 'PUT');
    expect(put?.headers['x-amz-acl']).toBeUndefined();
    expect(put?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test-access-key\//);
  });

  it('deletes in requests of at most 1,000 keys', async () => {
    const keys = Array.from({ length: 2001 }, newKey);
    await store.delete(keys);
    const batches = s3.requests.filter((r) => r.deleteKeys).map((r) => r.deleteKeys?.length);
    expect(batches).toEqual([1000, 1000, 1]);
    expect(s3.requests.find((r) => r.deleteKeys)?.deleteKeys?.[0]).toBe(`parley/${keys[0]}`);
  });

  it.each([['error-500'], ['close']] as const)('throws, never answers undefined, while the service fails (%s)', async (outage) => {
    const key = newKey();
    await store.put(key, new Uint8Array([1]), 'application/octet-stream');
    s3.fail(outage);
    await expect(store.get(key)).rejects.toThrow();
    await expect(store.get(newKey())).rejects.toThrow();
    await expect(store.put(newKey(), new Uint8Array([2]), 'application/octet-stream')).rejects.toThrow();
    await expect(store.delete([key])).rejects.toThrow();
    s3.fail(null);
    expect(Array.from((await store.get(key)) ?? [])).toEqual([1]);
  });

  it('throws when the bucket does not exist rather than calling the file missing', async () => {
    const lost = new S3FileStore({ bucket: 'no-such-bucket', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, accessKeyId: 'a', secretAccessKey: 'b' });
    try {
      await expect(lost.get(newKey())).rejects.toThrow(/bucket/i);
    } finally {
      lost.close();
    }
  });
});

describe.each(ENGINES)('DatabaseFileStore (%s)', (engine) => {
  it.skipIf(skipEngine(engine))('dates each blob by the clock when it is put, and again when it is replaced', async () => {
    const storage = await freshStorage(engine);
    try {
      let now = 1_700_000_000_000;
      const store = new DatabaseFileStore(storage.db, () => now);
      const key = newKey();
      const createdAt = () => storage.db.selectFrom('attachment_blobs').select('created_at').where('key', '=', key).executeTakeFirst();
      await store.put(key, new Uint8Array([1]), 'application/octet-stream');
      expect(await createdAt()).toEqual({ created_at: 1_700_000_000_000 });
      now += 60_000;
      await store.put(key, new Uint8Array([2]), 'application/octet-stream');
      expect(await createdAt()).toEqual({ created_at: 1_700_000_060_000 });
    } finally {
      await storage.close();
    }
  });
});
