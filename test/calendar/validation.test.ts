// The API-boundary helpers and CalendarError: what is accepted, how it is spelled back, and which
// field an error blames.
import {
  CalendarError,
  canonicalCountry,
  canonicalRegion,
  canonicalTimeZone,
  compileCalendar,
  hasHolidayData,
  isKnownCountry,
  isKnownRegion,
  isValidTimeZone,
  nextSendTime,
  regionsOf,
  resolveCalendar,
  type BusinessCalendar,
  type CalendarField,
} from '../../domain/calendar';

function errorOf(fn: () => unknown): CalendarError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CalendarError) return err;
    throw err;
  }
  throw new Error('expected a CalendarError');
}

describe('isValidTimeZone / canonicalTimeZone', () => {
  test.each(['Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC', 'Etc/GMT+5', 'US/Eastern'])('accepts %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  test.each(['Mars/Olympus', 'Europe/Berlinn', '', '+05:30', 'GMT+5', 'EST5EDT ', 'Europe/../Berlin', 42, null, undefined])('rejects %p', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });

  test('returns the canonical spelling', () => {
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('Mars/Olympus')).toBeUndefined();
  });
});

describe('isKnownCountry / canonicalCountry', () => {
  test('accepts ISO 3166-1 alpha-2 codes in any case, with or without holiday data', () => {
    expect(canonicalCountry('de')).toBe('DE');
    expect(isKnownCountry('SA')).toBe(true);
    expect(isKnownCountry('NP')).toBe(true); // working-week table, no date-holidays data
    expect(hasHolidayData('NP')).toBe(false);
    expect(hasHolidayData('de')).toBe(true);
  });

  test.each(['XX', 'QQ', 'EU', 'UN', 'ZZ', 'DEU', 'D', '', 'de-DE', 7])('rejects %p', (code) => {
    expect(isKnownCountry(code)).toBe(false);
  });
});

describe('regions', () => {
  test('date-holidays states and sub-regions, in several spellings', () => {
    expect(regionsOf('DE')).toEqual(expect.arrayContaining(['BY', 'BE', 'BY-A']));
    expect(canonicalRegion('DE', 'by')).toBe('BY');
    expect(canonicalRegion('DE', 'DE-BY')).toBe('BY');
    expect(canonicalRegion('de', 'by-a')).toBe('BY-A');
    expect(isKnownRegion('US', 'NY')).toBe(true);
  });

  test('rejects regions of another country or of countries without regional data', () => {
    expect(isKnownRegion('DE', 'NY')).toBe(false);
    expect(isKnownRegion('NP', 'P3')).toBe(false);
    expect(isKnownRegion('DE', '')).toBe(false);
  });
});

describe('compiling a calendar: each bad field is named', () => {
  const ok: BusinessCalendar = { timeZone: 'Europe/Berlin', country: 'DE' };
  const cases: [string, BusinessCalendar, CalendarField, RegExp][] = [
    ['unknown zone', { timeZone: 'Mars/Olympus' }, 'timeZone', /timeZone: unknown IANA time zone "Mars\/Olympus"/],
    ['unknown country', { ...ok, country: 'XX' }, 'country', /country: unknown country "XX"/],
    ['unknown region', { ...ok, region: 'ZZ' }, 'region', /region: unknown region "ZZ" for country DE/],
    ['region without country', { timeZone: 'Europe/Berlin', region: 'BY' }, 'region', /needs a country/],
    ['malformed window', { ...ok, windows: ['9-17'] }, 'windows', /windows: expected a local time range HH:mm-HH:mm/],
    ['window crossing midnight', { ...ok, windows: ['22:00-02:00'] }, 'windows', /crosses midnight/],
    ['empty window', { ...ok, windows: ['09:00-09:00'] }, 'windows', /is empty/],
    ['hour 25', { ...ok, windows: ['09:00-25:00'] }, 'windows', /not a valid time range/],
    ['no windows', { ...ok, windows: [] }, 'windows', /no send windows/],
    ['break crossing midnight', { ...ok, breaks: ['23:00-01:00'] }, 'breaks', /crosses midnight/],
    ['bad weekday', { ...ok, workingDays: [0 as never] }, 'workingDays', /ISO weekdays 1 \(Monday\) to 7 \(Sunday\)/],
    ['no working days', { ...ok, workingDays: [] }, 'workingDays', /no working days/],
    ['bad holiday type', { ...ok, holidayTypes: ['national' as never] }, 'holidayTypes', /unknown holiday type "national"/],
    ['bad blackout date', { ...ok, blackoutDates: ['2025-02-30'] }, 'blackoutDates', /expected a local date YYYY-MM-DD, got "2025-02-30"/],
    ['bad extra working date', { ...ok, extraWorkingDates: ['tomorrow'] }, 'extraWorkingDates', /"tomorrow"/],
    ['quiet hours cover the window', { ...ok, quietHours: ['08:00-18:00'] }, 'calendar', /no time of day is left/],
  ];

  test.each(cases)('%s', (_name, calendar, field, message) => {
    const err = errorOf(() => compileCalendar(calendar));
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
    expect(err.name).toBe('CalendarError');
  });

  test('quiet hours may cross midnight', () => {
    expect(() => compileCalendar({ ...ok, quietHours: ['22:00-07:00'] })).not.toThrow();
  });

  test('a bad instant is an error on "after"', () => {
    expect(errorOf(() => nextSendTime(new Date('nope'), ok)).field).toBe('after');
    expect(errorOf(() => nextSendTime(Number.NaN, ok)).field).toBe('after');
  });

  test('a calendar that allows nothing within the search bound fails on "calendar"', () => {
    const calendar: BusinessCalendar = { ...ok, workingDays: [1], blackoutDates: ['2025-06-16', '2025-06-23'] };
    const err = errorOf(() => nextSendTime(Date.parse('2025-06-14T00:00:00Z'), calendar, { maxSearchDays: 14 }));
    expect(err.field).toBe('calendar');
    expect(err.message).toMatch(/allows no send time within 14 days/);
  });
});

describe('resolveCalendar', () => {
  const account: BusinessCalendar = {
    timeZone: 'Europe/Berlin',
    country: 'DE',
    region: 'BE',
    workingDays: [1, 2, 3, 4],
    windows: ['10:00-16:00'],
    breaks: ['12:00-13:00'],
    holidayTypes: ['public', 'bank'],
    blackoutDates: ['2025-12-31'],
    extraWorkingDates: ['2025-06-14'],
  };

  test('a customer with a zone gets their place and the account sending policy', () => {
    const calendar = resolveCalendar({ timeZone: 'asia/riyadh', country: 'sa' }, account);
    expect(calendar).toEqual({
      timeZone: 'Asia/Riyadh',
      country: 'SA',
      windows: ['10:00-16:00'],
      breaks: ['12:00-13:00'],
      holidayTypes: ['public', 'bank'],
      blackoutDates: ['2025-12-31'],
    });
    // Saudi working week (Sunday) rather than the account's Monday-Thursday.
    const sunday = nextSendTime(Date.parse('2025-06-14T12:00:00+03:00'), calendar);
    expect(sunday.toISOString()).toBe('2025-06-15T07:00:00.000Z');
  });

  test("account working days and extra working dates carry over only within the account's country", () => {
    const calendar = resolveCalendar({ timeZone: 'Europe/Berlin', country: 'DE', region: 'by' }, account);
    expect(calendar.region).toBe('BY');
    expect(calendar.workingDays).toEqual([1, 2, 3, 4]);
    expect(calendar.extraWorkingDates).toEqual(['2025-06-14']);
  });

  test('a customer with a zone but no country: Monday-Friday, no holidays', () => {
    const calendar = resolveCalendar({ timeZone: 'Asia/Tokyo', country: '', region: null }, account);
    expect(calendar.country).toBeUndefined();
    expect(calendar.workingDays).toBeUndefined();
    expect(calendar.timeZone).toBe('Asia/Tokyo');
  });

  test('a customer without a zone gets the account calendar unchanged', () => {
    expect(resolveCalendar({}, account)).toEqual(account);
    expect(resolveCalendar({ timeZone: null, country: 'SA' }, account)).toEqual(account);
  });

  test.each([
    [{ timeZone: 'Mars/Olympus' }, 'timeZone', /unknown IANA time zone "Mars\/Olympus"/],
    [{ timeZone: 'Europe/Berlin', country: 'XX' }, 'country', /unknown country "XX"/],
    [{ timeZone: 'Europe/Berlin', country: 'DE', region: 'NY' }, 'region', /unknown region "NY" for country DE/],
    [{ timeZone: 'Europe/Berlin', region: 'BY' }, 'region', /needs a country/],
    [{ country: 'XX' }, 'country', /unknown country/],
  ] as const)('rejects %p naming %s', (profile, field, message) => {
    const err = errorOf(() => resolveCalendar(profile, account));
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
  });

  test('invalid account defaults are reported too', () => {
    expect(errorOf(() => resolveCalendar({ timeZone: 'Asia/Tokyo' }, { timeZone: 'Nowhere/Land' })).field).toBe('timeZone');
  });
});
