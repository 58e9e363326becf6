import { describedBy, FieldError } from './field-error.js';
import { errorId } from './field-errors.js';
import type { SettingsDraft, SettingsForm } from './settings-form.js';

interface Props {
  draft: SettingsDraft;
  errors: Record<string, string>;
  form: SettingsForm;
}

/** `auto_assign` and `max_open_per_agent` (docs/dashboard.md, "Automatic assignment"), each with its problem under it. */
export function AssignmentSection({ draft, errors, form }: Props) {
  const limitHint = 'settings-max-open-hint';
  return (
    <fieldset class="settings-section" data-parley="assignment-settings">
      <legend>Automatic assignment</legend>
      <label class="check">
        <input
          type="checkbox"
          name="auto_assign"
          checked={draft.auto_assign}
          onChange={(e) => form.setAutoAssign(e.currentTarget.checked)}
          {...describedBy('auto_assign', errors)}
        />
        Assign new conversations automatically (round robin over available agents)
      </label>
      <FieldError slot="auto_assign" errors={errors} />
      <label for="settings-max-open">Most open conversations per agent</label>
      <input
        id="settings-max-open"
        class="count"
        type="number"
        inputMode="numeric"
        min={1}
        max={100}
        step={1}
        value={draft.max_open_per_agent}
        onInput={(e) => form.setMaxOpenPerAgent(e.currentTarget.value)}
        aria-describedby={errors.max_open_per_agent ? `${limitHint} ${errorId('max_open_per_agent')}` : limitHint}
        aria-invalid={errors.max_open_per_agent ? true : undefined}
      />
      <p class="hint" id={limitHint}>
        1 to 100. An agent with this many open conversations assigned gets no more automatically; assigning by hand is not limited.
      </p>
      <FieldError slot="max_open_per_agent" errors={errors} />
    </fieldset>
  );
}
