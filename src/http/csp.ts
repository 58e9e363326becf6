import type { Config } from '../config/config.js';

/**
 * Where Parley's own pages may open WebSockets: the realtime host browsers are told about
 * (`GET /api/chat/config`), never any `ws:`/`wss:` host. Behind a TLS proxy a page may be https
 * while `REVERB_SCHEME` says http, so an http realtime host is allowed over both schemes.
 */
export function webSocketSources(broadcast: Config['broadcast']): string[] {
  const { driver, reverb, pusher } = broadcast;
  if (driver === 'reverb') {
    const host = hostForUrl(reverb.host);
    if (host === "'none'") return [];
    const hostPort = `${host}:${reverb.port}`;
    return reverb.scheme === 'https' ? [`wss://${hostPort}`] : [`ws://${hostPort}`, `wss://${hostPort}`];
  }
  if (driver === 'pusher') {
    const host = hostForUrl(pusher.host ?? `ws-${pusher.cluster}.pusher.com`);
    if (host === "'none'") return [];
    const tls = (pusher.scheme ?? 'https') === 'https';
    const at = (port: number | undefined) => (port === undefined ? host : `${host}:${port}`);
    return tls ? [`wss://${at(pusher.port)}`] : [`ws://${at(pusher.port ?? 80)}`, `wss://${at(pusher.port ?? 443)}`];
  }
  return [];
}

/**
 * The Content-Security-Policy of Parley's own pages (the dashboard and the demo page): scripts and
 * styles from Parley only (inline styles for the widget's shadow root), WebSockets only to its
 * realtime host, no framing, no `<base>`, no plugins.
 */
export function contentSecurityPolicy(broadcast: Config['broadcast']): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `connect-src ${["'self'", ...webSocketSources(broadcast)].join(' ')}`,
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** IPv6 literals go in brackets in a URL; anything that is not a host name or address is left out of the policy. */
function hostForUrl(host: string): string {
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) return "'none'";
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
