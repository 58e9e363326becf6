import type { Generated } from 'kysely';

/** One export or erasure (docs/privacy.md, "Audit"): counts and who, never personal data. */
export interface PrivacyAuditTable {
  id: Generated<number>;
  action: 'export' | 'erase';
  selector_kind: 'email' | 'conversation' | 'user';
  /** Keyed hash (APP_KEY) of the selector's value: repeated requests about one visitor correlate. */
  subject_hash: string;
  conversations: number;
  messages: number;
  files: number;
  /** `agent:{id}` or `cli`. */
  actor: string;
  created_at: number;
}

/** When a periodic job may run next; claimed by a conditional update (docs/privacy.md, "Retention"). */
export interface MaintenanceRunsTable {
  job: string;
  next_run_at: number;
}
