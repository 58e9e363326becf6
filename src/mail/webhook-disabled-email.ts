import type { EmailTemplate } from './email-template.js';

/** What admins are told when an endpoint is disabled after persistent failure (docs/webhooks.md, "Disabling"). */
export interface WebhookDisabledEmailData {
  webhookId: number;
  url: string;
  /** When the run of failures began. */
  failingSince: Date;
  /** The last answer: a status code or an error. */
  lastError: string | null;
  /** The dashboard's webhooks page. */
  dashboardUrl: string;
}

/** The `webhook-disabled` email to every active admin. */
export const webhookDisabledEmail: EmailTemplate<WebhookDisabledEmailData> = (data) => ({
  subject: `Webhook disabled: ${data.url}`,
  blocks: [
    { kind: 'paragraph', text: `The webhook endpoint ${data.url} (#${data.webhookId}) has failed every delivery since ${data.failingSince.toISOString()}, so Parley has disabled it.` },
    ...(data.lastError !== null ? [{ kind: 'paragraph' as const, text: `Last answer: ${data.lastError}` }] : []),
    { kind: 'paragraph', text: 'Events are no longer queued for it. Deliveries already queued wait, and are sent once an admin re-enables the endpoint.' },
    { kind: 'link', text: 'Open webhooks in the dashboard', url: data.dashboardUrl },
  ],
});
