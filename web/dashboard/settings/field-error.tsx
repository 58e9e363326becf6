import { errorId } from './field-errors.js';

/** A field's problem under it; the field names it with `aria-describedby={describedBy(...)}`. */
export function FieldError({ slot, errors }: { slot: string; errors: Record<string, string> }) {
  const problem = errors[slot];
  return problem ? (
    <p class="field-error" id={errorId(slot)} data-parley="field-error" data-field={slot}>
      {problem}
    </p>
  ) : null;
}

/** `aria-describedby` for a field with a problem (and `aria-invalid`), nothing otherwise. */
export const describedBy = (slot: string, errors: Record<string, string>) =>
  errors[slot] ? { 'aria-describedby': errorId(slot), 'aria-invalid': true as const } : {};
