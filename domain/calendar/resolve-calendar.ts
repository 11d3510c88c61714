// Which calendar applies to a customer: their own place when we know their time zone, otherwise the
// account's default calendar.
import { compileCalendar, type BusinessCalendar } from './business-calendar';
import { CalendarError, quote } from './errors';
import { canonicalCountry, canonicalRegion, canonicalTimeZone } from './validation';

/** What a customer record may say about where they are. Empty strings and null count as absent. */
export interface CustomerPlace {
  readonly timeZone?: string | null;
  readonly country?: string | null;
  readonly region?: string | null;
}

/**
 * Builds the calendar for one customer from their place and the account's default calendar.
 *
 * - Customer with a time zone: the customer's zone, country and region (so their working week and
 *   public holidays), with the account's sending policy: windows, breaks, quiet hours, holiday
 *   types, half-day choice and blackout dates. The account's `workingDays` and `extraWorkingDates`
 *   describe the account's own country and carry over only when the customer is in that country. A
 *   customer with a zone but no country gets the Monday-Friday week and no public holidays.
 * - Customer without a time zone: the account's default calendar, unchanged (its zone, country,
 *   region and everything else). A country or region on such a customer is validated but not used:
 *   one place's holidays on another place's clock would match neither.
 *
 * Values are returned in canonical spelling ("america/new_york" → "America/New_York", "de" → "DE").
 * @throws CalendarError naming the field (timeZone, country, region) for an unknown customer value,
 *   or any field of the account defaults that is invalid.
 */
export function resolveCalendar(profile: CustomerPlace, accountDefaults: BusinessCalendar): BusinessCalendar {
  const account = compileCalendar(accountDefaults);
  const zoneText = present(profile.timeZone);
  const countryText = present(profile.country);
  const regionText = present(profile.region);

  let timeZone: string | undefined;
  if (zoneText !== undefined) {
    timeZone = canonicalTimeZone(zoneText);
    if (timeZone === undefined) throw new CalendarError('timeZone', zoneText, `unknown IANA time zone ${quote(zoneText)} (expected e.g. "Europe/Berlin")`);
  }
  let country: string | undefined;
  if (countryText !== undefined) {
    country = canonicalCountry(countryText);
    if (country === undefined) throw new CalendarError('country', countryText, `unknown country ${quote(countryText)} (expected an ISO 3166-1 alpha-2 code such as "DE")`);
  }
  let region: string | undefined;
  if (regionText !== undefined) {
    if (country === undefined) throw new CalendarError('region', regionText, `region ${quote(regionText)} needs a country`);
    region = canonicalRegion(country, regionText);
    if (region === undefined) throw new CalendarError('region', regionText, `unknown region ${quote(regionText)} for country ${country}`);
  }

  if (timeZone === undefined) {
    return { ...accountDefaults, timeZone: account.timeZone, country: account.country, region: account.region };
  }
  const sameCountry = country !== undefined && country === account.country;
  const calendar: BusinessCalendar = {
    timeZone,
    country,
    region,
    workingDays: sameCountry ? accountDefaults.workingDays : undefined,
    extraWorkingDates: sameCountry ? accountDefaults.extraWorkingDates : undefined,
    halfDaysAreWorking: accountDefaults.halfDaysAreWorking,
    windows: accountDefaults.windows,
    breaks: accountDefaults.breaks,
    quietHours: accountDefaults.quietHours,
    holidayTypes: accountDefaults.holidayTypes,
    blackoutDates: accountDefaults.blackoutDates,
  };
  return withoutUndefined(calendar);
}

function present(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}

function withoutUndefined(calendar: BusinessCalendar): BusinessCalendar {
  return Object.fromEntries(Object.entries(calendar).filter(([, v]) => v !== undefined)) as unknown as BusinessCalendar;
}
