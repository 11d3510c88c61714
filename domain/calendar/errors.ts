// The one error type the calendar throws. API handlers and the CLI map `field` onto their own names
// (a JSON property, a `--flag`), so the field list is part of the public contract.

/** The calendar input a CalendarError is about. */
export type CalendarField =
  | 'timeZone'
  | 'country'
  | 'region'
  | 'workingDays'
  | 'windows'
  | 'breaks'
  | 'quietHours'
  | 'holidayTypes'
  | 'blackoutDates'
  | 'extraWorkingDates'
  | 'after'
  /** A local date argument (YYYY-MM-DD). */
  | 'date'
  | 'key'
  | 'maxSearchDays'
  /** The calendar as a whole, e.g. it allows no send time at all. */
  | 'calendar';

/**
 * A calendar input is invalid or unusable. `field` names the input, `value` is the offending value
 * (as given), and the message names both so it can be shown to a user as is.
 */
export class CalendarError extends Error {
  readonly field: CalendarField;
  readonly value: unknown;

  constructor(field: CalendarField, value: unknown, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'CalendarError';
    this.field = field;
    this.value = value;
  }
}

/** Renders a user-supplied value for an error message without letting it run on. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
