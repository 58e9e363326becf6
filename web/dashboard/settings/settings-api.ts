import { api, type ApiResult } from '../api.js';
import type { ChatSettingsDto } from '../types.js';

/** `GET`/`PATCH /api/agent/settings` (docs/api.md, "Chat settings"); injected so the form is tested without HTTP. */
export interface SettingsApi {
  load(): Promise<ApiResult<{ settings: ChatSettingsDto }>>;
  /** Only the fields that changed; the answer is every setting as saved. */
  save(changes: Partial<ChatSettingsDto>): Promise<ApiResult<{ settings: ChatSettingsDto }>>;
}

/** The settings API over the page's cookie session. */
export const httpSettingsApi: SettingsApi = {
  load: () => api('GET', '/api/agent/settings'),
  save: (changes) => api('PATCH', '/api/agent/settings', changes),
};
