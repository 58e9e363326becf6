import { api, type ApiResult } from '../api.js';
import type { Conversation } from '../types.js';

/** A label as `GET /api/agent/labels` lists it (docs/api.md, "Labels"). */
export interface Label {
  id: number;
  name: string;
  color: string | null;
}

export const listLabels = (): Promise<ApiResult<{ labels: Label[] }>> => api('GET', '/api/agent/labels');
export const createLabel = (name: string, color: string | null): Promise<ApiResult<{ label: Label }>> => api('POST', '/api/agent/labels', { name, color });
export const deleteLabel = (id: number): Promise<ApiResult<unknown>> => api('DELETE', `/api/agent/labels/${id}`);
export const setConversationLabels = (id: number, labels: string[]): Promise<ApiResult<{ conversation: Conversation }>> =>
  api('PUT', `/api/agent/conversations/${id}/labels`, { labels });
