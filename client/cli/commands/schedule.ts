// `outreach schedule`: the next allowed send instant for one customer's place, from the business
// calendar (domain/calendar). A debugging and support tool: "when would this customer get it?".
import { DateTime } from 'luxon';
import type { Command } from '../command';
import { checkYearRange, parseFlags, requireFlag, UsageError } from '../args';
import {
  CalendarError,
  HOLIDAY_TYPES,
  WEEKDAY_NAMES,
  compileCalendar,
  nextSendTime,
  type BusinessCalendar,
  type CalendarField,
  type CompiledCalendar,
  type HolidayType,
} from '../../../domain/calendar';

const USAGE =
  'outreach schedule --tz <IANA zone> --country <ISO 3166-1 alpha-2> [--region <code>] --after <ISO-8601 instant|now> ' +
  '[--window HH:mm-HH:mm]... [--break HH:mm-HH:mm]... [--quiet HH:mm-HH:mm]... [--holiday-types public,bank] [--key <id>] [--json]';

const FLAGS = {
  tz: { type: 'string' },
  country: { type: 'string' },
  region: { type: 'string' },
  after: { type: 'string' },
  window: { type: 'string', multiple: true },
  break: { type: 'string', multiple: true },
  quiet: { type: 'string', multiple: true },
  'holiday-types': { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Which flag to blame for a CalendarError about a field. */
const FLAG_OF_FIELD: Partial<Record<CalendarField, string>> = {
  timeZone: '--tz',
  country: '--country',
  region: '--region',
  windows: '--window',
  breaks: '--break',
  quietHours: '--quiet',
  holidayTypes: '--holiday-types',
  key: '--key',
  after: '--after',
};

// An instant needs an offset: "2025-03-10T09:00" would mean a different instant in every zone.
const HAS_OFFSET = /T.*(Z|[+-]\d{2}(:?\d{2})?)$/i;

function parseAfter(text: string): number {
  if (text === 'now') return Date.now();
  const parsed = DateTime.fromISO(text, { setZone: true });
  if (!HAS_OFFSET.test(text) || !parsed.isValid) {
    throw new UsageError(`--after: expected an ISO-8601 instant with an offset or Z (e.g. 2025-03-28T18:00:00Z), got "${text}"`);
  }
  checkYearRange('--after', parsed.toMillis(), text);
  return parsed.toMillis();
}

function parseHolidayTypes(text: string | undefined): HolidayType[] | undefined {
  if (text === undefined) return undefined;
  const types = text.split(',').map((t) => t.trim()).filter(Boolean);
  const unknown = types.find((t) => !(HOLIDAY_TYPES as readonly string[]).includes(t));
  if (unknown !== undefined || types.length === 0) {
    throw new UsageError(`--holiday-types: expected a comma-separated list of ${HOLIDAY_TYPES.join(', ')}, got "${text}"`);
  }
  return types as HolidayType[];
}

function usageErrorFrom(err: CalendarError): UsageError {
  const flag = FLAG_OF_FIELD[err.field];
  return new UsageError(flag ? err.message.replace(`${err.field}: `, `${flag}: `) : err.message);
}

export const scheduleCommand: Command = {
  name: 'schedule',
  summary: "Print the next allowed send time in a customer's local business hours (zone, working days, holidays).",
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const { values } = parseFlags(argv, FLAGS);
    const tz = requireFlag(values, 'tz');
    const country = requireFlag(values, 'country');
    const afterText = requireFlag(values, 'after');
    if (values.key !== undefined && values.key.length === 0) throw new UsageError('--key: must not be empty');

    const calendar: BusinessCalendar = {
      timeZone: tz,
      country,
      ...(values.region !== undefined ? { region: values.region } : {}),
      ...(values.window !== undefined ? { windows: values.window } : {}),
      ...(values.break !== undefined ? { breaks: values.break } : {}),
      ...(values.quiet !== undefined ? { quietHours: values.quiet } : {}),
      ...(values['holiday-types'] !== undefined ? { holidayTypes: parseHolidayTypes(values['holiday-types']) } : {}),
    };
    let compiled: CompiledCalendar;
    try {
      compiled = compileCalendar(calendar);
    } catch (err) {
      if (err instanceof CalendarError) throw usageErrorFrom(err);
      throw err;
    }
    const after = parseAfter(afterText);

    let at: Date;
    try {
      at = nextSendTime(after, calendar, values.key !== undefined ? { key: values.key } : {});
    } catch (err) {
      if (err instanceof CalendarError) throw usageErrorFrom(err);
      throw err;
    }

    const local = DateTime.fromJSDate(at, { zone: compiled.timeZone });
    const localIso = local.toISO({ suppressMilliseconds: true })!;
    const utcIso = DateTime.fromJSDate(at, { zone: 'UTC' }).toISO({ suppressMilliseconds: true })!;
    const weekday = WEEKDAY_NAMES[local.weekday - 1]!;
    if (values.json) {
      const out = {
        zone: compiled.timeZone,
        country: compiled.country,
        ...(compiled.region !== undefined ? { region: compiled.region } : {}),
        after: new Date(after).toISOString(),
        local: localIso,
        utc: utcIso,
        weekday,
        localDate: local.toISODate(),
        ...(values.key !== undefined ? { key: values.key } : {}),
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      process.stdout.write(`local  ${localIso}  (${weekday}, ${compiled.timeZone})\nutc    ${utcIso}\n`);
    }
    return 0;
  },
};
