// fast-check property: random zones (any the runtime knows), random places with holidays and odd
// weekends, random windows, breaks, quiet hours (also across midnight), working days, holiday types,
// blackout and extra working dates, random request instants in 2025-2026. The result must equal the
// first instant an independent reference allows, found by scanning the request instant and then
// every whole minute after it (exact, because every allowed stretch starts on a whole minute).
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { CalendarError, compileCalendar, nextSendTime, type BusinessCalendar, type HolidayType, type IsoWeekday } from '../../domain/calendar';
import { referenceAllowed, referenceFirstAllowed, type ReferenceCalendar } from './reference';

const DAY = 86_400_000;
const SCAN_DAYS = 21;
// CALENDAR_PROPERTY_RUNS=5000 for a deeper local run; the default keeps the suite around ten seconds.
const RUNS = Number(process.env.CALENDAR_PROPERTY_RUNS ?? 100);
const zones = Intl.supportedValuesOf('timeZone');
const places: [string | undefined, string | undefined][] = [
  [undefined, undefined], ['US', 'NY'], ['DE', 'BY'], ['DE', 'BE'], ['DE', 'BY-A'], ['CN', undefined], ['VN', undefined],
  ['LV', undefined], ['SA', undefined], ['IL', undefined], ['AE', undefined], ['NP', undefined], ['IR', undefined],
  ['AU', 'NSW'], ['NZ', undefined], ['JP', undefined], ['CL', undefined], ['MY', '01'], ['MY', '03'], ['IS', undefined],
  ['GT', undefined], ['TR', undefined], ['BR', undefined], ['EG', undefined],
];

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
const forwardRange = fc.integer({ min: 0, max: 1439 }).chain((start) =>
  fc.integer({ min: start + 1, max: 1440 }).map((end) => `${hhmm(start)}-${hhmm(end)}`),
);
const anyRange = fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 1439 }))
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => `${hhmm(a)}-${hhmm(b)}`);
const isoDate = (t: number, plusDays: number) => new Date(t + plusDays * DAY).toISOString().slice(0, 10);

const scenario = fc.record({
  zone: fc.constantFrom(...zones),
  place: fc.constantFrom(...places),
  after: fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 11, 31) }),
  windows: fc.array(forwardRange, { minLength: 1, maxLength: 3 }),
  breaks: fc.array(forwardRange, { maxLength: 1 }),
  quietHours: fc.array(anyRange, { maxLength: 1 }),
  workingDays: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }), { nil: undefined }),
  holidayTypes: fc.option(fc.subarray<HolidayType>(['public', 'bank', 'optional', 'school', 'observance'], { minLength: 1 }), { nil: undefined }),
  blackout: fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 3 }),
  extraWorking: fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 2 }),
  halfDaysAreWorking: fc.boolean(),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function calendars(s: Scenario): { calendar: BusinessCalendar; reference: ReferenceCalendar } | undefined {
  const [country, region] = s.place;
  const common = {
    windows: s.windows,
    breaks: s.breaks,
    quietHours: s.quietHours,
    workingDays: s.workingDays as IsoWeekday[] | undefined,
    holidayTypes: s.holidayTypes,
    blackoutDates: s.blackout.map((d) => isoDate(s.after, d)),
    extraWorkingDates: s.extraWorking.map((d) => isoDate(s.after, d)),
    halfDaysAreWorking: s.halfDaysAreWorking,
  };
  const calendar: BusinessCalendar = { timeZone: s.zone, ...(country ? { country } : {}), ...(region ? { region } : {}), ...common };
  try {
    compileCalendar(calendar);
  } catch (err) {
    // Breaks and quiet hours may cover every window: a valid refusal, checked in validation tests.
    if (err instanceof CalendarError && err.field === 'calendar') return undefined;
    throw err;
  }
  return { calendar, reference: { zone: s.zone, country, region, ...common } };
}

const describeScenario = (s: Scenario, result: number) =>
  `${JSON.stringify(s)} -> ${DateTime.fromMillis(result, { zone: s.zone }).toISO()}`;

describe('nextSendTime on random calendars against a minute-by-minute reference', () => {
  test('the result is the first allowed instant at or after the request', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const built = calendars(s);
        fc.pre(built !== undefined);
        const { calendar, reference } = built!;
        const result = nextSendTime(s.after, calendar).getTime();
        const limit = Math.min(result, s.after + SCAN_DAYS * DAY);
        const first = referenceFirstAllowed(s.after, limit + 1, reference);
        if (result <= s.after + SCAN_DAYS * DAY) {
          expect({ first: first && new Date(first).toISOString(), s: describeScenario(s, result) }).toEqual({
            first: new Date(result).toISOString(),
            s: describeScenario(s, result),
          });
        } else {
          // Far-off results: nothing allowed in the scanned stretch, and the result itself allowed.
          expect(first).toBeUndefined();
          expect(referenceAllowed(result, reference)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('with a key the result stays allowed, on the same local day, not before the earliest', () => {
    fc.assert(
      fc.property(scenario, fc.string({ minLength: 1, maxLength: 20 }), (s, key) => {
        const built = calendars(s);
        fc.pre(built !== undefined);
        const { calendar, reference } = built!;
        const earliest = nextSendTime(s.after, calendar).getTime();
        const spread = nextSendTime(s.after, calendar, { key }).getTime();
        expect(spread).toBeGreaterThanOrEqual(earliest);
        expect(referenceAllowed(spread, reference)).toBe(true);
        const localDate = (t: number) => DateTime.fromMillis(t, { zone: s.zone }).toISODate();
        expect(localDate(spread)).toBe(localDate(earliest));
      }),
      { numRuns: RUNS },
    );
  });

  // Random instants rarely land near a DST change, so this one starts within a day and a half of one,
  // in zones whose changes are odd: at midnight (Santiago, Havana, Beirut, Cairo, Asuncion), by 30
  // minutes (Lord Howe), by two hours (Troll), at 02:45 (Chatham), Ramadan suspensions (Casablanca).
  test('near DST changes the result is still the first allowed instant', () => {
    const dstZones = [
      'America/New_York', 'Europe/Berlin', 'Europe/London', 'Australia/Sydney', 'Australia/Lord_Howe', 'America/Santiago',
      'America/Havana', 'Asia/Beirut', 'Africa/Cairo', 'America/Asuncion', 'Pacific/Chatham', 'Pacific/Auckland',
      'Antarctica/Troll', 'Africa/Casablanca', 'America/St_Johns', 'Asia/Jerusalem', 'Asia/Gaza', 'America/Scoresbysund',
    ].filter((z) => zones.includes(z));
    const transitions = dstZones.flatMap((zone) => offsetChanges(zone, Date.UTC(2025, 0, 1), Date.UTC(2027, 0, 1)).map((at) => ({ zone, at })));
    expect(transitions.length).toBeGreaterThan(dstZones.length * 3);
    const nearChange = fc.record({
      change: fc.constantFrom(...transitions),
      shift: fc.integer({ min: -36 * 60, max: 12 * 60 }),
      windows: fc.array(forwardRange, { minLength: 1, maxLength: 2 }),
      quietHours: fc.array(anyRange, { maxLength: 1 }),
      workingDays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    });
    fc.assert(
      fc.property(nearChange, ({ change, shift, windows, quietHours, workingDays }) => {
        const after = change.at + shift * 60_000 + 17_123;
        const calendar: BusinessCalendar = { timeZone: change.zone, windows, quietHours, workingDays: workingDays as IsoWeekday[] };
        try {
          compileCalendar(calendar);
        } catch (err) {
          fc.pre(!(err instanceof CalendarError && err.field === 'calendar'));
          throw err;
        }
        const reference: ReferenceCalendar = { zone: change.zone, windows, quietHours, workingDays: workingDays as IsoWeekday[] };
        const result = nextSendTime(after, calendar).getTime();
        const first = referenceFirstAllowed(after, Math.min(result, after + SCAN_DAYS * DAY) + 1, reference);
        const label = `${change.zone} after ${DateTime.fromMillis(after, { zone: change.zone }).toISO()} ${JSON.stringify({ windows, quietHours, workingDays })}`;
        expect({ label, result: new Date(result).toISOString() }).toEqual({ label, result: first === undefined ? 'none within scan' : new Date(first).toISOString() });
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

/** Instants in [from, to) where luxon reports a new UTC offset for `zone` (hourly scan, minute search). */
function offsetChanges(zone: string, from: number, to: number): number[] {
  const offset = (t: number) => DateTime.fromMillis(t, { zone }).offset;
  const out: number[] = [];
  for (let t = from; t < to; t += 3_600_000) {
    if (offset(t) === offset(t + 3_600_000)) continue;
    let lo = t;
    let hi = t + 3_600_000;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offset(mid) === offset(lo)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}
