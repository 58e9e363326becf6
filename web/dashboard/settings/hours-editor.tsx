import { describedBy, FieldError } from './field-error.js';
import { WEEKDAY_NAMES, WEEKDAYS, type HoursDraft, type Weekday } from './hours-draft.js';
import type { SettingsForm } from './settings-form.js';

interface Props {
  hours: HoursDraft;
  errors: Record<string, string>;
  zones: string[];
  form: SettingsForm;
}

/** One weekday: its openings (each with its own error), or "Closed", and "Add hours". */
function Day({ day, hours, errors, form }: Omit<Props, 'zones'> & { day: Weekday }) {
  const name = WEEKDAY_NAMES[day];
  const ranges = hours.days[day];
  const slot = `business_hours.days.${day}`;
  return (
    <div class="day" role="group" aria-labelledby={`day-${day}`} data-parley="hours-day" data-day={day}>
      <span class="day-name" id={`day-${day}`}>{name}</span>
      <div class="ranges">
        {ranges.length === 0 && <span class="closed">Closed</span>}
        {ranges.map((range, i) => {
          const at = `${slot}.${i}`;
          const which = ranges.length > 1 ? ` (${i + 1})` : '';
          return (
            <div class="range" key={i} data-parley="hours-range">
              <input type="text" class="time" placeholder="09:00" autoComplete="off" aria-label={`${name} opens${which}`} value={range.start} onInput={(e) => form.setRange(day, i, 'start', e.currentTarget.value)} {...describedBy(at, errors)} />
              <span aria-hidden="true">to</span>
              <input type="text" class="time" placeholder="17:00" autoComplete="off" aria-label={`${name} closes${which}`} value={range.end} onInput={(e) => form.setRange(day, i, 'end', e.currentTarget.value)} {...describedBy(at, errors)} />
              <button type="button" class="remove" aria-label={`Remove ${name} hours${which}`} onClick={() => form.removeRange(day, i)}>
                Remove
              </button>
              <FieldError slot={at} errors={errors} />
            </div>
          );
        })}
        <button type="button" class="add" aria-label={`Add hours on ${name}`} onClick={() => form.addRange(day)}>
          Add hours
        </button>
        <FieldError slot={slot} errors={errors} />
      </div>
    </div>
  );
}

/** The business hours: switched on or off, the time zone, each weekday's openings, and closed dates. */
export function HoursEditor({ hours, errors, zones, form }: Props) {
  return (
    <fieldset class="settings-section" data-parley="business-hours">
      <legend>Business hours</legend>
      <label class="check">
        <input type="checkbox" checked={hours.enabled} onChange={(e) => form.useHours(e.currentTarget.checked)} {...describedBy('business_hours', errors)} />
        Open only during business hours
      </label>
      <p class="hint">When off, the chat is available whenever an agent is online.</p>
      <FieldError slot="business_hours" errors={errors} />
      {hours.enabled && (
        <>
          <label for="settings-timezone">Time zone</label>
          <select id="settings-timezone" value={hours.timezone} onChange={(e) => form.setTimezone(e.currentTarget.value)} {...describedBy('business_hours.timezone', errors)}>
            {zones.map((zone) => (
              <option key={zone} value={zone}>{zone.replace(/_/g, ' ')}</option>
            ))}
          </select>
          <FieldError slot="business_hours.timezone" errors={errors} />
          <div class="days">
            {WEEKDAYS.map((day) => (
              <Day key={day} day={day} hours={hours} errors={errors} form={form} />
            ))}
          </div>
          <h3 id="holidays-title">Closed dates</h3>
          <div class="holidays" role="group" aria-labelledby="holidays-title" data-parley="holidays">
            {hours.holidays.map((date, i) => (
              <div class="range" key={i}>
                <input type="date" aria-label={`Closed date ${i + 1}`} value={date} onInput={(e) => form.setHoliday(i, e.currentTarget.value)} {...describedBy(`business_hours.holidays.${i}`, errors)} />
                <button type="button" class="remove" aria-label={`Remove closed date ${i + 1}`} onClick={() => form.removeHoliday(i)}>
                  Remove
                </button>
                <FieldError slot={`business_hours.holidays.${i}`} errors={errors} />
              </div>
            ))}
            <button type="button" class="add" onClick={() => form.addHoliday()}>
              Add a closed date
            </button>
            <FieldError slot="business_hours.holidays" errors={errors} />
          </div>
        </>
      )}
    </fieldset>
  );
}
