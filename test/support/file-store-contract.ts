import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileStore } from '../../src/storage/file-store.js';

/** A store under test and how to let it go. */
export interface FileStoreFixture {
  store: FileStore;
  close(): Promise<void>;
}

/** A key as Parley makes them: 32 hex characters of randomness. */
export const newKey = (): string => randomBytes(16).toString('hex');

/** Runs `work` on every item, at most `width` at a time. */
async function inGroups<T>(items: readonly T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += width) {
    await Promise.all(items.slice(start, start + width).map(work));
  }
}

/**
 * The behaviour every `FileStore` owes the attachments feature (docs/configuration.md,
 * "Attachments"). Each implementation (the database on both engines, S3) runs this same suite.
 */
export function registerFileStoreContract(name: string, make: () => Promise<FileStoreFixture>, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip ?? false)(`FileStore contract: ${name}`, () => {
    let fixture: FileStoreFixture;
    let store: FileStore;

    beforeEach(async () => {
      fixture = await make();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it.each([
      ['0 bytes', 0],
      ['1 byte', 1],
      ['10 MB', 10 * 1024 * 1024],
    ])('gives back exactly what was put: %s', async (_label, size) => {
      const key = newKey();
      const data = new Uint8Array(randomBytes(size));
      await store.put(key, data, 'application/octet-stream');
      const read = await store.get(key);
      expect(read).toBeInstanceOf(Uint8Array);
      expect(read?.byteLength).toBe(size);
      expect(Buffer.from(read ?? []).equals(Buffer.from(data))).toBe(true);
    });

    it('keeps every byte value intact', async () => {
      const key = newKey();
      const data = new Uint8Array(512).map((_, i) => i % 256);
      await store.put(key, data, 'application/octet-stream');
      expect(Array.from((await store.get(key)) ?? [])).toEqual(Array.from(data));
    });

    it('stores a view into a larger buffer as the view alone', async () => {
      const key = newKey();
      const whole = new Uint8Array([9, 9, 1, 2, 3, 9, 9]);
      await store.put(key, whole.subarray(2, 5), 'application/octet-stream');
      expect(Array.from((await store.get(key)) ?? [])).toEqual([1, 2, 3]);
    });

    it('answers a copy the caller may change without changing what is stored', async () => {
      const key = newKey();
      await store.put(key, new Uint8Array([1, 2, 3]), 'application/octet-stream');
      const first = await store.get(key);
      first?.fill(0);
      expect(Array.from((await store.get(key)) ?? [])).toEqual([1, 2, 3]);
    });

    it('replaces the bytes when a key is put again', async () => {
      const key = newKey();
      await store.put(key, new TextEncoder().encode('first, and longer'), 'text/plain');
      await store.put(key, new TextEncoder().encode('second'), 'text/plain');
      expect(new TextDecoder().decode(await store.get(key))).toBe('second');
    });

    it('answers undefined for a key that holds nothing', async () => {
      expect(await store.get(newKey())).toBeUndefined();
    });

    it('deletes the given keys, leaves the others, and takes keys that hold nothing in its stride', async () => {
      const [gone, alsoGone, kept] = [newKey(), newKey(), newKey()];
      for (const key of [gone, alsoGone, kept]) await store.put(key, new Uint8Array([7]), 'application/octet-stream');
      await store.delete([gone, newKey(), alsoGone, newKey()]);
      expect(await store.get(gone)).toBeUndefined();
      expect(await store.get(alsoGone)).toBeUndefined();
      expect(Array.from((await store.get(kept)) ?? [])).toEqual([7]);
      await store.delete([]);
      await store.delete([gone]);
      expect(Array.from((await store.get(kept)) ?? [])).toEqual([7]);
    });

    it('deletes 2,500 keys in one call', { timeout: 60_000 }, async () => {
      const keys = Array.from({ length: 2500 }, newKey);
      const kept = newKey();
      await inGroups([...keys, kept], 50, (key) => store.put(key, new TextEncoder().encode(key), 'text/plain'));
      await store.delete(keys);
      const left: string[] = [];
      await inGroups(keys, 50, async (key) => {
        if ((await store.get(key)) !== undefined) left.push(key);
      });
      expect(left).toEqual([]);
      expect(new TextDecoder().decode(await store.get(kept))).toBe(kept);
    });

    it('stores concurrent puts of different keys each under its own key', async () => {
      const entries = Array.from({ length: 20 }, (_, i) => ({ key: newKey(), data: new Uint8Array(randomBytes(1000 + i)) }));
      await Promise.all(entries.map(({ key, data }) => store.put(key, data, 'application/octet-stream')));
      for (const { key, data } of entries) {
        expect(Buffer.from((await store.get(key)) ?? []).equals(Buffer.from(data))).toBe(true);
      }
    });
  });
}
