import { beforeEach, describe, expect, it } from 'vitest';
import type { NoteDto } from '../src/chat/dto.js';
import type { Engine } from '../src/storage/engine.js';
import type { StartAnswer } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';
import { FOLLOW_UP_DELAY_MS, linkToken, SHOP, useFollowUpWorld, type FollowUpWorld } from './support/follow-up-world.js';
import type { ReceivedMail } from './support/smtp-message.js';

// Internal notes and email (docs/email.md, "What is sent when"): a mentioned agent gets a `mention`
// email; the visitor's transcript and follow-up emails, and the follow-up's link, never carry a note.

const SECRET = 'Internal: customer owes us 40 EUR';
const toVisitor = (mails: ReceivedMail[]): ReceivedMail[] => mails.filter((m) => m.recipients.includes('ann@example.test'));

describe.each(ENGINES)('internal notes and email on %s', (engine: Engine) => {
  const world = useFollowUpWorld(engine);
  let w: FollowUpWorld;
  let started: StartAnswer;
  beforeEach(() => {
    [w, started] = [world.world(), world.started()];
  });

  const note = async (body: string, session = w.admin): Promise<NoteDto> => {
    const res = await w.h.request({ method: 'POST', url: `/api/agent/conversations/${started.conversation.id}/notes`, json: { body }, headers: session.headers });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ note: NoteDto }>().note;
  };
  /** Every email the SMTP server received once the queue is drained. */
  const delivered = async (): Promise<ReceivedMail[]> => w.after(0);
  const mentionsTo = (mails: ReceivedMail[], email: string) => mails.filter((m) => m.recipients.includes(email) && m.subject.includes('mentioned you'));

  it('emails each mentioned agent once, with the note and a link to the conversation, never its author', async () => {
    const sam = await w.agent('Sam');
    const kim = await w.agent('Kim');
    await w.agent('Lee');
    const written = await note(`@sam and @Kim: check the <b>invoice</b>. @Sam again`, sam.session);

    const mails = await delivered();
    expect(mentionsTo(mails, kim.email)).toHaveLength(1);
    expect(mentionsTo(mails, sam.email)).toHaveLength(0);
    expect(mentionsTo(mails, 'lee@example.test')).toHaveLength(0);
    const [mail] = mentionsTo(mails, kim.email) as [ReceivedMail];
    expect(mail.subject).toBe(`Sam mentioned you in conversation #${started.conversation.id}`);
    expect(mail.text).toContain('check the <b>invoice</b>');
    expect(mail.html).toContain('&lt;b&gt;invoice&lt;/b&gt;');
    expect(mail.text).toContain(`https://chat.example/stratus/conversations/${started.conversation.id}`);
    expect(written.mentions).toEqual([sam.id, kim.id]);
    expect(await w.kinds()).toMatchObject({ mention: 1 });
  });

  it('sends no mention email for a note that names nobody', async () => {
    await note('just a thought, no @nobody here');
    expect((await w.kinds()).mention).toBeUndefined();
  });

  it('keeps notes out of the transcript email', async () => {
    await w.reply(started.conversation.id, 'Your parcel is on its way.');
    await note(SECRET);
    const res = await w.h.request({ method: 'POST', url: `/api/chat/${started.conversation.id}/transcript`, headers: { origin: SHOP, authorization: `Bearer ${started.visitor_token}` }, json: {} });
    expect(res.statusCode, res.body).toBe(202);

    const [mail] = toVisitor(await delivered()) as [ReceivedMail];
    expect(mail.text).toContain('Your parcel is on its way.');
    expect(mail.text).not.toContain(SECRET);
    expect(mail.html).not.toContain('40 EUR');
  });

  it('keeps notes out of the follow-up email and out of what its link opens', async () => {
    await w.reply(started.conversation.id, 'Your parcel is on its way.');
    await note(SECRET);
    await w.reply(started.conversation.id, 'It arrives Monday.');

    const mails = toVisitor(await w.after(FOLLOW_UP_DELAY_MS));
    expect(mails).toHaveLength(1);
    const [mail] = mails as [ReceivedMail];
    expect(mail.subject).toBe('2 new replies to your message');
    expect(mail.text).not.toContain(SECRET);
    expect(mail.html).not.toContain('40 EUR');

    const opened = await w.h.request({ method: 'POST', url: '/api/chat/link', json: { token: linkToken(mail).token } });
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.body).not.toContain(SECRET);
    expect(opened.json<StartAnswer>().messages.map((m) => m.seq)).toEqual([1, 2, 3]);
  });
});
