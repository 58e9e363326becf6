import type { ApiResult } from '../../shared/api-result.js';
import type { Strings } from './strings.js';

/** The answer of `POST /api/chat/{id}/transcript` (docs/api.md). */
export interface TranscriptAnswer {
  status: 'queued' | 'suppressed';
}

/**
 * What the visitor reads after asking: the widget cannot know whether a resumed conversation has
 * an email, so the server's answer is shown; its message for refusals the widget has no text of.
 */
export function transcriptNotice(result: ApiResult<TranscriptAnswer>, s: Pick<Strings, 'transcriptSent' | 'transcriptUnsubscribed' | 'transcriptNoEmail' | 'transcriptFailed'>): { text: string; error: boolean } {
  if (result.ok) return { text: result.data.status === 'suppressed' ? s.transcriptUnsubscribed : s.transcriptSent, error: result.data.status === 'suppressed' };
  if (result.error.code === 'no_email') return { text: s.transcriptNoEmail, error: true };
  const own = result.status >= 400 && result.status < 500 && result.error.code !== 'unexpected_response' && result.error.message.trim() !== '';
  return { text: own ? result.error.message : s.transcriptFailed, error: true };
}
