// Checks for calendar inputs at the API boundary: time zones, countries and regions. Each returns a
// canonical form (or undefined) so callers store one spelling.
import Holidays from 'date-holidays';
import { IANAZone } from 'luxon';
import { WORKING_WEEK_COUNTRIES } from './working-week';

// Offsets ("+05:30") and bare abbreviations are not IANA zone names, even where Intl accepts them:
// a fixed offset has no DST rules, which is the thing the calendar exists to get right.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/;

const canonicalZones = new Map<string, string | undefined>();

/**
 * The canonical spelling of an IANA time zone name as this runtime's ICU knows it (e.g.
 * "america/new_york" → "America/New_York"; links such as "US/Eastern" are accepted and returned as
 * ICU names them), or undefined when the name is not a time zone.
 */
export function canonicalTimeZone(zone: unknown): string | undefined {
  if (typeof zone !== 'string' || !ZONE_NAME.test(zone)) return undefined;
  if (canonicalZones.has(zone)) return canonicalZones.get(zone);
  let canonical: string | undefined;
  if (IANAZone.isValidZone(zone)) {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  }
  // Inputs come from API callers: bound the memo so junk names cannot grow it without limit.
  if (canonicalZones.size >= 10_000) canonicalZones.clear();
  canonicalZones.set(zone, canonical);
  return canonical;
}

/** Whether `zone` is an IANA time zone name this runtime knows (case-insensitive, links allowed). */
export function isValidTimeZone(zone: unknown): zone is string {
  return canonicalTimeZone(zone) !== undefined;
}

const hd = new Holidays();
const holidayCountries: ReadonlySet<string> = new Set(Object.keys(hd.getCountries()));
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
/** CLDR region codes that name groupings or placeholders, not countries. */
const NOT_COUNTRIES: ReadonlySet<string> = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ', 'XA', 'XB']);

/**
 * The upper-case ISO 3166-1 alpha-2 code, or undefined when `code` is not a country: known means
 * date-holidays has its holidays, the working-week table has its weekend, or ICU (CLDR) knows it as
 * a region. Countries only ICU knows (e.g. NP, KW) get their weekend from the table or Monday-Friday
 * and no public holidays: see hasHolidayData.
 */
export function canonicalCountry(code: unknown): string | undefined {
  if (typeof code !== 'string' || !/^[A-Za-z]{2}$/.test(code)) return undefined;
  const upper = code.toUpperCase();
  if (holidayCountries.has(upper) || WORKING_WEEK_COUNTRIES.has(upper)) return upper;
  if (NOT_COUNTRIES.has(upper)) return undefined;
  return regionNames.of(upper) !== upper ? upper : undefined;
}

export function isKnownCountry(code: unknown): code is string {
  return canonicalCountry(code) !== undefined;
}

/** Whether date-holidays has public-holiday data for the country (ISO alpha-2, any case). */
export function hasHolidayData(country: string): boolean {
  return holidayCountries.has(country.toUpperCase());
}

const regionLists = new Map<string, readonly string[]>();

/**
 * The region codes date-holidays knows for a country: its states ("BY") and their sub-regions
 * ("BY-A" for Augsburg). Empty for countries without regional data.
 */
export function regionsOf(country: string): readonly string[] {
  const upper = country.toUpperCase();
  let list = regionLists.get(upper);
  if (!list) {
    const codes: string[] = [];
    if (holidayCountries.has(upper)) {
      for (const state of Object.keys(hd.getStates(upper) ?? {})) {
        codes.push(state);
        for (const sub of Object.keys(hd.getRegions(upper, state) ?? {})) codes.push(`${state}-${sub}`);
      }
    }
    list = codes;
    regionLists.set(upper, list);
  }
  return list;
}

/**
 * The canonical region code for a country, or undefined when unknown. Accepts the date-holidays
 * code in any case ("by", "BY"), an ISO 3166-2 code with the country prefix ("DE-BY"), and a
 * sub-region after a dash ("BY-A").
 */
export function canonicalRegion(country: string, region: unknown): string | undefined {
  if (typeof region !== 'string' || region.length === 0) return undefined;
  const upperCountry = country.toUpperCase();
  let code = region.trim();
  if (code.toUpperCase().startsWith(`${upperCountry}-`)) code = code.slice(upperCountry.length + 1);
  const wanted = code.toUpperCase();
  return regionsOf(upperCountry).find((r) => r.toUpperCase() === wanted);
}

export function isKnownRegion(country: string, region: unknown): boolean {
  return canonicalRegion(country, region) !== undefined;
}
