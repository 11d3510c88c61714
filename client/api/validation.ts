// Field checks JSON Schema cannot express (time zones, locales, countries, regions), returning a
// message that names the bad value and says what to fix, or undefined when the value is fine.
import { isKnownCountry, isKnownRegion, isValidTimeZone, regionsOf } from '../../domain/calendar/validation';

export function checkTimeZone(zone: string): string | undefined {
  return isValidTimeZone(zone) ? undefined : `unknown IANA time zone "${zone}": use a name such as Europe/Berlin or America/New_York`;
}

export function checkLocale(locale: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    if (canonical) return undefined;
  } catch {
    // falls through to the message
  }
  return `invalid locale "${locale}": use a BCP 47 tag such as en, de or pt-BR`;
}

export function checkCountry(code: string): string | undefined {
  return /^[A-Z]{2}$/.test(code) && isKnownCountry(code)
    ? undefined
    : `unknown country "${code}": use an ISO 3166-1 alpha-2 code in capitals, such as DE or US`;
}

export function checkRegion(country: string, region: string): string | undefined {
  if (isKnownRegion(country, region)) return undefined;
  const known = regionsOf(country).filter((r) => !r.includes('-'));
  return known.length
    ? `unknown region "${region}" for ${country}: use one of ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}`
    : `${country} has no regions with their own holidays: leave region empty`;
}
