import { api, type ApiResult } from '../api.js';
import type { CannedResponse } from './slash.js';

/** What an agent writes; `shared` only admins may set (docs/api.md, "Canned responses"). */
export interface CannedDraft {
  shortcut: string;
  body: string;
  shared: boolean;
}

/** `/api/agent/canned-responses`; injected so the library is tested without HTTP. */
export interface CannedApi {
  list(): Promise<ApiResult<{ canned_responses: CannedResponse[] }>>;
  create(draft: CannedDraft): Promise<ApiResult<{ canned_response: CannedResponse }>>;
  update(id: number, draft: Partial<CannedDraft>): Promise<ApiResult<{ canned_response: CannedResponse }>>;
  remove(id: number): Promise<ApiResult<unknown>>;
}

/** The canned responses API over the page's cookie session. */
export const httpCannedApi: CannedApi = {
  list: () => api('GET', '/api/agent/canned-responses'),
  create: (draft) => api('POST', '/api/agent/canned-responses', draft),
  update: (id, draft) => api('PATCH', `/api/agent/canned-responses/${id}`, draft),
  remove: (id) => api('DELETE', `/api/agent/canned-responses/${id}`),
};
