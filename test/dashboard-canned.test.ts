import { describe, expect, it } from 'vitest';
import type { ApiResult } from '../web/dashboard/api.js';
import type { CannedApi, CannedDraft } from '../web/dashboard/canned/canned-api.js';
import { canEdit, CannedEditor } from '../web/dashboard/canned/canned-editor.js';
import { CANNED_MAX_AGE_MS, CannedLibrary } from '../web/dashboard/canned/canned-library.js';
import { expandVariables, type CannedVariables } from '../web/dashboard/canned/expand.js';
import { insertAt, matchCanned, moveActive, slashTrigger, type CannedResponse } from '../web/dashboard/canned/slash.js';

// The reply box's canned responses without a DOM (docs/dashboard.md, "Canned responses").

const vars = (visitor: Partial<CannedVariables['visitor']> = {}): CannedVariables => ({
  visitor: { name: 'Ada', email: 'ada@example.test', ...visitor },
  agent: { name: 'Sam Agent' },
});
let ids = 0;
const canned = (shortcut: string, body: string, shared = false): CannedResponse => ({ id: ++ids, shortcut, body, shared, updated_at: '2026-01-01T00:00:00.000Z' });

describe('expandVariables', () => {
  it('fills the visitor’s name and email and the agent’s name', () => {
    expect(expandVariables('Hi {{visitor.name}} ({{visitor.email}}), {{agent.name}} here.', vars())).toBe('Hi Ada (ada@example.test), Sam Agent here.');
  });

  it('reads "there" for a visitor without a name, and nothing for one without an email: never a raw variable', () => {
    expect(expandVariables('Hi {{visitor.name}}!', vars({ name: null }))).toBe('Hi there!');
    expect(expandVariables('Hi {{visitor.name}}!', vars({ name: '   ' }))).toBe('Hi there!');
    expect(expandVariables('Mail: {{visitor.email}}.', vars({ email: null }))).toBe('Mail: .');
  });

  it('accepts spaces inside the braces and any letter case, and fills every occurrence', () => {
    expect(expandVariables('{{ visitor.name }} / {{Visitor.Name}} / {{visitor.name}}', vars())).toBe('Ada / Ada / Ada');
  });

  it('leaves unknown variables and other braces as typed', () => {
    expect(expandVariables('{{visitor.phone}} {{order.id}} {visitor.name} {{}} {{visitor.name', vars())).toBe('{{visitor.phone}} {{order.id}} {visitor.name} {{}} {{visitor.name');
  });

  it('does not expand variables found in the values themselves', () => {
    expect(expandVariables('Hi {{visitor.name}}', vars({ name: '{{agent.name}}' }))).toBe('Hi {{agent.name}}');
  });
});

describe('slashTrigger', () => {
  it('finds a / at the start of the text or after whitespace, with what follows it up to the caret', () => {
    expect(slashTrigger('/ref', 4)).toEqual({ start: 0, end: 4, query: 'ref' });
    expect(slashTrigger('Thanks! /ref', 12)).toEqual({ start: 8, end: 12, query: 'ref' });
    expect(slashTrigger('line one\n/', 10)).toEqual({ start: 9, end: 10, query: '' });
  });

  it('covers the whole word when the caret is inside it, so an insertion replaces all of it', () => {
    expect(slashTrigger('/refund please', 3)).toEqual({ start: 0, end: 7, query: 're' });
  });

  it('is not a trigger inside a word, an address or a path, or once a space follows', () => {
    expect(slashTrigger('and/or', 6)).toBeUndefined();
    expect(slashTrigger('https://example.test/ref', 24)).toBeUndefined();
    expect(slashTrigger('/ref ', 5)).toBeUndefined();
    expect(slashTrigger('no slash', 8)).toBeUndefined();
  });
});

describe('matchCanned', () => {
  const list = [canned('refund', 'Refunds take five days.'), canned('hello', 'Hi {{visitor.name}}'), canned('prefs', 'See your preferences'), canned('bye', 'We will refer you on.', true)];

  it('lists every response for a bare /, and those whose shortcut or body contains the query, shortcut prefixes first', () => {
    expect(matchCanned(list, '').map((r) => r.shortcut)).toEqual(['bye', 'hello', 'prefs', 'refund']);
    expect(matchCanned(list, 'ref').map((r) => r.shortcut)).toEqual(['refund', 'prefs', 'bye']);
    expect(matchCanned(list, 'REF').map((r) => r.shortcut)).toEqual(['refund', 'prefs', 'bye']);
    expect(matchCanned(list, 'zzz')).toEqual([]);
  });

  it('lists at most six', () => {
    const many = Array.from({ length: 12 }, (_, i) => canned(`s${String(i).padStart(2, '0')}`, 'x'));
    expect(matchCanned(many, 's')).toHaveLength(6);
  });
});

describe('insertAt and moveActive', () => {
  it('replaces /word with the text and puts the caret after it', () => {
    const value = 'Thanks! /re please';
    const trigger = slashTrigger(value, 11);
    expect(trigger).toBeDefined();
    expect(insertAt(value, trigger!, 'Refunds take five days.')).toEqual({ value: 'Thanks! Refunds take five days. please', caret: 31 });
  });

  it('moves the highlight down and up, wrapping at both ends', () => {
    expect([moveActive(0, 3, 1), moveActive(2, 3, 1), moveActive(0, 3, -1), moveActive(-1, 3, -1), moveActive(0, 0, 1)]).toEqual([1, 0, 2, 2, -1]);
  });
});

/** An in-memory canned responses API that records calls. */
function fakeApi(rows: CannedResponse[] = []) {
  const calls: string[] = [];
  let failNext: ApiResult<never> | undefined;
  const answer = <T>(data: T, status = 200): ApiResult<T> => {
    const failure = failNext;
    failNext = undefined;
    return failure ?? { ok: true, status, data };
  };
  const api: CannedApi = {
    list: async () => (calls.push('list'), answer({ canned_responses: [...rows] })),
    create: async (draft: CannedDraft) => (calls.push('create'), answer({ canned_response: canned(draft.shortcut, draft.body, draft.shared) }, 201)),
    update: async (id, draft) => (calls.push(`update ${id}`), answer({ canned_response: { ...rows.find((r) => r.id === id)!, ...draft } })),
    remove: async (id) => (calls.push(`remove ${id}`), answer(undefined, 204)),
  };
  return { api, calls, refuse: (f: ApiResult<never>) => (failNext = f) };
}

describe('CannedLibrary', () => {
  it('loads once while fresh, and again after CANNED_MAX_AGE_MS or when forced', async () => {
    let now = 1_000;
    const { api, calls } = fakeApi([canned('b', 'B'), canned('a', 'A')]);
    const library = new CannedLibrary({ api, clock: { now: () => now } });
    await Promise.all([library.refresh(), library.refresh()]);
    expect(library.state.items.map((i) => i.shortcut)).toEqual(['a', 'b']);
    await library.refresh();
    now += CANNED_MAX_AGE_MS;
    await library.refresh();
    await library.refresh(true);
    expect(calls).toEqual(['list', 'list', 'list']);
  });

  it('shows saved and deleted responses at once, and says why a load failed', async () => {
    const { api, refuse } = fakeApi([canned('a', 'A')]);
    const library = new CannedLibrary({ api, clock: { now: () => 0 } });
    refuse({ ok: false, status: 0, error: { code: 'network', message: 'The server cannot be reached.' } });
    await library.refresh();
    expect(library.state).toMatchObject({ loaded: false, alert: 'The server cannot be reached.' });
    await library.refresh(true);
    const saved = await library.save({ shortcut: 'new', body: 'New', shared: false });
    expect(saved.ok).toBe(true);
    expect(library.state.items.map((i) => i.shortcut)).toEqual(['a', 'new']);
    expect(await library.remove(library.state.items[0]!.id)).toBe('');
    expect(library.state.items.map((i) => i.shortcut)).toEqual(['new']);
  });
});

describe('CannedEditor', () => {
  it('saves a new response and empties the form, saying so', async () => {
    const { api } = fakeApi();
    const editor = new CannedEditor(new CannedLibrary({ api, clock: { now: () => 0 } }));
    editor.set('shortcut', 'hello');
    editor.set('body', 'Hi {{visitor.name}}');
    await editor.save();
    expect(editor.state).toMatchObject({ editing: null, draft: { shortcut: '', body: '', shared: false }, notice: 'Saved /hello.', errors: {} });
  });

  it('keeps the draft and shows the server’s field problems after a refused save, clearing one when its field changes', async () => {
    const { api, refuse } = fakeApi();
    const editor = new CannedEditor(new CannedLibrary({ api, clock: { now: () => 0 } }));
    editor.set('shortcut', 'taken');
    refuse({ ok: false, status: 422, error: { code: 'validation_failed', message: 'The shortcut is already used.', fields: { shortcut: 'is already used', body: 'is required' } } });
    await editor.save();
    expect(editor.state).toMatchObject({ draft: { shortcut: 'taken' }, alert: 'The shortcut is already used.', errors: { shortcut: 'is already used', body: 'is required' }, refusals: 1 });
    editor.set('shortcut', 'free');
    expect(editor.state.errors).toEqual({ body: 'is required' });
  });

  it('edits an existing response, and deletes only after a second click', async () => {
    const existing = canned('hours', 'Open 9–5', true);
    const { api, calls } = fakeApi([existing]);
    const editor = new CannedEditor(new CannedLibrary({ api, clock: { now: () => 0 } }));
    editor.edit(existing);
    expect(editor.state).toMatchObject({ editing: existing.id, draft: { shortcut: 'hours', body: 'Open 9–5', shared: true } });
    editor.set('body', 'Open 8–6');
    await editor.save();
    await editor.remove(existing);
    expect(editor.state.confirmingDelete).toBe(existing.id);
    await editor.remove(existing);
    expect(calls).toEqual([`update ${existing.id}`, `remove ${existing.id}`]);
    expect(editor.state).toMatchObject({ confirmingDelete: null, notice: 'Deleted /hours.' });
  });

  it('lets agents edit their own responses and admins the shared ones too', () => {
    expect([canEdit({ shared: false }, 'agent'), canEdit({ shared: true }, 'agent'), canEdit({ shared: true }, 'admin')]).toEqual([true, false, true]);
  });
});
