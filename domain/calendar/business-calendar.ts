// The BusinessCalendar input type and its compiled form. Compiling validates every field (throwing a
// CalendarError naming it) and precomputes what the search needs per day: the allowed times of an
// ordinary working day, the working-week regimes and the holiday blocks.
import { CalendarError, quote } from './errors';
import { holidayBlocks, DEFAULT_HOLIDAY_TYPES, HOLIDAY_TYPES, type HolidayBlocks, type HolidayType } from './holidays';
import { dayNumberOfIsoDate, isoWeekdayOfDayNumber, yearOfDayNumber, type DayNumber, type IsoWeekday } from './local-date';
import { canonicalCountry, canonicalRegion, canonicalTimeZone, hasHolidayData, regionsOf } from './validation';
import { DEFAULT_WINDOWS, normalize, parseTimeRange, subtract, type Interval, type TimeRangeText } from './windows';
import { maskOn, weekdayMask, workingWeekRegimes, type WeekRegime } from './working-week';
import { zoneOffsets, type ZoneOffsets } from './zone-offsets';

/**
 * When a customer may receive a send, in their own local time. Treat it as immutable: compiled forms
 * are cached per object.
 *
 * All times of day are local wall-clock times in `timeZone`; ranges are `HH:mm-HH:mm`, start
 * inclusive, end exclusive ("09:00-17:00" allows 16:59:59.999 but not 17:00). Dates are local
 * `YYYY-MM-DD`.
 */
export interface BusinessCalendar {
  /** IANA time zone, e.g. "Europe/Berlin" (any case; links such as "US/Eastern" are accepted). */
  readonly timeZone: string;
  /** ISO 3166-1 alpha-2 country: public holidays (date-holidays) and the default working week. */
  readonly country?: string;
  /** Region within `country`: a date-holidays state code ("BY", or "DE-BY"), optionally "-sub-region" ("BY-A"). */
  readonly region?: string;
  /**
   * Working days, ISO numbered (1 = Monday ... 7 = Sunday). Default: the country's working week on
   * each date from the working-week table (Monday-Friday for countries without a row).
   */
  readonly workingDays?: readonly IsoWeekday[];
  /** Count the table's half days (e.g. Friday in Israel) as working days. Default false. */
  readonly halfDaysAreWorking?: boolean;
  /** Daily send windows; may not cross midnight ("24:00" is a valid end). Default ["09:00-17:00"]. */
  readonly windows?: readonly TimeRangeText[];
  /** Daily breaks inside the windows, e.g. ["12:00-13:00"]; may not cross midnight. */
  readonly breaks?: readonly TimeRangeText[];
  /** Times never to send, e.g. a customer's "22:00-07:00"; may cross midnight. */
  readonly quietHours?: readonly TimeRangeText[];
  /** date-holidays types that block sends. Default ["public"]. */
  readonly holidayTypes?: readonly HolidayType[];
  /** Local dates with no sends at all (company shutdowns, CN bridge days). */
  readonly blackoutDates?: readonly string[];
  /**
   * Local dates that are working days although the working week says otherwise (CN adjusted working
   * weekends). Holidays and blackout dates still win.
   */
  readonly extraWorkingDates?: readonly string[];
}

/** A validated calendar, ready for the search. */
export interface CompiledCalendar {
  readonly timeZone: string;
  readonly country?: string;
  readonly region?: string;
  readonly zone: ZoneOffsets;
  /** Allowed times of an ordinary working day (ms since local midnight), normalized. */
  readonly ordinaryDay: readonly Interval[];
  /** Allowed times of local `day`: empty on non-working, blackout and whole-day holiday days. */
  allowedTimesOn(day: DayNumber): readonly Interval[];
}

const EMPTY: readonly Interval[] = [];
const byObject = new WeakMap<BusinessCalendar, CompiledCalendar>();
// Callers often build an equal calendar per call (from a customer row); the content cache spares them
// the validation. Bounded: an account has few distinct calendars, and a miss only costs a compile.
const byContent = new Map<string, CompiledCalendar>();
const MAX_CONTENT_ENTRIES = 10_000;

/**
 * Validates and compiles `calendar`, cached per object and per content. Throws CalendarError naming
 * the bad field.
 */
export function compileCalendar(calendar: BusinessCalendar): CompiledCalendar {
  let c = byObject.get(calendar);
  if (c) return c;
  if (typeof calendar !== 'object' || calendar === null) throw new CalendarError('calendar', calendar, 'expected a calendar object');
  const content = JSON.stringify(calendar);
  c = byContent.get(content);
  if (!c) {
    c = compile(calendar);
    if (byContent.size >= MAX_CONTENT_ENTRIES) byContent.clear();
    byContent.set(content, c);
  }
  byObject.set(calendar, c);
  return c;
}

function compile(calendar: BusinessCalendar): CompiledCalendar {
  const timeZone = canonicalTimeZone(calendar.timeZone);
  if (timeZone === undefined) {
    throw new CalendarError('timeZone', calendar.timeZone, `unknown IANA time zone ${quote(calendar.timeZone)} (expected e.g. "Europe/Berlin")`);
  }

  let country: string | undefined;
  if (calendar.country !== undefined && calendar.country !== null) {
    country = canonicalCountry(calendar.country);
    if (country === undefined) {
      throw new CalendarError('country', calendar.country, `unknown country ${quote(calendar.country)} (expected an ISO 3166-1 alpha-2 code such as "DE")`);
    }
  }
  let region: string | undefined;
  if (calendar.region !== undefined && calendar.region !== null) {
    if (country === undefined) throw new CalendarError('region', calendar.region, `region ${quote(calendar.region)} needs a country`);
    region = canonicalRegion(country, calendar.region);
    if (region === undefined) {
      const known = regionsOf(country).filter((r) => !r.includes('-'));
      const hint = known.length ? `known: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}` : 'date-holidays has no regions for it';
      throw new CalendarError('region', calendar.region, `unknown region ${quote(calendar.region)} for country ${country} (${hint})`);
    }
  }

  const regimes = weekRegimes(calendar, country, region);
  const blackout = dateSet(calendar.blackoutDates, 'blackoutDates');
  const extraWorking = dateSet(calendar.extraWorkingDates, 'extraWorkingDates');
  if (regimes.every((r) => r.mask === 0) && extraWorking.size === 0) {
    throw new CalendarError('workingDays', calendar.workingDays, 'no working days: list at least one weekday');
  }

  const windows = normalize(ranges(calendar.windows ?? DEFAULT_WINDOWS, 'windows', false));
  if (windows.length === 0) throw new CalendarError('windows', calendar.windows, 'no send windows: list at least one, e.g. "09:00-17:00"');
  const cuts = normalize([...ranges(calendar.breaks ?? [], 'breaks', false), ...ranges(calendar.quietHours ?? [], 'quietHours', true)]);
  const ordinaryDay = subtract(windows, cuts);
  if (ordinaryDay.length === 0) {
    throw new CalendarError('calendar', calendar, 'breaks and quiet hours cover every send window: no time of day is left to send');
  }

  const types = holidayTypes(calendar.holidayTypes);
  const holidays: HolidayBlocks | undefined = country !== undefined && hasHolidayData(country) && types.length > 0
    ? holidayBlocks(country, region, types)
    : undefined;

  const singleMask = regimes.length === 1 ? regimes[0]!.mask : undefined;
  return {
    timeZone,
    country,
    region,
    zone: zoneOffsets(timeZone),
    ordinaryDay,
    allowedTimesOn(day: DayNumber): readonly Interval[] {
      if (blackout.size && blackout.has(day)) return EMPTY;
      const bit = 1 << isoWeekdayOfDayNumber(day);
      const mask = singleMask ?? maskOn(regimes, day);
      if ((mask & bit) === 0 && !(extraWorking.size && extraWorking.has(day))) return EMPTY;
      const blocked = holidays?.on(day, yearOfDayNumber(day));
      return blocked ? subtract(ordinaryDay, blocked) : ordinaryDay;
    },
  };
}

function weekRegimes(calendar: BusinessCalendar, country: string | undefined, region: string | undefined): WeekRegime[] {
  if (calendar.workingDays === undefined) {
    return workingWeekRegimes(country, region?.split('-')[0], calendar.halfDaysAreWorking === true);
  }
  const days = calendar.workingDays;
  if (!Array.isArray(days) || days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    throw new CalendarError('workingDays', days, `expected ISO weekdays 1 (Monday) to 7 (Sunday), got ${quote(JSON.stringify(days))}`);
  }
  return [{ fromDay: -Infinity, mask: weekdayMask(days) }];
}

function ranges(list: readonly TimeRangeText[], field: 'windows' | 'breaks' | 'quietHours', crossMidnight: boolean): Interval[] {
  if (!Array.isArray(list)) throw new CalendarError(field, list, 'expected a list of HH:mm-HH:mm ranges');
  return list.flatMap((text) => parseTimeRange(text, field, crossMidnight));
}

function dateSet(list: readonly string[] | undefined, field: 'blackoutDates' | 'extraWorkingDates'): Set<DayNumber> {
  const out = new Set<DayNumber>();
  if (list === undefined) return out;
  if (!Array.isArray(list)) throw new CalendarError(field, list, 'expected a list of YYYY-MM-DD dates');
  for (const text of list) {
    const day = typeof text === 'string' ? dayNumberOfIsoDate(text) : undefined;
    if (day === undefined) throw new CalendarError(field, text, `expected a local date YYYY-MM-DD, got ${quote(text)}`);
    out.add(day);
  }
  return out;
}

function holidayTypes(list: readonly HolidayType[] | undefined): readonly HolidayType[] {
  if (list === undefined) return DEFAULT_HOLIDAY_TYPES;
  if (!Array.isArray(list)) throw new CalendarError('holidayTypes', list, `expected a list of: ${HOLIDAY_TYPES.join(', ')}`);
  for (const t of list) {
    if (!HOLIDAY_TYPES.includes(t)) throw new CalendarError('holidayTypes', t, `unknown holiday type ${quote(t)} (known: ${HOLIDAY_TYPES.join(', ')})`);
  }
  return list;
}
