// Which days of the week are working days, per country (and a few regions), as data. Most countries
// work Monday to Friday and need no row; the rows below are the exceptions, each with its source.
// Where a country moved its weekend, one row per regime carries the local date it took effect
// (`from`); a row without `from` applies from the beginning of time until the next row of the same
// country and region. Regional rows (date-holidays state codes) override the country's rows.
//
// Half days (e.g. Friday in Israel) are listed separately and are NOT working days by default: many
// offices close around midday and a 09:00-17:00 window would be mostly closed. A calendar can opt in
// with `halfDaysAreWorking`.
//
// Sources: the government decision named in each row; secondary reference Wikipedia, "Workweek and
// weekend" (https://en.wikipedia.org/wiki/Workweek_and_weekend). The table was compiled without
// network access: re-check the effective dates against those sources when touching it. History
// before a country's earliest `from` is modelled only where cited.
import type { DayNumber, IsoWeekday } from './local-date';
import { dayNumberOfIsoDate } from './local-date';

export interface WorkingWeekRule {
  /** ISO 3166-1 alpha-2 code. */
  readonly country: string;
  /** date-holidays state code, e.g. "01" (Johor, MY); absent for the whole country. */
  readonly region?: string;
  /** First local date (YYYY-MM-DD) the rule applies; absent = since always. */
  readonly from?: string;
  readonly workingDays: readonly IsoWeekday[];
  /** Short working days, treated as non-working unless the calendar says otherwise. */
  readonly halfDays?: readonly IsoWeekday[];
  readonly source: string;
}

const MON_FRI: readonly IsoWeekday[] = [1, 2, 3, 4, 5];
const SUN_THU: readonly IsoWeekday[] = [7, 1, 2, 3, 4];
const SAT_WED: readonly IsoWeekday[] = [6, 7, 1, 2, 3];

/** The default for every country without a row: Monday to Friday (ISO 8601 working week). */
export const DEFAULT_WORKING_DAYS: readonly IsoWeekday[] = MON_FRI;

export const WORKING_WEEK_RULES: readonly WorkingWeekRule[] = [
  // Gulf and Arab states: the Thursday-Friday weekend moved to Friday-Saturday around 2006-2013.
  { country: 'AE', workingDays: SAT_WED, source: 'UAE: Thursday-Friday weekend before the 2006 federal change' },
  { country: 'AE', from: '2006-09-01', workingDays: SUN_THU, source: 'UAE federal government: Friday-Saturday weekend from 1 Sep 2006' },
  { country: 'AE', from: '2022-01-01', workingDays: MON_FRI, source: 'UAE federal government (WAM, 7 Dec 2021): Saturday-Sunday weekend from 1 Jan 2022; Friday is a short day for government offices, full day for most private employers' },
  { country: 'SA', workingDays: SAT_WED, source: 'Saudi Arabia: Thursday-Friday weekend before the 2013 royal decree' },
  { country: 'SA', from: '2013-06-29', workingDays: SUN_THU, source: 'Saudi royal decree (June 2013): Friday-Saturday weekend from 29 Jun 2013' },
  { country: 'BH', workingDays: SAT_WED, source: 'Bahrain: Thursday-Friday weekend before Sep 2006' },
  { country: 'BH', from: '2006-09-01', workingDays: SUN_THU, source: 'Bahrain government: Friday-Saturday weekend from 1 Sep 2006' },
  { country: 'KW', workingDays: SAT_WED, source: 'Kuwait: Thursday-Friday weekend before Sep 2007' },
  { country: 'KW', from: '2007-09-01', workingDays: SUN_THU, source: 'Kuwait Council of Ministers: Friday-Saturday weekend from 1 Sep 2007' },
  { country: 'OM', workingDays: SAT_WED, source: 'Oman: Thursday-Friday weekend before May 2013' },
  { country: 'OM', from: '2013-05-01', workingDays: SUN_THU, source: 'Oman royal decree 2013: Friday-Saturday weekend from 1 May 2013' },
  { country: 'YE', workingDays: SAT_WED, source: 'Yemen: Thursday-Friday weekend before Aug 2013' },
  { country: 'YE', from: '2013-08-15', workingDays: SUN_THU, source: 'Yemen cabinet decision 2013: Friday-Saturday weekend' },
  { country: 'DZ', workingDays: SAT_WED, source: 'Algeria: Thursday-Friday weekend before Aug 2009' },
  { country: 'DZ', from: '2009-08-14', workingDays: SUN_THU, source: 'Algeria presidential ordinance 2009: Friday-Saturday weekend from 14 Aug 2009' },
  { country: 'QA', workingDays: SUN_THU, source: 'Qatar: Friday-Saturday weekend (since 2003)' },
  { country: 'JO', workingDays: SUN_THU, source: 'Jordan: Friday-Saturday weekend (since 2000)' },
  { country: 'EG', workingDays: SUN_THU, source: 'Egypt: Friday-Saturday weekend' },
  { country: 'IQ', workingDays: SUN_THU, source: 'Iraq: Friday-Saturday weekend' },
  { country: 'SY', workingDays: SUN_THU, source: 'Syria: Friday-Saturday weekend (since 2004)' },
  { country: 'LY', workingDays: SUN_THU, source: 'Libya: Friday-Saturday weekend' },
  { country: 'SD', workingDays: SUN_THU, source: 'Sudan: Friday-Saturday weekend (since 2008)' },
  { country: 'MV', workingDays: SUN_THU, source: 'Maldives: Friday-Saturday weekend' },
  { country: 'BD', workingDays: SUN_THU, source: 'Bangladesh cabinet 2009: Friday-Saturday weekend' },
  // Israel: Friday-Saturday weekend; many businesses work a short Friday morning.
  { country: 'IL', workingDays: SUN_THU, halfDays: [5], source: 'Israel: Hours of Work and Rest Law; Friday is a short day (treated as non-working by default)' },
  // Iran and Afghanistan: Friday is the weekly holiday, Thursday a short or non-working day for offices.
  { country: 'IR', workingDays: SAT_WED, halfDays: [4], source: 'Iran: Friday weekend; government offices closed or short on Thursday (treated as non-working by default)' },
  { country: 'AF', workingDays: SAT_WED, halfDays: [4], source: 'Afghanistan: Friday weekend; Thursday afternoon off for government offices (treated as non-working by default)' },
  // Nepal: Saturday is the weekly holiday. (A Sunday holiday was briefly added in 2022 and withdrawn.)
  { country: 'NP', workingDays: [7, 1, 2, 3, 4, 5], source: 'Nepal government: Saturday weekly holiday, Sunday-Friday working' },
  // Brunei: Friday and Sunday off.
  { country: 'BN', workingDays: [1, 2, 3, 4, 6], source: 'Brunei government: Friday and Sunday weekend' },
  // Malaysia: most states work Monday-Friday; Kedah, Kelantan and Terengganu keep a Friday-Saturday weekend.
  { country: 'MY', region: '02', workingDays: SUN_THU, source: 'Kedah state government: Friday-Saturday weekend' },
  { country: 'MY', region: '03', workingDays: SUN_THU, source: 'Kelantan state government: Friday-Saturday weekend' },
  { country: 'MY', region: '11', workingDays: SUN_THU, source: 'Terengganu state government: Friday-Saturday weekend' },
  { country: 'MY', region: '01', from: '2014-01-01', workingDays: SUN_THU, source: 'Johor state government: Friday-Saturday weekend from 1 Jan 2014' },
  { country: 'MY', region: '01', from: '2025-01-01', workingDays: MON_FRI, source: 'Johor state government (announced Oct 2024): back to Saturday-Sunday from 1 Jan 2025' },
];

/** The countries whose weekend this table knows beyond the Monday-Friday default. */
export const WORKING_WEEK_COUNTRIES: ReadonlySet<string> = new Set(WORKING_WEEK_RULES.map((r) => r.country));

/** One regime in force from `fromDay` on: bit w of `mask` set = ISO weekday w works. */
export interface WeekRegime {
  readonly fromDay: DayNumber;
  readonly mask: number;
}

export function weekdayMask(days: Iterable<IsoWeekday>): number {
  let mask = 0;
  for (const d of days) mask |= 1 << d;
  return mask;
}

/**
 * The working-week regimes for a place, ascending by start day; the first starts at -Infinity. Region
 * rows replace the country's rows from the region's first `from` on (before it, the country's).
 */
export function workingWeekRegimes(country: string | undefined, region: string | undefined, halfDaysAreWorking: boolean): WeekRegime[] {
  const toRegime = (r: WorkingWeekRule): WeekRegime => ({
    fromDay: r.from === undefined ? -Infinity : dayNumberOfIsoDate(r.from)!,
    mask: weekdayMask(halfDaysAreWorking ? [...r.workingDays, ...(r.halfDays ?? [])] : r.workingDays),
  });
  const countryRows = WORKING_WEEK_RULES.filter((r) => r.country === country && r.region === undefined).map(toRegime);
  const regionRows = region === undefined ? [] : WORKING_WEEK_RULES.filter((r) => r.country === country && r.region === region).map(toRegime);
  const base = countryRows.length ? countryRows : [{ fromDay: -Infinity, mask: weekdayMask(DEFAULT_WORKING_DAYS) }];
  if (!regionRows.length) return base.sort(byStart);
  regionRows.sort(byStart);
  const regionStart = regionRows[0]!.fromDay;
  return [...base.sort(byStart).filter((r) => r.fromDay < regionStart), ...regionRows];
}

const byStart = (a: WeekRegime, b: WeekRegime) => a.fromDay - b.fromDay;

/** The ISO weekdays that work on `day` under `regimes` (as built by workingWeekRegimes). */
export function maskOn(regimes: readonly WeekRegime[], day: DayNumber): number {
  let mask = regimes[0]!.mask;
  for (let i = 1; i < regimes.length; i++) {
    if (regimes[i]!.fromDay > day) break;
    mask = regimes[i]!.mask;
  }
  return mask;
}

/** The working weekdays of a place on a local date (YYYY-MM-DD), ISO numbered, ascending. */
export function workingDaysOn(country: string | undefined, region: string | undefined, date: string, halfDaysAreWorking = false): IsoWeekday[] {
  const day = dayNumberOfIsoDate(date);
  if (day === undefined) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const mask = maskOn(workingWeekRegimes(country?.toUpperCase(), region?.toUpperCase(), halfDaysAreWorking), day);
  return ([1, 2, 3, 4, 5, 6, 7] as const).filter((d) => (mask & (1 << d)) !== 0);
}
