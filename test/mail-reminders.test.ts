import { beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../src/storage/engine.js';
import type { StartAnswer } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';
import { useFollowUpWorld, UNANSWERED_DELAY_MS, type FollowUpWorld } from './support/follow-up-world.js';
import type { ReceivedMail } from './support/smtp-message.js';

// Agents are reminded of a conversation left unanswered past CHAT_UNANSWERED_DELAY_SECONDS
// (docs/email.md, "What is sent when"): the assignee, or every agent when nobody is assigned;
// each agent can turn it off; one email per unanswered burst. And the transcript on close.

const unanswered = (mails: ReceivedMail[]): ReceivedMail[] => mails.filter((m) => m.subject.startsWith('Waiting for an answer'));
const to = (mails: ReceivedMail[]): string[] => mails.flatMap((m) => m.recipients).sort();

describe.each(ENGINES)('"unanswered" emails to agents on %s', (engine: Engine) => {
  const world = useFollowUpWorld(engine);
  let w: FollowUpWorld;
  let started: StartAnswer;
  beforeEach(() => {
    [w, started] = [world.world(), world.started()];
  });

  it('emails every agent once when nobody answered an unassigned conversation within the delay', async () => {
    const sam = await w.agent('Sam');
    await w.visitorSends(started, 'Hello? Anyone there?');

    expect(unanswered(await w.after(UNANSWERED_DELAY_MS - 1_000))).toHaveLength(0);
    const mails = unanswered(await w.after(1_000));

    expect(to(mails)).toEqual(['admin@example.test', sam.email]);
    const [mail] = mails as [ReceivedMail];
    expect(mail.subject).toBe(`Waiting for an answer: conversation #${started.conversation.id} from Ann`);
    expect(mail.text).toContain('Hello? Anyone there?');
    expect(mail.text).toContain(`https://chat.example/stratus/conversations/${started.conversation.id}`);
    // The same unanswered messages are never reminded of twice.
    expect(unanswered(await w.after(UNANSWERED_DELAY_MS))).toHaveLength(2);
  });

  it('emails only the assignee of an assigned conversation', async () => {
    const sam = await w.agent('Sam');
    const assigned = await w.h.request({ method: 'POST', url: `/api/agent/conversations/${started.conversation.id}/assign`, headers: w.admin.headers, json: { agent_id: sam.id } });
    expect(assigned.statusCode, assigned.body).toBe(200);

    expect(to(unanswered(await w.after(UNANSWERED_DELAY_MS)))).toEqual([sam.email]);
  });

  it('sends nothing once an agent answered, and reminds again of a new unanswered message', async () => {
    await w.reply(started.conversation.id, 'Hi Ann, how can I help?');
    expect(unanswered(await w.after(UNANSWERED_DELAY_MS))).toHaveLength(0);

    await w.visitorSends(started, 'My parcel is late.');

    expect(unanswered(await w.after(UNANSWERED_DELAY_MS))).toHaveLength(1);
  });

  it('respects an agent who turned the reminder off, and never emails a closed conversation', async () => {
    const off = await w.h.request({ method: 'PATCH', url: '/api/agent/me', headers: w.admin.headers, json: { notify_unanswered: false } });
    expect(off.statusCode, off.body).toBe(200);
    const sam = await w.agent('Sam');
    const other = await w.start({ fingerprint: 'fp00000000000009deadbeef', client_message_id: 'v-9' });
    const closed = await w.h.request({ method: 'POST', url: `/api/agent/conversations/${other.conversation.id}/close`, headers: w.admin.headers, json: {} });
    expect(closed.statusCode, closed.body).toBe(200);

    const mails = unanswered(await w.after(UNANSWERED_DELAY_MS));

    expect(to(mails)).toEqual([sam.email]);
    expect(mails[0]?.subject).toContain(`#${started.conversation.id}`);
  });
});

describe.each(ENGINES)('the transcript when a conversation closes on %s', (engine: Engine) => {
  const world = useFollowUpWorld(engine, { CHAT_UNANSWERED_DELAY_SECONDS: '0' });
  let w: FollowUpWorld;
  beforeEach(() => {
    w = world.world();
  });

  const close = async (id: number) => {
    const res = await w.h.request({ method: 'POST', url: `/api/agent/conversations/${id}/close`, headers: w.admin.headers, json: {} });
    expect(res.statusCode, res.body).toBe(200);
  };
  const transcripts = (mails: ReceivedMail[]): ReceivedMail[] => mails.filter((m) => m.subject.startsWith('Transcript of your conversation'));

  it('is mailed once per closing when an admin turned transcript_on_close on', async () => {
    await w.h.parley.storage.db.updateTable('chat_settings').set({ transcript_on_close: 1 }).execute();
    const started = await w.start();
    await w.reply(started.conversation.id, 'Glad I could help.');

    await close(started.conversation.id);
    const mails = transcripts(await w.after(0));

    expect(mails).toHaveLength(1);
    expect(mails[0]?.recipients).toEqual(['ann@example.test']);
    expect(mails[0]?.text).toContain('Your conversation has been closed.');
    expect(mails[0]?.text).toContain('Glad I could help.');
  });

  it('is not mailed when the setting is off (the default)', async () => {
    const started = await w.start();
    await close(started.conversation.id);

    expect(transcripts(await w.after(0))).toHaveLength(0);
  });
});
