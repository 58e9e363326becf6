import type { AgentStatus } from './types.js';

const CHOICES: [AgentStatus, string][] = [
  ['online', 'Online'],
  ['away', 'Away'],
];

/** The agent's own status as a radio group ("Your status": Online / Away); a refused switch shows why. */
export function StatusSwitch({ status, error, onStatus }: { status: AgentStatus; error: string; onStatus(status: AgentStatus): void }) {
  return (
    <div class="my-status-wrap">
      <fieldset class="my-status" data-parley="my-status" data-status={status}>
        <legend class="sr-only">Your status</legend>
        {CHOICES.map(([value, name]) => (
          <label key={value} class={value === status ? `choice ${value} chosen` : `choice ${value}`}>
            <input type="radio" name="my-status" value={value} checked={value === status} onChange={() => onStatus(value)} />
            <span class="status-dot" aria-hidden="true" />
            {name}
          </label>
        ))}
      </fieldset>
      {error && <p class="status-error" role="alert">{error}</p>}
    </div>
  );
}
