import { useState } from 'preact/hooks';
import { eraseVisitor, exportVisitor, type SelectorField, type VisitorExport } from './privacy-api.js';

const FIELDS: { field: SelectorField; label: string }[] = [
  { field: 'email', label: 'Email' },
  { field: 'conversation_id', label: 'Conversation id' },
  { field: 'user_id', label: 'Verified user id' },
];
const CONFIRM_WORD = 'erase';

interface Found {
  field: SelectorField;
  value: string;
  data: VisitorExport;
}

const count = (data: VisitorExport, table: string): number => data.tables[table]?.length ?? 0;

/**
 * `/stratus/privacy` (admins): find a visitor's data, download it as JSON, or erase it after typing
 * the confirmation word (docs/privacy.md, "Export and erasure"; docs/dashboard.md).
 */
export function PrivacyPage() {
  const [field, setField] = useState<SelectorField>('email');
  const [value, setValue] = useState('');
  const [found, setFound] = useState<Found | undefined>(undefined);
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  const find = async (event: Event) => {
    event.preventDefault();
    setError('');
    setStatus('');
    setFound(undefined);
    setBusy(true);
    const res = await exportVisitor(field, value.trim());
    setBusy(false);
    if (!res.ok) {
      setError(res.error.fields?.[field] ? `${FIELDS.find((f) => f.field === field)?.label ?? field} ${res.error.fields[field]}.` : res.error.message);
      return;
    }
    setFound({ field, value: value.trim(), data: res.data });
    setConfirm('');
    setStatus(`Found ${count(res.data, 'conversations')} conversation(s).`);
  };

  const download = () => {
    if (!found) return;
    const url = URL.createObjectURL(new Blob([JSON.stringify(found.data, null, 2)], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'parley-visitor-export.json';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setStatus('Export downloaded.');
  };

  const erase = async (event: Event) => {
    event.preventDefault();
    if (!found || confirm.trim() !== CONFIRM_WORD) return;
    setBusy(true);
    const res = await eraseVisitor(found.field, found.value);
    setBusy(false);
    if (!res.ok) {
      setError(res.error.message);
      return;
    }
    const e = res.data.erased;
    setFound(undefined);
    setStatus(`Erased ${e.conversations} conversation(s), ${e.messages} message(s) and ${e.files} file(s).`);
  };

  return (
    <main class="page privacy-page" id="main" aria-labelledby="privacy-title">
      <h1 id="privacy-title">Privacy</h1>
      <p class="muted">Find everything Parley keeps about one visitor, download it, or erase it. Each search and erasure is recorded in the audit log without personal data.</p>
      <form class="privacy-find" onSubmit={(e) => void find(e)} aria-labelledby="privacy-find-title">
        <h2 id="privacy-find-title">Find a visitor</h2>
        <fieldset class="choices">
          <legend>Find by</legend>
          {FIELDS.map((f) => (
            <label key={f.field} class="choice">
              <input type="radio" name="privacy-field" value={f.field} checked={field === f.field} onChange={() => setField(f.field)} />
              {f.label}
            </label>
          ))}
        </fieldset>
        <label for="privacy-value">{FIELDS.find((f) => f.field === field)?.label}</label>
        <input
          id="privacy-value"
          data-parley="privacy-value"
          value={value}
          required
          maxLength={320}
          autoComplete="off"
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'privacy-error' : undefined}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={busy}>Find</button>
        <p id="privacy-error" class="error" role="alert">{error}</p>
      </form>
      {found && (
        <section aria-labelledby="privacy-found-title" data-parley="privacy-found">
          <h2 id="privacy-found-title">What Parley keeps</h2>
          <ul>
            <li>{count(found.data, 'conversations')} conversation(s)</li>
            <li>{count(found.data, 'messages')} message(s)</li>
            <li>{found.data.files.length} file(s)</li>
            <li>{count(found.data, 'email_queue')} email(s)</li>
          </ul>
          <button type="button" onClick={download} data-parley="privacy-download">Download JSON</button>
          <form class="privacy-erase" onSubmit={(e) => void erase(e)} aria-labelledby="privacy-erase-title">
            <h3 id="privacy-erase-title">Erase</h3>
            <p>This deletes these conversations, messages, files and emails for good. Type <strong>{CONFIRM_WORD}</strong> to confirm.</p>
            <label for="privacy-confirm">Confirmation</label>
            <input id="privacy-confirm" data-parley="privacy-confirm" value={confirm} autoComplete="off" onInput={(e) => setConfirm(e.currentTarget.value)} />
            <button type="submit" class="danger" disabled={busy || confirm.trim() !== CONFIRM_WORD}>Erase this visitor</button>
          </form>
        </section>
      )}
      <p class="sr-only" role="status" data-parley="privacy-status">{status}</p>
    </main>
  );
}
