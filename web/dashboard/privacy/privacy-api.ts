import { api, type ApiResult } from '../api.js';

/** Which selector finds the visitor (docs/privacy.md, "Export and erasure"). */
export type SelectorField = 'email' | 'conversation_id' | 'user_id';

/** The export as `GET /api/agent/visitors/export` answers it; only what the page shows is typed. */
export interface VisitorExport {
  tables: Record<string, unknown[]>;
  files: unknown[];
}

export interface Erased {
  conversations: number;
  messages: number;
  files: number;
}

export const exportVisitor = (field: SelectorField, value: string): Promise<ApiResult<VisitorExport>> =>
  api('GET', `/api/agent/visitors/export?${new URLSearchParams({ [field]: value }).toString()}`);

export const eraseVisitor = (field: SelectorField, value: string): Promise<ApiResult<{ erased: Erased }>> =>
  api('POST', '/api/agent/visitors/erase', { [field]: field === 'conversation_id' && /^\d+$/.test(value) ? Number(value) : value });
