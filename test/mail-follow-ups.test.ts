import { beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../src/storage/engine.js';
import type { StartAnswer } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';
import { FOLLOW_UP_DELAY_MS, useFollowUpWorld, linkToken, SHOP, type FollowUpWorld } from './support/follow-up-world.js';
import type { ReceivedMail } from './support/smtp-message.js';

// The visitor's follow-up email (docs/email.md, "What is sent when"): a visitor with an email
// who has not read an agent's replies CHAT_FOLLOWUP_DELAY_SECONDS after the first of them gets one
// email with every unread reply and a single-use link that reopens the conversation.

const toVisitor = (mails: ReceivedMail[]): ReceivedMail[] => mails.filter((m) => m.recipients.includes('ann@example.test'));

describe.each(ENGINES)('follow-up emails to visitors on %s', (engine: Engine) => {
  const world = useFollowUpWorld(engine);
  let w: FollowUpWorld;
  let started: StartAnswer;
  beforeEach(() => {
    [w, started] = [world.world(), world.started()];
  });

  it('sends one email per burst of replies, with every reply in order, once the delay has passed', async () => {
    const id = started.conversation.id;
    await w.reply(id, 'Hi Ann, let me check.');
    await w.reply(id, 'It left our warehouse today.');
    await w.reply(id, 'Tracking: <b>XY123</b>');

    expect(toVisitor(await w.after(FOLLOW_UP_DELAY_MS - 1_000))).toHaveLength(0);
    const mails = toVisitor(await w.after(1_000));

    expect(mails).toHaveLength(1);
    const [mail] = mails as [ReceivedMail];
    expect(mail.subject).toBe('3 new replies to your message');
    expect(mail.text.indexOf('let me check')).toBeLessThan(mail.text.indexOf('warehouse'));
    expect(mail.text.indexOf('warehouse')).toBeLessThan(mail.text.indexOf('XY123'));
    // Agent text is text: escaped in the HTML body, never markup.
    expect(mail.html).toContain('&lt;b&gt;XY123&lt;/b&gt;');
    // The page it came from (the widget reports it without its query string).
    expect(linkToken(mail).url).toBe(`${SHOP}/cart`);
    // Sweeping again finds nothing new: still one email.
    expect(toVisitor(await w.after(FOLLOW_UP_DELAY_MS))).toHaveLength(1);
    expect(await w.kinds()).toMatchObject({ 'follow-up': 1 });
  });

  it('sends nothing when the visitor read the replies in time (the open widget marks them read)', async () => {
    const id = started.conversation.id;
    const reply = await w.reply(id, 'Hi Ann!');
    const read = await w.h.request({ method: 'POST', url: `/api/chat/${id}/read`, headers: { authorization: `Bearer ${started.visitor_token}` }, json: { seq: reply.seq } });
    expect(read.statusCode, read.body).toBeLessThan(300);

    expect(toVisitor(await w.after(FOLLOW_UP_DELAY_MS))).toHaveLength(0);
  });

  it('starts a new burst with the replies after the last email only', async () => {
    const id = started.conversation.id;
    await w.reply(id, 'First answer.');
    await w.after(FOLLOW_UP_DELAY_MS);
    await w.reply(id, 'Second answer.');

    const mails = toVisitor(await w.after(FOLLOW_UP_DELAY_MS));

    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toBe('Admin replied to your message');
    expect(mails[1]?.text).toContain('Second answer.');
    expect(mails[1]?.text).not.toContain('First answer.');
  });

  it('never emails a visitor who gave no email, or who unsubscribed', async () => {
    const anonymous = await w.start({ email: undefined, fingerprint: 'fp00000000000002deadbeef', client_message_id: 'v-2' });
    await w.reply(anonymous.conversation.id, 'Hello stranger.');
    await w.h.parley.mail.suppressions.suppress('ann@example.test', w.h.clock.now());
    await w.reply(started.conversation.id, 'Hello Ann.');

    expect(toVisitor(await w.after(FOLLOW_UP_DELAY_MS))).toHaveLength(0);
    expect(await w.kinds()).not.toHaveProperty('follow-up');
  });

  it('links to the site’s root for a page on another site, and to Parley’s own page for a conversation without a site', async () => {
    const foreign = await w.start({ fingerprint: 'fp00000000000003deadbeef', email: 'bob@example.test', page_url: 'https://evil.example/phish', client_message_id: 'v-3' });
    const headless = await w.start({ fingerprint: 'fp00000000000004deadbeef', email: 'cy@example.test', client_message_id: 'v-4' }, null);
    await w.reply(foreign.conversation.id, 'Hi Bob.');
    await w.reply(headless.conversation.id, 'Hi Cy.');

    const mails = await w.after(FOLLOW_UP_DELAY_MS);
    const to = (address: string) => linkToken(mails.find((m) => m.recipients.includes(address)) as ReceivedMail).url;

    expect(to('bob@example.test')).toBe(`${SHOP}/`);
    expect(to('cy@example.test')).toBe('https://chat.example/');
  });
});

describe.each(ENGINES)('the link of a follow-up email on %s', (engine: Engine) => {
  const world = useFollowUpWorld(engine);
  let w: FollowUpWorld;
  let started: StartAnswer;
  let token: string;
  beforeEach(async () => {
    [w, started] = [world.world(), world.started()];
    await w.reply(started.conversation.id, 'Your parcel is on its way.');
    token = linkToken(toVisitor(await w.after(FOLLOW_UP_DELAY_MS))[0] as ReceivedMail).token;
  });

  const redeem = (json: unknown, ip?: string) => w.h.request({ method: 'POST', url: '/api/chat/link', json, ...(ip ? { ip } : {}) });

  it('opens the conversation on any device with the whole transcript, and the visitor’s reply continues it', async () => {
    const res = await redeem({ token }, '198.51.100.7');

    expect(res.statusCode, res.body).toBe(200);
    const session = res.json<StartAnswer>();
    expect(session.conversation.id).toBe(started.conversation.id);
    expect(session.messages.map((m) => m.body)).toEqual(['Where is my order?', 'Your parcel is on its way.']);
    const sent = await w.visitorSends(session, 'Thanks!');
    expect(sent.seq).toBe(3);
  });

  it('works once: a second use, an unknown token and an expired link are the same 404', async () => {
    expect((await redeem({ token })).statusCode).toBe(200);
    const again = await redeem({ token });

    expect(again.statusCode).toBe(404);
    expect(again.json()).toEqual({ error: { code: 'not_found', message: 'This link is unknown, already used or expired.', fields: { token: 'is unknown, used or expired' } } });
    expect((await redeem({ token: 'x'.repeat(43) })).statusCode).toBe(404);
  });

  it('expires after seven days', async () => {
    w.h.clock.advance(7 * 86_400_000 + 1);

    expect((await redeem({ token })).statusCode).toBe(404);
  });

  it('refuses a body without a token, naming the field', async () => {
    for (const body of [{}, { token: 42 }, { token: '' }, { token: 't'.repeat(201) }, 'token']) {
      const res = await redeem(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('validation_failed');
    }
  });
});
