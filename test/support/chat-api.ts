import type { MessageDto } from '../../src/chat/dto.js';
import type { Engine } from '../../src/storage/engine.js';
import { useHarness, type Harness } from './harness.js';

export const FP_A = 'a'.repeat(64);
export const FP_B = 'b'.repeat(64);
export const IP_1 = '203.0.113.10';
export const IP_2 = '198.51.100.20';
export const HOUR = 3_600_000;
/** The site embedding the widget: rules 5 and 6 match only requests from the site that started the conversation. */
export const SITE = 'https://shop.example';

/** The answer of `POST /api/chat/start` (docs/api.md, "`POST /api/chat/start`"). */
export interface Started {
  conversation: { id: number; status: string; last_seq: number };
  visitor_token: string;
  messages: MessageDto[];
  resumed: boolean;
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A harness per test on `engine` (skipped where the engine is not up), and the visitor's calls against it. */
export function useChatApi(engine: Engine) {
  const harness = useHarness(engine);

  return {
    /** The running harness (a new one after `restart`). */
    get h(): Harness {
      return harness.h;
    },
    /** Replaces the harness with one started with `env` on the same engine. */
    restart: (env: Record<string, string>) => harness.restart(env),
    start: async (json: Record<string, unknown> = {}, opts: { ip?: string; ua?: string; token?: string } = {}) => {
      const res = await harness.h.request({
        method: 'POST',
        url: '/api/chat/start',
        ip: opts.ip ?? IP_1,
        json,
        headers: { origin: SITE, ...(opts.ua ? { 'user-agent': opts.ua } : {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
      });
      return { res, body: res.json() as Started };
    },
    send: (id: number, token: string, json: unknown, ip = IP_1) => harness.h.request({ method: 'POST', url: `/api/chat/${id}/messages`, headers: auth(token), json, ip }),
    poll: async (id: number, token: string, after = 0) => {
      const res = await harness.h.request({ method: 'GET', url: `/api/chat/${id}/messages?after=${after}`, headers: auth(token) });
      return res.json() as { messages: MessageDto[]; last_seq: number };
    },
    status: (id: number, token: string) => harness.h.request({ method: 'GET', url: `/api/chat/${id}/status`, headers: auth(token) }),
    lookup: (fingerprint: string, ip: string, ua?: string) =>
      harness.h.request({ method: 'POST', url: '/api/chat/lookup', ip, json: { fingerprint }, headers: { origin: SITE, ...(ua ? { 'user-agent': ua } : {}) } }),
  };
}
