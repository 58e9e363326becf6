import type { Agent } from 'node:http';
import { httpAgent, inPool, jsonRequest } from './http.js';
import { ADMIN } from './servers.js';

/** A visitor's open conversation, as the widget keeps it, and the IP it comes from. */
export interface Visitor {
  id: number;
  token: string;
  after: number;
  ip: string;
}

/**
 * Visitor i's address, sent as X-Forwarded-For (the bench runs Parley with TRUST_PROXY=loopback):
 * a thousand visitors behind one IP would all be resume candidates of each other (rules 5–6), a
 * cost real sites do not have.
 */
export const visitorIp = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

interface StartAnswer {
  conversation: { id: number; last_seq: number };
  visitor_token: string;
}

/** Opens `count` conversations as distinct visitors (each with a first message), 16 at a time. */
export async function startConversations(base: string, count: number): Promise<Visitor[]> {
  const agent = httpAgent(16);
  try {
    return await inPool(Array.from({ length: count }, (_, i) => i), 16, async (i) => {
      const body = JSON.stringify({ name: `Visitor ${i}`, message: 'Hello, a question about my order', fingerprint: `bench-fingerprint-${process.pid}-${i}` });
      const ip = visitorIp(i);
      const { data } = await jsonRequest<StartAnswer>(base, { method: 'POST', path: '/api/chat/start', headers: { 'x-forwarded-for': ip }, body }, agent);
      return { id: data.conversation.id, token: data.visitor_token, after: data.conversation.last_seq, ip };
    });
  } finally {
    agent.destroy();
  }
}

/** Logs the bench admin in: the session cookie and CSRF token the dashboard would hold. */
export async function agentLogin(base: string): Promise<{ cookie: string; csrf: string }> {
  const agent: Agent = httpAgent(1);
  try {
    const { data, headers } = await jsonRequest<{ csrf_token: string }>(base, { method: 'POST', path: '/api/agent/login', body: JSON.stringify(ADMIN) }, agent);
    const session = (headers['set-cookie'] ?? []).map((c) => c.split(';')[0] as string).find((c) => c.startsWith('parley_session='));
    if (!session) throw new Error('login answered without a parley_session cookie');
    return { cookie: session, csrf: data.csrf_token };
  } finally {
    agent.destroy();
  }
}
