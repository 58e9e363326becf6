import { describe, expect, it } from 'vitest';
import { EmailPreferences, type EmailPreferenceValues } from '../web/dashboard/preferences/email-preferences.js';
import type { Agent } from '../web/dashboard/types.js';
import { failureOf, type ApiResult } from '../web/shared/api-result.js';
import { ANN } from './support/dashboard-fakes.js';

/** The agent's own email preferences on the Account page, without the view (docs/dashboard.md, "Your account"). */

type Answer = ApiResult<{ agent: Agent }>;

/** `PATCH /api/agent/me` held until the test answers each call. */
class HeldSaves {
  readonly sent: Partial<EmailPreferenceValues>[] = [];
  private readonly waiting: ((answer: Answer) => void)[] = [];
  readonly save = (change: Partial<EmailPreferenceValues>): Promise<Answer> => {
    this.sent.push(change);
    return new Promise((resolve) => this.waiting.push(resolve));
  };
  answer(index: number, answer: Answer): void {
    this.waiting[index]?.(answer);
  }
}

const saved = (agent: Partial<Agent>): Answer => ({ ok: true, status: 200, data: { agent: { ...ANN, ...agent } } });
const refused = failureOf(503, { error: { code: 'service_unavailable', message: 'Try again soon.' } });

describe('email preferences', () => {
  it("start as the agent's own and save only the preference changed", async () => {
    const saves = new HeldSaves();
    const prefs = new EmailPreferences({ notify_email: true, notify_unanswered: false }, saves.save);
    expect(prefs.state.values).toEqual({ notify_email: true, notify_unanswered: false });
    const done = prefs.set('notify_unanswered', true);
    expect(prefs.state, 'shown at once, while saving').toMatchObject({ values: { notify_unanswered: true }, saving: ['notify_unanswered'], notice: '' });
    saves.answer(0, saved({ notify_email: true, notify_unanswered: true }));
    await done;
    expect(saves.sent).toEqual([{ notify_unanswered: true }]);
    expect(prefs.state).toEqual({ values: { notify_email: true, notify_unanswered: true }, saving: [], notice: 'Saved.', alert: '' });
  });

  it('sends nothing when the box is set to what it already shows', async () => {
    const saves = new HeldSaves();
    const prefs = new EmailPreferences(ANN, saves.save);
    await prefs.set('notify_email', true);
    expect(saves.sent).toEqual([]);
  });

  it('puts a refused preference back as last saved and says why', async () => {
    const saves = new HeldSaves();
    const prefs = new EmailPreferences(ANN, saves.save);
    const done = prefs.set('notify_email', false);
    saves.answer(0, refused);
    await done;
    expect(prefs.state.values).toEqual({ notify_email: true, notify_unanswered: true });
    expect(prefs.state.saving).toEqual([]);
    expect(prefs.state.notice).toBe('');
    expect(prefs.state.alert).toBe('Not saved: your email preference for new conversations is unchanged. Try again soon.');
  });

  it("never lets an older save's late answer undo a newer choice", async () => {
    const saves = new HeldSaves();
    const prefs = new EmailPreferences(ANN, saves.save);
    const first = prefs.set('notify_unanswered', false);
    const second = prefs.set('notify_unanswered', true);
    saves.answer(1, saved({ notify_unanswered: true }));
    await second;
    saves.answer(0, refused);
    await first;
    expect(prefs.state).toMatchObject({ values: { notify_unanswered: true }, saving: [], alert: '', notice: 'Saved.' });
  });

  it('saves the two preferences independently', async () => {
    const saves = new HeldSaves();
    const prefs = new EmailPreferences(ANN, saves.save);
    const a = prefs.set('notify_email', false);
    const b = prefs.set('notify_unanswered', false);
    expect(prefs.state.saving).toEqual(['notify_email', 'notify_unanswered']);
    saves.answer(1, saved({ notify_unanswered: false }));
    await b;
    expect(prefs.state.saving).toEqual(['notify_email']);
    saves.answer(0, saved({ notify_email: false, notify_unanswered: false }));
    await a;
    expect(prefs.state.values).toEqual({ notify_email: false, notify_unanswered: false });
  });
});
