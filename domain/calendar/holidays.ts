// Public holidays from date-holidays, turned into blocked times of the local day and cached per
// country/region/year so the send-time search never recomputes them.
//
// How a date-holidays entry blocks time: date-holidays gives each holiday a wall-clock interval
// [start, end) in the country's local time. We block exactly that interval of the customer's local
// wall clock (whatever their zone), so:
//  - multi-day holidays (Vietnam's Tết, "P5D") block every day they span;
//  - half-day public holidays (Christmas Eve from 13:00 in Iceland, 12:00 in Guatemala) block only
//    the afternoon;
//  - holidays that begin at sunset the evening before (Islamic and Jewish holidays, "-0600" in
//    date-holidays) also block that evening from 18:00, which a 09:00-17:00 window never reaches.
// China: date-holidays types four partial-group days as `public` (see PARTIAL_GROUP_HOLIDAYS); they
// are skipped because the rest of the population works. China's "adjusted working days" (调休: the
// State Council's yearly swap of weekend days for bridge days around Spring Festival and National
// Day) are NOT in date-holidays and are not built in: calendars can list them as `blackoutDates`
// (extra days off) and `extraWorkingDates` (working weekends). Only the statutory days
// date-holidays knows block by default (e.g. 3 days of Spring Festival, 1-3 October).
import Holidays, { type HolidaysTypes } from 'date-holidays';
import { DAY_MS, dayNumberOfWall, firstDayOfYear, dayNumberOfIsoDate, type DayNumber } from './local-date';
import { normalize, type Interval } from './windows';

export type HolidayType = HolidaysTypes.HolidayType;

/** Every type date-holidays assigns, in its order of precedence (low to high). */
export const HOLIDAY_TYPES: readonly HolidayType[] = ['observance', 'optional', 'school', 'bank', 'public'];

/** Only days off for (nearly) everyone block sends by default. */
export const DEFAULT_HOLIDAY_TYPES: readonly HolidayType[] = ['public'];

export interface PartialGroupHoliday {
  readonly country: string;
  /** The date-holidays rule text, which is stable across languages and years. */
  readonly rule: string;
  readonly name: string;
  readonly reason: string;
}

/**
 * Holidays date-holidays types as `public` that only part of the population gets off; they never
 * block sends. Source for CN: State Council, 全国年节及纪念日放假办法 (National Holidays and Memorial Days
 * Regulations), art. 3 ("holidays for some citizens").
 */
export const PARTIAL_GROUP_HOLIDAYS: readonly PartialGroupHoliday[] = [
  { country: 'CN', rule: '03-08 12:00', name: "International Women's Day", reason: 'half day off for women only' },
  { country: 'CN', rule: '05-04 12:00', name: 'Youth Day', reason: 'half day off for young people aged 14 to 28 only' },
  { country: 'CN', rule: '06-01', name: "Children's Day", reason: 'day off for children under 14 only' },
  { country: 'CN', rule: '08-01 12:00', name: 'Army Day', reason: 'half day off for active military personnel only' },
];

/** One holiday as date-holidays reports it, with its local wall-clock interval. */
export interface HolidayOccurrence {
  /** date-holidays' own date text, e.g. "2025-03-30 00:00:00 -0600". */
  readonly date: string;
  readonly name: string;
  readonly type: HolidayType;
  readonly rule: string;
  /** Local wall-clock start and end (epoch ms read as wall time; see local-date.ts). */
  readonly startWall: number;
  readonly endWall: number;
  /** True when the day is in PARTIAL_GROUP_HOLIDAYS and therefore never blocks. */
  readonly partialGroup: boolean;
}

/** The date-holidays state and (optional) sub-region of a region code "BY" or "BY-A". */
export function splitRegion(region: string | undefined): { state?: string; subRegion?: string } {
  if (!region) return {};
  const dash = region.indexOf('-');
  return dash < 0 ? { state: region } : { state: region.slice(0, dash), subRegion: region.slice(dash + 1) };
}

const sources = new Map<string, Holidays>();
const occurrences = new Map<string, readonly HolidayOccurrence[]>();

function source(country: string, region: string | undefined): Holidays {
  const key = `${country}|${region ?? ''}`;
  let hd = sources.get(key);
  if (!hd) {
    const { state, subRegion } = splitRegion(region);
    // timezone UTC makes start/end Dates whose UTC fields are the local wall-clock fields, which is
    // what we want: the customer's zone is applied by the calendar, not by date-holidays.
    const opts: HolidaysTypes.Options = { timezone: 'UTC', languages: ['en'] };
    hd = state === undefined ? new Holidays(country, opts)
      : subRegion === undefined ? new Holidays(country, state, opts)
      : new Holidays(country, state, subRegion, opts);
    sources.set(key, hd);
  }
  return hd;
}

/** Every holiday date-holidays lists for a country/region in a year, all types. Cached. */
export function holidayOccurrences(country: string, region: string | undefined, year: number): readonly HolidayOccurrence[] {
  const key = `${country}|${region ?? ''}|${year}`;
  let list = occurrences.get(key);
  if (!list) {
    const partial = PARTIAL_GROUP_HOLIDAYS.filter((p) => p.country === country).map((p) => p.rule);
    list = source(country, region).getHolidays(year, 'en').map((h) => ({
      date: h.date,
      name: h.name,
      type: h.type,
      rule: h.rule,
      startWall: h.start.getTime(),
      endWall: h.end.getTime(),
      partialGroup: partial.includes(h.rule),
    }));
    occurrences.set(key, list);
  }
  return list;
}

/**
 * The blocked times of each local day for one country/region and set of holiday types. `on(day)`
 * returns normalized intervals of the local day (ms since midnight), or undefined for no holiday.
 */
export class HolidayBlocks {
  private readonly years = new Map<number, ReadonlyMap<DayNumber, readonly Interval[]>>();

  constructor(
    readonly country: string,
    readonly region: string | undefined,
    readonly types: ReadonlySet<HolidayType>,
  ) {}

  on(day: DayNumber, year: number): readonly Interval[] | undefined {
    let byDay = this.years.get(year);
    if (!byDay) {
      byDay = this.build(year);
      this.years.set(year, byDay);
    }
    return byDay.get(day);
  }

  private build(year: number): Map<DayNumber, readonly Interval[]> {
    const first = firstDayOfYear(year);
    const last = firstDayOfYear(year + 1) - 1;
    const raw = new Map<DayNumber, Interval[]>();
    // A holiday listed under the next year can start on 31 December (sunset the evening before);
    // one listed under the previous year can run into January.
    for (const y of [year - 1, year, year + 1]) {
      for (const h of holidayOccurrences(this.country, this.region, y)) {
        if (h.partialGroup || !this.types.has(h.type) || h.endWall <= h.startWall) continue;
        const from = Math.max(dayNumberOfWall(h.startWall), first);
        const to = Math.min(dayNumberOfWall(h.endWall - 1), last);
        for (let day = from; day <= to; day++) {
          const dayStart = day * DAY_MS;
          const piece: Interval = [Math.max(h.startWall, dayStart) - dayStart, Math.min(h.endWall, dayStart + DAY_MS) - dayStart];
          const list = raw.get(day);
          if (list) list.push(piece);
          else raw.set(day, [piece]);
        }
      }
    }
    const out = new Map<DayNumber, readonly Interval[]>();
    for (const [day, list] of raw) out.set(day, normalize(list));
    return out;
  }
}

const blockSets = new Map<string, HolidayBlocks>();

/** The shared, cached HolidayBlocks for a country/region (validated) and holiday types. */
export function holidayBlocks(country: string, region: string | undefined, types: readonly HolidayType[]): HolidayBlocks {
  const typeSet = new Set(types);
  const key = `${country}|${region ?? ''}|${[...typeSet].sort().join(',')}`;
  let blocks = blockSets.get(key);
  if (!blocks) {
    blocks = new HolidayBlocks(country, region, typeSet);
    blockSets.set(key, blocks);
  }
  return blocks;
}

/**
 * The holidays touching a local date (YYYY-MM-DD) for a country/region, all types, including the
 * partial-group ones (flagged). For explanations and tests; the search uses HolidayBlocks.
 */
export function holidaysOn(country: string, region: string | undefined, date: string): HolidayOccurrence[] {
  const day = dayNumberOfIsoDate(date);
  if (day === undefined) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const year = Number(date.slice(0, 4));
  const dayStart = day * DAY_MS;
  return [year - 1, year, year + 1]
    .flatMap((y) => holidayOccurrences(country, region, y))
    .filter((h) => h.startWall < dayStart + DAY_MS && h.endWall > dayStart);
}
