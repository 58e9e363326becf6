import { api, type ApiResult } from '../api.js';

export type TokenScope = 'read' | 'write' | 'admin';

/** An API token as `GET /api/agent/tokens` lists it (docs/api.md, "API tokens"): never the token itself. */
export interface ApiToken {
  id: number;
  name: string;
  scopes: TokenScope[];
  agent: { id: number; name: string };
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export const listTokens = (): Promise<ApiResult<{ api_tokens: ApiToken[] }>> => api('GET', '/api/agent/tokens');
export const createToken = (input: { name: string; scopes: TokenScope[]; expires_at: string | null }): Promise<ApiResult<{ token: string; api_token: ApiToken }>> =>
  api('POST', '/api/agent/tokens', input);
export const revokeToken = (id: number): Promise<ApiResult<unknown>> => api('DELETE', `/api/agent/tokens/${id}`);
