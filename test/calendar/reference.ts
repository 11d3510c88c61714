// An independent, deliberately simple reference for "is a send allowed at instant t?". It shares no
// code with domain/calendar's search: local time comes straight from Intl.DateTimeFormat per instant
// (no luxon, no offset arithmetic), holidays from date-holidays configured with the customer's zone
// (so date-holidays, not our code, turns holiday wall times into instants), and the working week
// from a plain scan of the data table. The property tests compare nextSendTime against it.
import Holidays from 'date-holidays';
import { PARTIAL_GROUP_HOLIDAYS, WORKING_WEEK_RULES, type HolidayType, type IsoWeekday } from '../../domain/calendar';

export interface ReferenceCalendar {
  zone: string;
  country?: string;
  region?: string;
  workingDays?: IsoWeekday[];
  windows?: string[];
  breaks?: string[];
  quietHours?: string[];
  holidayTypes?: HolidayType[];
  blackoutDates?: string[];
  extraWorkingDates?: string[];
  halfDaysAreWorking?: boolean;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** [start, end) in minutes of the day; end may be smaller than start (crosses midnight). */
function range(text: string): [number, number] {
  const [a, b] = text.split('-');
  return [minutes(a!.trim()), minutes(b!.trim())];
}

function inRange(minuteOfDay: number, [start, end]: [number, number]): boolean {
  return start < end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
}

export function referenceWorkingDays(country: string | undefined, region: string | undefined, date: string, halfDays = false): number[] {
  const state = region?.split('-')[0];
  const since = (r: (typeof WORKING_WEEK_RULES)[number]) => r.from ?? '0000-00-00';
  const regional = WORKING_WEEK_RULES.filter((r) => r.country === country && state !== undefined && r.region === state);
  const national = WORKING_WEEK_RULES.filter((r) => r.country === country && r.region === undefined);
  // A region's rules take over from its first rule's date; before that the country's rules apply.
  const regionStarted = regional.some((r) => since(r) <= date);
  const rows = (regionStarted ? regional : national).filter((r) => since(r) <= date);
  if (!rows.length) return [1, 2, 3, 4, 5];
  const latest = rows.reduce((a, b) => (since(a) >= since(b) ? a : b));
  return [...latest.workingDays, ...(halfDays ? latest.halfDays ?? [] : [])];
}

const holidayCache = new Map<string, { start: number; end: number }[]>();

/** Holiday intervals (instants) that block sends, from date-holidays set to the customer's zone. */
function blockingHolidays(cal: ReferenceCalendar, year: number) {
  const types = cal.holidayTypes ?? ['public'];
  const key = `${cal.country}|${cal.region}|${cal.zone}|${year}|${types.join(',')}`;
  let list = holidayCache.get(key);
  if (!list) {
    const [state, sub] = cal.region ? cal.region.split('-') : [];
    const opts = { timezone: cal.zone };
    const country = cal.country!;
    const hd = state === undefined ? new Holidays(country, opts) : sub === undefined ? new Holidays(country, state, opts) : new Holidays(country, state, sub, opts);
    const partial = PARTIAL_GROUP_HOLIDAYS.filter((p) => p.country === country).map((p) => p.rule);
    list = [year - 1, year, year + 1]
      .flatMap((y) => hd.getHolidays(y))
      .filter((h) => types.includes(h.type) && !partial.includes(h.rule))
      .map((h) => ({ start: h.start.getTime(), end: h.end.getTime() }));
    holidayCache.set(key, list);
  }
  return list;
}

export function referenceIsHoliday(t: number, cal: ReferenceCalendar, year: number): boolean {
  return blockingHolidays(cal, year).some((h) => t >= h.start && t < h.end);
}

const countries = new Holidays().getCountries();
const workingDaysCache = new Map<string, number[]>();

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The local date, ISO weekday and time of day of instant t in `zone`, as Intl reads it. */
export function localReading(t: number, zone: string): { date: string; year: number; weekday: number; hour: number; minute: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
    formatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(t)) p[part.type] = part.value;
  return { date: `${p.year}-${p.month}-${p.day}`, year: Number(p.year), weekday: WEEKDAYS[p.weekday!]!, hour: Number(p.hour), minute: Number(p.minute) };
}

/** Whether the reference allows a send at instant t (epoch ms). */
export function referenceAllowed(t: number, cal: ReferenceCalendar): boolean {
  const local = localReading(t, cal.zone);
  const date = local.date;
  if (cal.blackoutDates?.includes(date)) return false;
  let working = cal.workingDays;
  if (!working) {
    // Memoized only for speed: the property tests call this millions of times.
    const key = `${cal.country}|${cal.region}|${date}|${cal.halfDaysAreWorking}`;
    working = workingDaysCache.get(key) as IsoWeekday[] | undefined;
    if (!working) {
      working = referenceWorkingDays(cal.country, cal.region, date, cal.halfDaysAreWorking) as IsoWeekday[];
      workingDaysCache.set(key, working);
    }
  }
  if (!working.includes(local.weekday as IsoWeekday) && !cal.extraWorkingDates?.includes(date)) return false;
  // Minute resolution is enough: every boundary (windows, holidays, DST) falls on a whole minute.
  const minuteOfDay = local.hour * 60 + local.minute;
  if (!(cal.windows ?? ['09:00-17:00']).some((w) => inRange(minuteOfDay, range(w)))) return false;
  if ((cal.breaks ?? []).some((b) => inRange(minuteOfDay, range(b)))) return false;
  if ((cal.quietHours ?? []).some((q) => inRange(minuteOfDay, range(q)))) return false;
  if (cal.country && countries[cal.country] && referenceIsHoliday(t, cal, local.year)) return false;
  return true;
}

/**
 * The first instant in [from, to) the reference allows, scanning `from` itself and then every whole
 * minute after it, or undefined. Exact for the earliest instant because allowed stretches start on
 * whole minutes.
 */
export function referenceFirstAllowed(from: number, to: number, cal: ReferenceCalendar): number | undefined {
  if (from < to && referenceAllowed(from, cal)) return from;
  for (let t = Math.floor(from / 60_000) * 60_000 + 60_000; t < to; t += 60_000) {
    if (referenceAllowed(t, cal)) return t;
  }
  return undefined;
}

/** A country for each zone from date-holidays' zone lists (the first listed), if any. */
export function countryOfZone(): Map<string, string> {
  const out = new Map<string, string>();
  const hd = new Holidays();
  for (const country of Object.keys(hd.getCountries()).sort()) {
    for (const zone of new Holidays(country).getTimezones()) if (!out.has(zone)) out.set(zone, country);
  }
  return out;
}
