import { beforeEach, describe, expect, it } from 'vitest';
import { JOIN_NOTE } from '../src/chat/chat-service.js';
import { siteOrigin } from '../src/http/routes/chat-routes.js';
import type { MessageDto } from '../src/chat/dto.js';
import { ENGINES } from './support/engines.js';
import { useHarness, type Harness } from './support/harness.js';

const FP_A = 'a'.repeat(64);
const FP_B = 'b'.repeat(64);
const IP = '203.0.113.10';
const SITE = 'https://shop.example';
const OTHER_SITE = 'https://evil.example';
const NO_ORIGIN = null;

interface Session {
  conversation: { id: number };
  visitor_token: string;
  messages: MessageDto[];
  resumed?: boolean;
}

describe.each(ENGINES)('guards on resume rules 5 and 6 (docs/security.md, "What the resume rules trust") on %s', (engine) => {
  const harness = useHarness(engine);
  let h: Harness;
  beforeEach(() => {
    h = harness.h;
  });

  /** Headers of a browser request from `origin`; `NO_ORIGIN`: a request without an Origin header (curl, a server). */
  const from = (origin: string | null) => (origin === NO_ORIGIN ? {} : { origin });
  const start = (json: Record<string, unknown>, origin: string | null = SITE, ip = IP) =>
    h.request({ method: 'POST', url: '/api/chat/start', ip, json, headers: from(origin) });
  const lookup = (fingerprint: string, origin: string | null = SITE, ip = IP) =>
    h.request({ method: 'POST', url: '/api/chat/lookup', ip, json: { fingerprint }, headers: from(origin) });
  const resume = (ticket: string, fingerprint: string, origin: string | null = SITE) =>
    h.request({ method: 'POST', url: '/api/chat/resume', ip: IP, json: { resume_ticket: ticket, fingerprint }, headers: from(origin) });
  const send = (id: number, token: string, json: unknown) =>
    h.request({ method: 'POST', url: `/api/chat/${id}/messages`, ip: IP, json, headers: { authorization: `Bearer ${token}` } });
  const ticketRows = () => h.parley.storage.db.selectFrom('resume_tickets').selectAll().execute();

  describe('the starting Origin', () => {
    it('is stored with the conversation; without an Origin header nothing is stored', async () => {
      const withOrigin = (await start({ fingerprint: FP_A }, SITE)).json() as Session;
      const without = (await start({ fingerprint: FP_B }, NO_ORIGIN)).json() as Session;
      const rows = await h.parley.storage.db.selectFrom('conversations').select(['id', 'origin']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: withOrigin.conversation.id, origin: SITE },
        { id: without.conversation.id, origin: null },
      ]);
    });

    it('another site open in the same browser (same fingerprint, IP and user agent) gets neither a token nor a transcript from lookup', async () => {
      await start({ fingerprint: FP_A, message: 'my order number is 1234' });
      const res = await lookup(FP_A, OTHER_SITE);
      expect(res.json()).toEqual({ match: 'none' });
      expect(res.body).not.toContain('1234');
    });

    it('another site gets no rule-5 offer either', async () => {
      await start({ fingerprint: FP_A, message: 'hi' });
      expect((await lookup(FP_B, OTHER_SITE)).json()).toEqual({ match: 'none' });
      expect(await ticketRows()).toEqual([]);
    });

    it('another site calling start with the same fingerprint gets a new, empty conversation (no rule-6 resume)', async () => {
      const mine = (await start({ fingerprint: FP_A, message: 'private' })).json() as Session;
      const theirs = await start({ fingerprint: FP_A }, OTHER_SITE);
      expect(theirs.statusCode).toBe(201);
      expect((theirs.json() as Session).conversation.id).not.toBe(mine.conversation.id);
      expect((theirs.json() as Session).messages).toEqual([]);
    });

    it('a request without Origin matches nothing through lookup or start, but starts and uses its own token', async () => {
      await start({ fingerprint: FP_A, message: 'from the widget' });
      expect((await lookup(FP_A, NO_ORIGIN)).json()).toEqual({ match: 'none' });
      expect((await lookup(FP_B, NO_ORIGIN)).json()).toEqual({ match: 'none' });
      const own = await start({ fingerprint: FP_A, message: 'from curl' }, NO_ORIGIN);
      expect(own.statusCode).toBe(201);
      const session = own.json() as Session;
      expect(session.messages.map((m) => m.body)).toEqual(['from curl']);
      expect((await send(session.conversation.id, session.visitor_token, { body: 'again', client_message_id: 'x1' })).statusCode).toBe(201);
      // Its conversation is never matched later, not even from the same site.
      expect((await lookup(FP_A, SITE)).json()).toMatchObject({ match: 'device' });
      const fromSite = (await lookup(FP_A, SITE)).json() as Session;
      expect(fromSite.conversation.id).not.toBe(session.conversation.id);
    });

    it('the opaque origin "null" (sandboxed frames) counts as no origin: it never matches, even a conversation started with it', async () => {
      const started = await start({ fingerprint: FP_A, message: 'hi' }, 'null');
      expect(started.statusCode).toBe(201);
      expect((await lookup(FP_A, 'null')).json()).toEqual({ match: 'none' });
      expect((await lookup(FP_B, 'null')).json()).toEqual({ match: 'none' });
    });

    it('a resume ticket works only from the site of its conversation', async () => {
      await start({ fingerprint: FP_A, message: 'hi' });
      const offer = (await lookup(FP_B)).json() as { resume_ticket: string };
      expect((await resume(offer.resume_ticket, FP_B, OTHER_SITE)).statusCode).toBe(404);
      // The failed attempt used the ticket up; a new lookup from the site gets a new one that works.
      const again = (await lookup(FP_B)).json() as { resume_ticket: string };
      expect(again.resume_ticket).not.toBe(offer.resume_ticket);
      expect((await resume(again.resume_ticket, FP_B, NO_ORIGIN)).statusCode).toBe(404);
      const third = (await lookup(FP_B)).json() as { resume_ticket: string };
      expect((await resume(third.resume_ticket, FP_B, SITE)).statusCode).toBe(200);
    });
  });

  /** Two open conversations with the same fingerprint, IP, user agent and origin (identical devices behind one NAT). */
  async function twoIdenticalDevices(): Promise<number[]> {
    const first = (await start({ fingerprint: FP_A, message: 'first phone: secret 1' })).json() as Session;
    const row = await h.parley.storage.db.selectFrom('conversations').selectAll().where('id', '=', first.conversation.id).executeTakeFirstOrThrow();
    const { id: _id, ...copy } = row;
    const second = await h.parley.storage.db.insertInto('conversations').values({ ...copy, visitor_token_hash: 'other-device' }).returning('id').executeTakeFirstOrThrow();
    return [first.conversation.id, second.id];
  }

  describe('two or more exact matches', () => {
    it('are treated as rule 5: lookup offers a ticket for the most recent, and joining shows no earlier transcript', async () => {
      const [, second] = await twoIdenticalDevices();
      const answer = await lookup(FP_A);
      expect(answer.json()).toEqual({ match: 'network', resume_ticket: expect.any(String) });
      expect(answer.body).not.toContain('secret');
      const joined = await resume((answer.json() as { resume_ticket: string }).resume_ticket, FP_A);
      expect(joined.statusCode).toBe(200);
      expect((joined.json() as Session).conversation.id).toBe(second);
      expect((joined.json() as Session).messages.map((m) => m.body)).toEqual([JOIN_NOTE]);
    });

    it('make start open a new conversation instead of resuming one with its transcript', async () => {
      await twoIdenticalDevices();
      const res = await start({ fingerprint: FP_A, message: 'third identical phone' });
      expect(res.statusCode).toBe(201);
      expect((res.json() as Session).messages.map((m) => m.body)).toEqual(['third identical phone']);
    });
  });

  describe('a resend from a rule-5 join', () => {
    it('of a client_message_id used before the join answers 422, never the earlier message', async () => {
      const first = (await start({ fingerprint: FP_A, message: 'card ends 4242', client_message_id: 'm-1' })).json() as Session;
      const offer = (await lookup(FP_B)).json() as { resume_ticket: string };
      const joined = (await resume(offer.resume_ticket, FP_B)).json() as Session;
      const res = await send(first.conversation.id, joined.visitor_token, { body: 'anything', client_message_id: 'm-1' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ error: { code: 'validation_failed', fields: { client_message_id: expect.any(String) } } });
      expect(res.body).not.toContain('4242');
    });

    it('of its own client_message_id still answers its own message (idempotent)', async () => {
      const first = (await start({ fingerprint: FP_A, message: 'hi' })).json() as Session;
      const joined = (await resume(((await lookup(FP_B)).json() as { resume_ticket: string }).resume_ticket, FP_B)).json() as Session;
      expect((await send(first.conversation.id, joined.visitor_token, { body: 'mine', client_message_id: 'j-1' })).statusCode).toBe(201);
      const again = await send(first.conversation.id, joined.visitor_token, { body: 'mine', client_message_id: 'j-1' });
      expect(again.statusCode).toBe(200);
      expect(again.json().message).toMatchObject({ body: 'mine', client_message_id: 'j-1' });
    });

    it('the original token still gets its earlier message back on a resend', async () => {
      const first = (await start({ fingerprint: FP_A, message: 'hello', client_message_id: 'm-1' })).json() as Session;
      await resume(((await lookup(FP_B)).json() as { resume_ticket: string }).resume_ticket, FP_B);
      const again = await send(first.conversation.id, first.visitor_token, { body: 'hello', client_message_id: 'm-1' });
      expect(again.statusCode).toBe(200);
      expect(again.json().message.seq).toBe(1);
    });
  });

  describe('resume tickets', () => {
    it('are reused, not multiplied: 20 lookups from one device answer one ticket, stored once', async () => {
      await start({ fingerprint: FP_A, message: 'hi' });
      const tickets = new Set<string>();
      for (let i = 0; i < 20; i++) {
        h.clock.advance(1000);
        tickets.add(((await lookup(FP_B)).json() as { resume_ticket: string }).resume_ticket);
      }
      expect(tickets.size).toBe(1);
      expect(await ticketRows()).toHaveLength(1);
      expect((await resume([...tickets][0] as string, FP_B)).statusCode).toBe(200);
    });

    it('a new ticket is issued once the held one is used or expired, and another device gets its own', async () => {
      const started = (await start({ fingerprint: FP_A, message: 'hi' })).json() as Session;
      const first = ((await lookup(FP_B)).json() as { resume_ticket: string }).resume_ticket;
      const otherDevice = ((await lookup('c'.repeat(64))).json() as { resume_ticket: string }).resume_ticket;
      expect(otherDevice).not.toBe(first);

      h.clock.advance(10 * 60_000 + 1);
      const afterExpiry = ((await lookup(FP_B)).json() as { resume_ticket: string }).resume_ticket;
      expect(afterExpiry).not.toBe(first);
      expect((await resume(first, FP_B)).statusCode).toBe(404);
      expect((await resume(afterExpiry, FP_B)).statusCode).toBe(200);

      // Still the same network and site: after the join, the offer is for the same conversation, with a fresh ticket.
      const afterUse = ((await lookup(FP_B)).json() as { resume_ticket: string }).resume_ticket;
      expect(afterUse).not.toBe(afterExpiry);
      expect((await resume(afterUse, FP_B)).json().conversation.id).toBe(started.conversation.id);
    });
  });
});

describe('siteOrigin (the Origin header rules 5 and 6 compare)', () => {
  it.each([
    ['an https site', 'https://shop.example', 'https://shop.example'],
    ['an http site with a port', 'http://localhost:8080', 'http://localhost:8080'],
    ['no header', undefined, undefined],
    ['the opaque origin null', 'null', undefined],
    ['a non-http scheme', 'chrome-extension://abcdef', undefined],
    ['a value with a path (not a serialized origin)', 'https://shop.example/', undefined],
    ['a value in another case than browsers serialize', 'https://Shop.example', undefined],
    ['garbage', 'not a url', undefined],
    ['a repeated header', ['https://a.example', 'https://b.example'], undefined],
    ['an over-long value', `https://${'a'.repeat(400)}.example`, undefined],
  ] as const)('%s → %s', (_label, header, expected) => {
    expect(siteOrigin(header as string | string[] | undefined)).toBe(expected);
  });
});
