import { createHmac } from 'node:crypto';

/**
 * `X-Parley-Signature` (docs/webhooks.md, "Verifying a delivery"): `t=<unix seconds>,v1=<hex>`,
 * where the hex is HMAC-SHA256 with the endpoint's secret over `t + "." + body`.
 */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
