// Hand-checked cases. Each row says why its expected instant is right; expected values are written
// as local time with the offset in force at that instant, so a wrong offset fails as loudly as a
// wrong day. Unless stated, the window is the default 09:00-17:00 (end exclusive).
import { DateTime } from 'luxon';
import { nextSendTime, isSendAllowed, type BusinessCalendar } from '../../domain/calendar';

interface Case {
  name: string;
  calendar: BusinessCalendar;
  after: string;
  expected: string;
  why: string;
}

const NY: BusinessCalendar = { timeZone: 'America/New_York', country: 'US' };
const BERLIN: BusinessCalendar = { timeZone: 'Europe/Berlin', country: 'DE', region: 'BE' };
const SYDNEY: BusinessCalendar = { timeZone: 'Australia/Sydney', country: 'AU', region: 'NSW' };

const cases: Case[] = [
  // --- DST, northern hemisphere ---
  {
    name: 'New York, Friday evening before spring-forward',
    calendar: NY,
    after: '2025-03-07T17:30:00-05:00',
    expected: '2025-03-10T09:00:00-04:00',
    why: 'window closed at 17:00 Fri; Sat/Sun off; clocks went to EDT on Sun 9 Mar, so Mon 09:00 is UTC-4 (13:00Z). Applying the Friday offset (-5) would give 10:00 local.',
  },
  {
    name: 'New York, Friday evening before fall-back',
    calendar: NY,
    after: '2025-10-31T17:30:00-04:00',
    expected: '2025-11-03T09:00:00-05:00',
    why: 'EDT ended Sun 2 Nov; Mon 09:00 is EST, UTC-5 (14:00Z), not 13:00Z.',
  },
  {
    name: 'Berlin, Friday evening before spring-forward',
    calendar: BERLIN,
    after: '2025-03-28T18:00:00+01:00',
    expected: '2025-03-31T09:00:00+02:00',
    why: 'CEST began Sun 30 Mar 02:00; Mon 09:00 is UTC+2.',
  },
  {
    name: 'Berlin, exactly at window end on the Friday before fall-back',
    calendar: BERLIN,
    after: '2025-10-24T17:00:00+02:00',
    expected: '2025-10-27T09:00:00+01:00',
    why: '17:00 is outside a 09:00-17:00 window (end exclusive); CET from Sun 26 Oct, so Mon 09:00 is UTC+1.',
  },
  // --- DST, southern hemisphere (clocks go back in April, forward in October) ---
  {
    name: 'Sydney, Friday evening before DST ends',
    calendar: SYDNEY,
    after: '2025-04-04T17:30:00+11:00',
    expected: '2025-04-07T09:00:00+10:00',
    why: 'AEDT ended Sun 6 Apr 03:00 -> 02:00; Mon 09:00 is AEST, UTC+10.',
  },
  {
    name: 'Sydney, Friday evening before DST starts and a Labour Day Monday',
    calendar: SYDNEY,
    after: '2025-10-03T18:00:00+10:00',
    expected: '2025-10-07T09:00:00+11:00',
    why: 'AEDT began Sun 5 Oct 02:00 -> 03:00; Mon 6 Oct is Labour Day in NSW (first Monday of October); Tue 09:00 is UTC+11.',
  },
  // --- Weekdays in local time, near midnight UTC ---
  {
    name: 'Tokyo, Friday 23:30 UTC is Saturday morning',
    calendar: { timeZone: 'Asia/Tokyo', country: 'JP' },
    after: '2025-06-06T23:30:00Z',
    expected: '2025-06-09T09:00:00+09:00',
    why: 'Fri 23:30Z is Sat 08:30 JST: weekend in Tokyo, although a UTC weekday check says Friday.',
  },
  {
    name: 'Tokyo, inside the window',
    calendar: { timeZone: 'Asia/Tokyo', country: 'JP' },
    after: '2025-06-04T01:00:00Z',
    expected: '2025-06-04T10:00:00+09:00',
    why: 'Wed 10:00 JST is inside the window: the request instant itself is returned.',
  },
  {
    name: 'Auckland, Sunday in New York is Monday in Auckland',
    calendar: { timeZone: 'Pacific/Auckland', country: 'NZ' },
    after: '2025-06-08T18:00:00-04:00',
    expected: '2025-06-09T10:00:00+12:00',
    why: 'Sun 18:00 EDT = Mon 10:00 NZST, a working day in Auckland (King\'s Birthday was 2 Jun): allowed at once.',
  },
  {
    name: 'New York, the same Sunday instant',
    calendar: NY,
    after: '2025-06-08T18:00:00-04:00',
    expected: '2025-06-09T09:00:00-04:00',
    why: 'still Sunday in New York: next window is Monday 09:00 local.',
  },
  // --- Requests inside, before and after the window ---
  {
    name: 'inside the window keeps the exact instant (milliseconds too)',
    calendar: BERLIN,
    after: '2025-06-11T10:15:30.250+02:00',
    expected: '2025-06-11T10:15:30.250+02:00',
    why: 'Wed 10:15:30.250 is allowed; the search never rounds.',
  },
  {
    name: 'before the window',
    calendar: BERLIN,
    after: '2025-06-11T07:00:00+02:00',
    expected: '2025-06-11T09:00:00+02:00',
    why: 'same working day, window opens at 09:00.',
  },
  {
    name: 'after the window',
    calendar: BERLIN,
    after: '2025-06-11T18:00:00+02:00',
    expected: '2025-06-12T09:00:00+02:00',
    why: 'next working day (Thursday) at 09:00.',
  },
  {
    name: 'one millisecond before window end',
    calendar: BERLIN,
    after: '2025-06-11T16:59:59.999+02:00',
    expected: '2025-06-11T16:59:59.999+02:00',
    why: 'the window is [09:00, 17:00): 16:59:59.999 is inside.',
  },
  {
    name: 'Friday evening',
    calendar: BERLIN,
    after: '2025-06-13T20:00:00+02:00',
    expected: '2025-06-16T09:00:00+02:00',
    why: 'Sat/Sun off in Germany; Monday 16 Jun is no holiday.',
  },
  // --- Holidays ---
  {
    name: 'Germany, eve of Christmas: Heiliger Abend is not a public holiday',
    calendar: BERLIN,
    after: '2025-12-23T17:30:00+01:00',
    expected: '2025-12-24T09:00:00+01:00',
    why: 'date-holidays types 24 Dec (from 14:00) as "bank", which does not block by default.',
  },
  {
    name: 'Germany, Christmas',
    calendar: BERLIN,
    after: '2025-12-24T17:00:00+01:00',
    expected: '2025-12-29T09:00:00+01:00',
    why: '25 and 26 Dec are public holidays, 27/28 the weekend: Mon 29 Dec.',
  },
  {
    name: 'Germany, Heiliger Abend blocks from 14:00 when bank holidays count',
    calendar: { ...BERLIN, holidayTypes: ['public', 'bank'] },
    after: '2025-12-24T13:30:00+01:00',
    expected: '2025-12-24T13:30:00+01:00',
    why: 'the bank holiday starts at 14:00; 13:30 is still open.',
  },
  {
    name: 'Germany, Heiliger Abend afternoon with bank holidays counted',
    calendar: { ...BERLIN, holidayTypes: ['public', 'bank'] },
    after: '2025-12-24T14:00:00+01:00',
    expected: '2025-12-29T09:00:00+01:00',
    why: '14:00-24:00 blocked (bank), then 25/26 public and the weekend.',
  },
  {
    name: 'Bavaria: Corpus Christi is a holiday',
    calendar: { timeZone: 'Europe/Berlin', country: 'DE', region: 'BY' },
    after: '2025-06-18T17:30:00+02:00',
    expected: '2025-06-20T09:00:00+02:00',
    why: 'Fronleichnam (Thu 19 Jun 2025) is public in Bavaria.',
  },
  {
    name: 'Berlin: Corpus Christi is a working day',
    calendar: BERLIN,
    after: '2025-06-18T17:30:00+02:00',
    expected: '2025-06-19T09:00:00+02:00',
    why: 'Fronleichnam is not a holiday in Berlin.',
  },
  {
    name: 'Augsburg (BY-A): Friedensfest',
    calendar: { timeZone: 'Europe/Berlin', country: 'DE', region: 'BY-A' },
    after: '2025-08-07T17:30:00+02:00',
    expected: '2025-08-11T09:00:00+02:00',
    why: 'Augsburger Hohes Friedensfest (Fri 8 Aug) is public only in Augsburg; then the weekend.',
  },
  {
    name: 'Vietnam, eve of Tết',
    calendar: { timeZone: 'Asia/Ho_Chi_Minh', country: 'VN' },
    after: '2025-01-27T17:00:00+07:00',
    expected: '2025-02-03T09:00:00+07:00',
    why: 'date-holidays lists Tết as one 5-day public holiday Tue 28 Jan - Sat 1 Feb; Sun 2 Feb is the weekend.',
  },
  {
    name: 'China, eve of Spring Festival (statutory days only)',
    calendar: { timeZone: 'Asia/Shanghai', country: 'CN' },
    after: '2025-01-27T17:30:00+08:00',
    expected: '2025-01-31T09:00:00+08:00',
    why: 'date-holidays has 28-30 Jan; the State Council\'s extra bridge days (31 Jan - 4 Feb) are not built in.',
  },
  {
    name: 'China, Spring Festival with the 2025 adjusted schedule configured',
    calendar: {
      timeZone: 'Asia/Shanghai',
      country: 'CN',
      blackoutDates: ['2025-01-31', '2025-02-03', '2025-02-04'],
      extraWorkingDates: ['2025-01-26', '2025-02-08'],
    },
    after: '2025-01-27T17:30:00+08:00',
    expected: '2025-02-05T09:00:00+08:00',
    why: 'official 2025 schedule: 28 Jan - 4 Feb off; blackout dates add the bridge days.',
  },
  {
    name: 'China, adjusted working Sunday',
    calendar: { timeZone: 'Asia/Shanghai', country: 'CN', extraWorkingDates: ['2025-01-26', '2025-02-08'] },
    after: '2025-01-25T12:00:00+08:00',
    expected: '2025-01-26T09:00:00+08:00',
    why: 'Sun 26 Jan 2025 was a working day (调休); extraWorkingDates makes it one.',
  },
  {
    name: 'China, National Day golden week',
    calendar: { timeZone: 'Asia/Shanghai', country: 'CN' },
    after: '2025-09-30T17:00:00+08:00',
    expected: '2025-10-07T09:00:00+08:00',
    why: '1-3 Oct National Day, 4/5 weekend, Mon 6 Oct Mid-Autumn Festival (all in date-holidays).',
  },
  {
    name: 'China, Army Day afternoon is not a holiday for everyone',
    calendar: { timeZone: 'Asia/Shanghai', country: 'CN' },
    after: '2025-08-01T13:00:00+08:00',
    expected: '2025-08-01T13:00:00+08:00',
    why: 'date-holidays types 1 Aug from 12:00 "public", but it is a half day for active military only.',
  },
  {
    name: "China, Children's Day is not a holiday for everyone",
    calendar: { timeZone: 'Asia/Shanghai', country: 'CN' },
    after: '2026-06-01T08:00:00+08:00',
    expected: '2026-06-01T09:00:00+08:00',
    why: 'Mon 1 Jun 2026 is "public" in date-holidays but only children under 14 get the day off.',
  },
  {
    name: 'Latvia, Līgo and Jāņi',
    calendar: { timeZone: 'Europe/Riga', country: 'LV' },
    after: '2025-06-20T17:00:00+03:00',
    expected: '2025-06-25T09:00:00+03:00',
    why: 'Sat/Sun, then Līgo Diena (Mon 23 Jun) and Jāņi (Tue 24 Jun) are public holidays.',
  },
  // --- DST gap and overlap at the window start ---
  {
    name: 'Berlin, window starting 02:30 on spring-forward day',
    calendar: { timeZone: 'Europe/Berlin', workingDays: [1, 2, 3, 4, 5, 6, 7], windows: ['02:30-05:00'] },
    after: '2025-03-29T23:00:00+01:00',
    expected: '2025-03-30T03:00:00+02:00',
    why: '02:00-03:00 does not exist on 30 Mar; the first instant at or after 02:30 local shows 03:00.',
  },
  {
    name: 'New York, window starting 02:30 on spring-forward day',
    calendar: { timeZone: 'America/New_York', workingDays: [7], windows: ['02:30-04:00'] },
    after: '2025-03-08T12:00:00-05:00',
    expected: '2025-03-09T03:00:00-04:00',
    why: 'Sun 9 Mar jumps 02:00 EST -> 03:00 EDT; first valid instant is 03:00 EDT (07:00Z).',
  },
  {
    name: 'New York, window starting in the repeated hour: first occurrence',
    calendar: { timeZone: 'America/New_York', workingDays: [7], windows: ['01:30-03:00'] },
    after: '2025-11-02T00:00:00-04:00',
    expected: '2025-11-02T01:30:00-04:00',
    why: '01:30 happens at 05:30Z (EDT) and 06:30Z (EST); the first is taken.',
  },
  {
    name: 'New York, request in the second pass of the repeated hour',
    calendar: { timeZone: 'America/New_York', workingDays: [7], windows: ['01:30-03:00'] },
    after: '2025-11-02T01:10:00-05:00',
    expected: '2025-11-02T01:30:00-05:00',
    why: '01:10 EST is 06:10Z, after the first 01:30 (05:30Z); the next instant showing 01:30 is 06:30Z.',
  },
  {
    name: 'New York, request inside the window during the first pass',
    calendar: { timeZone: 'America/New_York', workingDays: [7], windows: ['01:30-03:00'] },
    after: '2025-11-02T01:45:00-04:00',
    expected: '2025-11-02T01:45:00-04:00',
    why: 'already allowed.',
  },
  {
    name: 'Santiago, window at midnight on a day that starts at 01:00',
    calendar: { timeZone: 'America/Santiago', workingDays: [7], windows: ['00:00-02:00'] },
    after: '2025-09-06T12:00:00-04:00',
    expected: '2025-09-07T01:00:00-03:00',
    why: 'Chile springs forward at 24:00 Sat 6 Sep -> 01:00 Sun; 00:00-01:00 Sunday does not exist.',
  },
  // --- Odd offsets ---
  {
    name: 'Kathmandu +05:45',
    calendar: { timeZone: 'Asia/Kathmandu', country: 'NP' },
    after: '2025-06-12T03:00:00Z',
    expected: '2025-06-12T09:00:00+05:45',
    why: '03:00Z is 08:45 NPT on Thursday; window opens at 09:00 = 03:15Z.',
  },
  {
    name: 'Kathmandu, Saturday is the weekly holiday, Sunday works',
    calendar: { timeZone: 'Asia/Kathmandu', country: 'NP' },
    after: '2025-06-13T17:00:00+05:45',
    expected: '2025-06-15T09:00:00+05:45',
    why: 'Nepal works Sunday to Friday.',
  },
  {
    name: 'Chatham +12:45',
    calendar: { timeZone: 'Pacific/Chatham', country: 'NZ' },
    after: '2025-06-10T20:00:00Z',
    expected: '2025-06-11T09:00:00+12:45',
    why: '20:00Z is Wed 08:45 CHAST (+12:45); window opens 15 minutes later.',
  },
  {
    name: 'Chatham, window start in its 02:45 DST gap',
    calendar: { timeZone: 'Pacific/Chatham', workingDays: [7], windows: ['03:00-05:00'] },
    after: '2025-09-27T12:00:00+12:45',
    expected: '2025-09-28T03:45:00+13:45',
    why: 'Chatham jumps 02:45 -> 03:45 on Sun 28 Sep; 03:00-03:45 does not exist.',
  },
  // --- Weekends that are not Saturday/Sunday ---
  {
    name: 'Saudi Arabia, Thursday evening',
    calendar: { timeZone: 'Asia/Riyadh', country: 'SA' },
    after: '2025-06-12T17:00:00+03:00',
    expected: '2025-06-15T09:00:00+03:00',
    why: 'Friday-Saturday weekend; Sunday works.',
  },
  {
    name: 'Saudi Arabia, the eve of Eid al-Adha is still a working day',
    calendar: { timeZone: 'Asia/Riyadh', country: 'SA' },
    after: '2025-06-03T17:00:00+03:00',
    expected: '2025-06-04T09:00:00+03:00',
    why: 'Eid al-Adha starts at sunset (18:00 in date-holidays) on Wed 4 Jun.',
  },
  {
    name: 'Saudi Arabia, Eid al-Adha and the weekend',
    calendar: { timeZone: 'Asia/Riyadh', country: 'SA' },
    after: '2025-06-04T17:00:00+03:00',
    expected: '2025-06-09T09:00:00+03:00',
    why: 'Eid runs to 18:00 Sun 8 Jun (Thu-Sun, Fri/Sat weekend inside it): Monday.',
  },
  {
    name: 'Saudi Arabia before June 2013: Thursday-Friday weekend',
    calendar: { timeZone: 'Asia/Riyadh', country: 'SA' },
    after: '2013-01-09T17:00:00+03:00',
    expected: '2013-01-12T09:00:00+03:00',
    why: 'Wed evening; Thu/Fri weekend until 29 Jun 2013; Saturday worked.',
  },
  {
    name: 'Israel, Thursday evening',
    calendar: { timeZone: 'Asia/Jerusalem', country: 'IL' },
    after: '2025-06-12T17:00:00+03:00',
    expected: '2025-06-15T09:00:00+03:00',
    why: 'Friday is a short day (non-working by default), Saturday the weekend.',
  },
  {
    name: 'Israel, Friday counted when half days are working',
    calendar: { timeZone: 'Asia/Jerusalem', country: 'IL', halfDaysAreWorking: true },
    after: '2025-06-12T17:00:00+03:00',
    expected: '2025-06-13T09:00:00+03:00',
    why: 'halfDaysAreWorking opts Friday in.',
  },
  {
    name: 'UAE in 2021: Friday-Saturday weekend',
    calendar: { timeZone: 'Asia/Dubai', country: 'AE' },
    after: '2021-07-08T17:00:00+04:00',
    expected: '2021-07-11T09:00:00+04:00',
    why: 'before 2022 the UAE worked Sunday-Thursday.',
  },
  {
    name: 'UAE since 2022: Monday-Friday',
    calendar: { timeZone: 'Asia/Dubai', country: 'AE' },
    after: '2025-07-10T17:00:00+04:00',
    expected: '2025-07-11T09:00:00+04:00',
    why: 'from 1 Jan 2022 Friday is a working day.',
  },
  {
    name: 'Johor (MY-01) switched back to Saturday-Sunday in 2025',
    calendar: { timeZone: 'Asia/Kuala_Lumpur', country: 'MY', region: '01' },
    after: '2025-07-10T17:00:00+08:00',
    expected: '2025-07-11T09:00:00+08:00',
    why: 'Friday works in Johor from 1 Jan 2025 (2014-2024: Friday-Saturday weekend).',
  },
  {
    name: 'Johor in 2024: Friday-Saturday weekend',
    calendar: { timeZone: 'Asia/Kuala_Lumpur', country: 'MY', region: '01' },
    after: '2024-07-11T17:00:00+08:00',
    expected: '2024-07-14T09:00:00+08:00',
    why: 'Thu evening; Fri/Sat off; Sunday worked.',
  },
  // --- Shape of the day: breaks, quiet hours, several windows ---
  {
    name: 'lunch break',
    calendar: { ...BERLIN, breaks: ['12:00-13:00'] },
    after: '2025-06-11T12:15:00+02:00',
    expected: '2025-06-11T13:00:00+02:00',
    why: 'the break is excluded; sends resume at 13:00.',
  },
  {
    name: 'quiet hours crossing midnight trim the morning',
    calendar: { ...BERLIN, quietHours: ['20:00-10:30'] },
    after: '2025-06-11T07:00:00+02:00',
    expected: '2025-06-11T10:30:00+02:00',
    why: 'quiet 20:00-10:30 leaves 10:30-17:00 of the window.',
  },
  {
    name: 'two windows: afternoon one',
    calendar: { ...BERLIN, windows: ['08:00-10:00', '15:00-17:00'] },
    after: '2025-06-11T11:00:00+02:00',
    expected: '2025-06-11T15:00:00+02:00',
    why: 'between windows: next window opens at 15:00.',
  },
  {
    name: 'window until midnight',
    calendar: { ...BERLIN, windows: ['20:00-24:00'] },
    after: '2025-06-11T23:59:59.500+02:00',
    expected: '2025-06-11T23:59:59.500+02:00',
    why: '"24:00" as an end means up to midnight.',
  },
  {
    name: 'blackout date',
    calendar: { ...BERLIN, blackoutDates: ['2025-06-12'] },
    after: '2025-06-11T18:00:00+02:00',
    expected: '2025-06-13T09:00:00+02:00',
    why: 'Thursday 12 Jun is blacked out.',
  },
];

describe('nextSendTime: hand-checked cases', () => {
  test.each(cases)('$name', ({ calendar, after, expected, why }) => {
    const result = nextSendTime(DateTime.fromISO(after, { setZone: true }).toJSDate(), calendar);
    const local = DateTime.fromJSDate(result, { zone: calendar.timeZone });
    // Both the local reading (with its offset) and the instant must match.
    expect({ local: local.toISO({ suppressMilliseconds: true }), why }).toEqual({ local: expected, why });
    expect(result.getTime()).toBe(DateTime.fromISO(expected).toMillis());
    expect(isSendAllowed(result, calendar)).toBe(true);
  });

  test('accepts epoch milliseconds as well as a Date', () => {
    const after = Date.parse('2025-06-13T18:00:00Z');
    expect(nextSendTime(after, BERLIN).getTime()).toBe(nextSendTime(new Date(after), BERLIN).getTime());
  });

  test('the result is a new Date, never the argument', () => {
    const after = new Date('2025-06-11T10:00:00+02:00');
    const result = nextSendTime(after, BERLIN);
    expect(result).not.toBe(after);
    expect(result.getTime()).toBe(after.getTime());
  });
});
