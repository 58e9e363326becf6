/**
 * The bytes of files waiting in the outbox, in the host page's IndexedDB (db `parley`, store
 * `files`, key `client_message_id`), so a reload retries the same upload (docs/widget.md,
 * "Storage and privacy"). Where IndexedDB is missing or refuses (some private modes), every call
 * answers as if empty and the files live only in the page's memory.
 */
import type { FileBytes } from './file-sender.js';

const DB = 'parley';
const STORE = 'files';

const done = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });

export class IndexedFiles implements FileBytes {
  private db: Promise<IDBDatabase> | undefined;

  constructor(private readonly factory: IDBFactory | undefined) {}

  async put(key: string, blob: Blob): Promise<void> {
    await this.run('readwrite', (store) => store.put(blob, key));
  }

  async get(key: string): Promise<Blob | undefined> {
    const value = await this.run('readonly', (store) => store.get(key));
    return value instanceof Blob ? value : undefined;
  }

  async delete(key: string): Promise<void> {
    await this.run('readwrite', (store) => store.delete(key));
  }

  async keys(): Promise<string[]> {
    const keys = await this.run('readonly', (store) => store.getAllKeys());
    return (keys ?? []).filter((key): key is string => typeof key === 'string');
  }

  private async run<T>(mode: IDBTransactionMode, request: (store: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> {
    try {
      const db = await this.open();
      const tx = db.transaction(STORE, mode);
      const complete = new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      });
      complete.catch(() => undefined);
      const result = await done(request(tx.objectStore(STORE)));
      // A write counts once it is committed.
      if (mode === 'readwrite') await complete;
      return result;
    } catch {
      return undefined;
    }
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      if (!this.factory) return reject(new Error('no IndexedDB'));
      const request = this.factory.open(DB, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = request.onblocked = () => reject(request.error ?? new Error('IndexedDB is unavailable'));
    });
    return this.db;
  }
}
