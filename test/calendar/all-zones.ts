// The property behind all-zones-{1,2}.property.test.ts, over EVERY time zone the runtime knows and
// every day of 2025 and 2026 (one pseudo-random instant per day, seeded per zone so failures
// reproduce): each zone gets the country date-holidays
// associates with it (its working week and public holidays), or none. For each request:
//   - the result is at or after the request;
//   - the reference (test/calendar/reference.ts, independent of the implementation) allows it:
//     inside a window, on a working, non-holiday day, in local time;
//   - nothing earlier is allowed: the reference rejects the request instant itself, the minute
//     before the result, and the same instant on every earlier day back to the request (where a
//     wrong offset, a missed DST step or a skipped working day would show). The
//     exhaustive minute-by-minute scan runs on random calendars in random-calendars.property.test.ts.
import { DateTime } from 'luxon';
import { nextSendTime } from '../../domain/calendar';
import { countryOfZone, referenceAllowed, type ReferenceCalendar } from './reference';

const DAY = 86_400_000;
const MINUTE = 60_000;
const FIRST_DAY = Date.UTC(2025, 0, 1);
const DAYS = 730;

export const zones = Intl.supportedValuesOf('timeZone');
const countries = countryOfZone();

function seededRandom(text: string): () => number {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619);
  return () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
}

export function checkZone(zone: string): string[] {
  const country = countries.get(zone);
  const calendar = country ? { timeZone: zone, country } : { timeZone: zone };
  const reference: ReferenceCalendar = { zone, country };
  const random = seededRandom(zone);
  const failures: string[] = [];
  const fail = (after: number, result: number, problem: string) => {
    const local = (t: number) => DateTime.fromMillis(t, { zone }).toISO();
    failures.push(`${zone} (${country ?? 'no country'}) after ${local(after)}: got ${local(result)}: ${problem}`);
  };
  for (let d = 0; d < DAYS && failures.length < 5; d++) {
    const after = FIRST_DAY + d * DAY + Math.floor(random() * DAY);
    const result = nextSendTime(after, calendar).getTime();
    if (result < after) {
      fail(after, result, 'earlier than the request');
      continue;
    }
    if (!referenceAllowed(result, reference)) {
      fail(after, result, 'not allowed by the reference');
      continue;
    }
    if (result === after) continue;
    if (referenceAllowed(after, reference)) {
      fail(after, result, 'the request instant itself was allowed');
      continue;
    }
    // Probes before the result: the minute before (a late boundary, e.g. from a wrong offset) and
    // the same time on each earlier day back to the request (a skipped working day).
    const probes = [result - MINUTE];
    for (let t = result - DAY; t >= after; t -= DAY) probes.push(t);
    const allowedEarlier = probes.find((t) => t >= after && referenceAllowed(t, reference));
    if (allowedEarlier !== undefined) fail(after, result, `an earlier instant is allowed: ${DateTime.fromMillis(allowedEarlier, { zone }).toISO()}`);
  }
  return failures;
}

const GROUP = 40;

/** Groups of zones for one half (part 0 or 1) of the zone list, so jest runs the halves in parallel. */
export function zoneGroups(part: number, parts: number): string[][] {
  const size = Math.ceil(zones.length / parts);
  const mine = zones.slice(part * size, (part + 1) * size);
  return Array.from({ length: Math.ceil(mine.length / GROUP) }, (_, i) => mine.slice(i * GROUP, (i + 1) * GROUP));
}
