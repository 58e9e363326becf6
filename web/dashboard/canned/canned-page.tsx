import { useEffect, useRef, useState } from 'preact/hooks';
import { describedBy, FieldError } from '../settings/field-error.js';
import type { Agent } from '../types.js';
import { useSessionState } from '../use-session.js';
import { canEdit, CannedEditor } from './canned-editor.js';
import type { CannedLibrary } from './canned-library.js';
import type { CannedResponse } from './slash.js';

interface Props {
  self: Pick<Agent, 'role'>;
  library: CannedLibrary;
}

/** `/stratus/canned`: the agent's own canned responses and the shared ones (admins edit those). docs/dashboard.md, "Canned responses". */
export function CannedPage({ self, library }: Props) {
  const [editor] = useState(() => new CannedEditor(library));
  const { items, loaded, alert: loadAlert } = useSessionState(library);
  const state = useSessionState(editor);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => void library.refresh(true), [library]);
  // After a refused save, focus goes to the first field with a problem.
  useEffect(() => {
    if (state.refusals > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [state.refusals]);

  const { draft, errors } = state;
  const admin = self.role === 'admin';
  const editing = state.editing === null ? undefined : items.find((i) => i.id === state.editing);
  const submit = (event: Event) => {
    event.preventDefault();
    void editor.save();
  };
  const section = (title: string, id: string, list: CannedResponse[], empty: string) => (
    <section class="canned-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {list.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul class="canned-list" data-parley={`canned-${id}`}>
          {list.map((r) => (
            <li key={r.id} data-parley="canned-response" data-shortcut={r.shortcut}>
              <div class="canned-text">
                <strong class="canned-shortcut">/{r.shortcut}</strong>
                <p class="canned-body">{r.body}</p>
              </div>
              {canEdit(r, self.role) && (
                <div class="canned-actions">
                  <button type="button" onClick={() => editor.edit(r)} aria-label={`Edit /${r.shortcut}`}>Edit</button>
                  {state.confirmingDelete === r.id ? (
                    <>
                      <button type="button" class="danger" onClick={() => void editor.remove(r)}>Delete /{r.shortcut}</button>
                      <button type="button" class="ghost" onClick={() => editor.cancelDelete()}>Keep</button>
                    </>
                  ) : (
                    <button type="button" onClick={() => void editor.remove(r)} aria-label={`Delete /${r.shortcut}`}>Delete</button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );

  return (
    <main class="page canned" id="main">
      <h1>Canned responses</h1>
      <p class="hint">
        Type <kbd>/</kbd> and part of a shortcut in the reply box, then choose with the arrow keys and press Enter. In the text,{' '}
        <code>{'{{visitor.name}}'}</code> becomes the visitor’s name (or “there”), <code>{'{{visitor.email}}'}</code> their email (or nothing) and{' '}
        <code>{'{{agent.name}}'}</code> your name.
      </p>
      <div aria-live="polite">
        {state.notice && <p class="notice" role="status">{state.notice}</p>}
        {(state.alert || loadAlert) && <p class="error" role="alert">{state.alert || loadAlert}</p>}
      </div>
      <form ref={form} class="canned-form" aria-labelledby="canned-form-title" data-parley="canned-form" onSubmit={submit} noValidate>
        <h2 id="canned-form-title">{editing ? `Edit /${editing.shortcut}` : 'New canned response'}</h2>
        <label for="canned-shortcut">Shortcut</label>
        <span class="canned-shortcut-field">
          <span aria-hidden="true">/</span>
          <input
            id="canned-shortcut"
            name="shortcut"
            value={draft.shortcut}
            maxLength={32}
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => editor.set('shortcut', e.currentTarget.value)}
            aria-describedby={errors.shortcut ? 'canned-shortcut-hint error-shortcut' : 'canned-shortcut-hint'}
            aria-invalid={errors.shortcut ? true : undefined}
          />
        </span>
        <p class="hint" id="canned-shortcut-hint">Up to 32 letters, digits, - or _.</p>
        <FieldError slot="shortcut" errors={errors} />
        <label for="canned-body">Text</label>
        <textarea id="canned-body" name="body" rows={5} maxLength={5000} value={draft.body} onInput={(e) => editor.set('body', e.currentTarget.value)} {...describedBy('body', errors)} />
        <FieldError slot="body" errors={errors} />
        {admin && (
          <label class="check">
            <input type="checkbox" name="shared" checked={draft.shared} onChange={(e) => editor.set('shared', e.currentTarget.checked)} {...describedBy('shared', errors)} />
            Shared with every agent
          </label>
        )}
        <FieldError slot="shared" errors={errors} />
        <div class="save-bar">
          <button type="submit" class="primary" disabled={state.saving}>{state.saving ? 'Saving…' : editing ? 'Save changes' : 'Add canned response'}</button>
          {state.editing !== null && <button type="button" class="ghost" onClick={() => editor.reset()}>Cancel</button>}
        </div>
      </form>
      {!loaded && !loadAlert && <p class="muted">Loading…</p>}
      {loaded && section('Yours', 'yours', items.filter((i) => !i.shared), 'You have no canned responses of your own yet.')}
      {loaded && section('Shared', 'shared', items.filter((i) => i.shared), admin ? 'No shared canned responses yet: tick “Shared with every agent” to add one.' : 'No shared canned responses yet: admins add them.')}
    </main>
  );
}
