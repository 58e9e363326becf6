import { fail, ok, type Result } from '../errors/error-codes.js';
import type { Hasher } from '../security/hashing.js';
import type { FileStore } from '../storage/file-store.js';
import type { ErasureCounts, PrivacySelector, PrivacyStore } from '../storage/privacy-store.js';
import type { Clock } from '../time/clock.js';

export type { PrivacySelector } from '../storage/privacy-store.js';

/** A selector as the API and CLI take it: exactly one of the three (docs/privacy.md). */
export interface SelectorInput {
  email?: unknown;
  conversation_id?: unknown;
  user_id?: unknown;
}

const SELECTOR_FIELDS = ['email', 'conversation_id', 'user_id'] as const;
const ONE_OF = 'give exactly one of email, conversation_id, user_id';
// eslint-disable-next-line no-control-regex -- control characters (NUL included) are refused, never stored or queried.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Reads exactly one selector; a missing, doubled or malformed one is a 422 naming the fields. */
export function parseSelector(input: SelectorInput): Result<PrivacySelector> {
  const given = SELECTOR_FIELDS.filter((f) => input[f] !== undefined && input[f] !== null && input[f] !== '');
  if (given.length !== 1) {
    return fail('validation_failed', `Give exactly one of email, conversation_id or user_id.`, Object.fromEntries(SELECTOR_FIELDS.map((f) => [f, ONE_OF])));
  }
  const field = given[0] as (typeof SELECTOR_FIELDS)[number];
  const value = input[field];
  if (field === 'email') {
    if (typeof value !== 'string' || value.length > 320 || CONTROL.test(value) || !/^[^\s@]+@[^\s@]+$/.test(value.trim())) return fail('validation_failed', 'email is not an email address.', { email: 'must be an email address' });
    return ok({ kind: 'email', email: value.trim() });
  }
  if (field === 'conversation_id') {
    const id = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(id) || id < 1) return fail('validation_failed', 'conversation_id is not a conversation id.', { conversation_id: 'must be a positive integer' });
    return ok({ kind: 'conversation', id });
  }
  if (typeof value !== 'string' || value.trim() === '' || value.length > 255 || CONTROL.test(value)) return fail('validation_failed', 'user_id is not a user id.', { user_id: 'must be a string of 1 to 255 characters' });
  return ok({ kind: 'user', userId: value });
}

/** One file of an export: its metadata row's key, and the bytes (base64), or null when the store has none. */
export interface ExportedFile {
  attachment_id: number;
  name: string;
  type: string;
  data_base64: string | null;
}

export interface VisitorExport {
  format: 'parley-visitor-export';
  version: 1;
  exported_at: string;
  selector: { kind: PrivacySelector['kind'] };
  tables: Record<string, Record<string, unknown>[]>;
  files: ExportedFile[];
}

/**
 * Exports and erases everything about one visitor (docs/privacy.md): their conversations with
 * messages, notes, ratings, labels, tokens, tickets, links, webhook deliveries, files, and the
 * emails to their address. Each request leaves one `privacy_audit` row without personal data.
 */
export class PrivacyService {
  constructor(
    private readonly deps: {
      store: PrivacyStore;
      /** The stores by disk, to read a file's bytes for an export. */
      files: Partial<Record<FileStore['disk'], Pick<FileStore, 'get'>>>;
      /** Deletes the files of these conversations (`FilePurge.conversations`); answers how many. */
      deleteFiles: (conversationIds: number[]) => Promise<number>;
      hasher: Hasher;
      clock: Clock;
    },
  ) {}

  async export(selector: PrivacySelector, actor: string): Promise<VisitorExport> {
    const scope = await this.deps.store.scope(selector);
    const tables = await this.deps.store.collect(scope);
    const files: ExportedFile[] = [];
    for (const row of tables.attachments ?? []) {
      const store = this.deps.files[row.disk as FileStore['disk']];
      const bytes = store ? await store.get(String(row.storage_key)) : undefined;
      files.push({ attachment_id: Number(row.id), name: String(row.name), type: String(row.type), data_base64: bytes ? Buffer.from(bytes).toString('base64') : null });
    }
    const now = this.deps.clock.now();
    await this.deps.store.audit({
      ...this.auditBase('export', selector, actor, now),
      conversations: scope.conversationIds.length,
      messages: tables.messages?.length ?? 0,
      files: files.length,
    });
    return { format: 'parley-visitor-export', version: 1, exported_at: new Date(now).toISOString(), selector: { kind: selector.kind }, tables, files };
  }

  /** Deletes the visitor's files, then every row about them in one transaction; answers the counts. */
  async erase(selector: PrivacySelector, actor: string): Promise<ErasureCounts> {
    const scope = await this.deps.store.scope(selector);
    // Files first, while the rows still say where they are: a storage outage leaves the rows to a retry.
    const files = scope.conversationIds.length > 0 ? await this.deps.deleteFiles(scope.conversationIds) : 0;
    return this.deps.store.erase(scope, { ...this.auditBase('erase', selector, actor, this.deps.clock.now()), files });
  }

  private auditBase(action: 'export' | 'erase', selector: PrivacySelector, actor: string, now: number) {
    const value = selector.kind === 'email' ? selector.email.toLowerCase() : selector.kind === 'user' ? selector.userId : String(selector.id);
    return { action, selector_kind: selector.kind, subject_hash: this.deps.hasher.hash('privacy-subject', `${selector.kind}:${value}`), actor, created_at: now };
  }
}
