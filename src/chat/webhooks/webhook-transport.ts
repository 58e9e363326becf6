/** One POST to an endpoint (docs/webhooks.md). */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The whole exchange is abandoned after this long. */
  timeoutMs: number;
}

/** What came of it: the status code, or why there is none (refused, timed out…). */
export type WebhookResponse = { status: number } | { error: string };

/** The chat's port for sending webhooks; implemented with `fetch` in src/compose/webhooks-for.ts. */
export interface WebhookTransport {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}
