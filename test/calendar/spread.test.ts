// Spreading: deterministic per key, inside the allowed time, never before the request, and spread
// evenly enough that a cohort does not all fire at 09:00:00.
import { DateTime } from 'luxon';
import { nextSendTime, isSendAllowed, spreadFraction, type BusinessCalendar } from '../../domain/calendar';

const BERLIN: BusinessCalendar = { timeZone: 'Europe/Berlin', country: 'DE', region: 'BE' };
const at = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toMillis();
const local = (d: Date, zone = 'Europe/Berlin') => DateTime.fromJSDate(d, { zone });
const keys = Array.from({ length: 4000 }, (_, i) => `customer-${i}`);

describe('spreadFraction', () => {
  test('is stable across calls and releases (pinned values)', () => {
    // Pinned: changing the hash would move every customer's send time.
    expect([spreadFraction('a'), spreadFraction('b'), spreadFraction('')].map((f) => f.toFixed(9))).toEqual([
      '0.880328899',
      '0.964155082',
      '0.370693257',
    ]);
  });

  test('lies in [0, 1) and differs between keys', () => {
    const fractions = keys.map(spreadFraction);
    expect(fractions.every((f) => f >= 0 && f < 1)).toBe(true);
    expect(new Set(fractions).size).toBe(keys.length);
  });
});

describe('nextSendTime with a key', () => {
  test('is deterministic', () => {
    const after = at('2025-06-11T07:00:00+02:00');
    expect(nextSendTime(after, BERLIN, { key: 'c-1' }).getTime()).toBe(nextSendTime(after, BERLIN, { key: 'c-1' }).getTime());
  });

  test('before the window opens: spread over the whole window, each key at its fraction of it', () => {
    const after = at('2025-06-11T07:00:00+02:00');
    const open = at('2025-06-11T09:00:00+02:00');
    const windowSeconds = 8 * 3600;
    for (const key of keys.slice(0, 200)) {
      const t = nextSendTime(after, BERLIN, { key }).getTime();
      expect(t).toBe(open + Math.floor(spreadFraction(key) * windowSeconds) * 1000);
    }
  });

  test('a cohort spreads evenly over the eight hours (no hour gets more than 1.25x its share)', () => {
    const after = at('2025-06-11T07:00:00+02:00');
    const perHour = new Array(8).fill(0);
    for (const key of keys) perHour[local(nextSendTime(after, BERLIN, { key })).hour - 9]++;
    const share = keys.length / 8;
    expect(Math.max(...perHour)).toBeLessThan(share * 1.25);
    expect(Math.min(...perHour)).toBeGreaterThan(share * 0.75);
  });

  test('inside the window: spread over what is left of the day, never before the request', () => {
    const after = at('2025-06-11T16:00:00+02:00');
    const close = at('2025-06-11T17:00:00+02:00');
    const results = keys.slice(0, 500).map((key) => nextSendTime(after, BERLIN, { key }).getTime());
    expect(results.every((t) => t >= after && t < close)).toBe(true);
    // Both halves of the remaining hour are used.
    expect(results.some((t) => t < after + 1_800_000)).toBe(true);
    expect(results.some((t) => t >= after + 1_800_000)).toBe(true);
  });

  test('the same key keeps its time of day across days when requested before the window', () => {
    const times = ['2025-06-10', '2025-06-11', '2025-06-12'].map((d) =>
      local(nextSendTime(at(`${d}T06:00:00+02:00`), BERLIN, { key: 'c-7' })).toFormat('HH:mm:ss'),
    );
    expect(new Set(times).size).toBe(1);
  });

  test('breaks do not receive sends and do not count as window time', () => {
    const calendar: BusinessCalendar = { ...BERLIN, breaks: ['12:00-13:00'] };
    const after = at('2025-06-11T07:00:00+02:00');
    for (const key of keys.slice(0, 1000)) {
      const result = nextSendTime(after, calendar, { key });
      expect(local(result).hour).not.toBe(12);
      expect(isSendAllowed(result, calendar)).toBe(true);
    }
  });

  test('on a non-working day the spread lands on the next working day', () => {
    const result = nextSendTime(at('2025-06-14T10:00:00+02:00'), BERLIN, { key: 'c-9' });
    expect(local(result).toISODate()).toBe('2025-06-16');
    expect(isSendAllowed(result, BERLIN)).toBe(true);
  });

  test('a window shortened by spring-forward spreads over its real length', () => {
    // 00:00-04:00 on 30 Mar 2025 in Berlin lasts three real hours (02:00-03:00 does not exist).
    const calendar: BusinessCalendar = { timeZone: 'Europe/Berlin', workingDays: [7], windows: ['00:00-04:00'] };
    const after = at('2025-03-29T12:00:00+01:00');
    const start = at('2025-03-30T00:00:00+01:00');
    for (const key of keys.slice(0, 300)) {
      const t = nextSendTime(after, calendar, { key }).getTime();
      expect(t).toBe(start + Math.floor(spreadFraction(key) * 3 * 3600) * 1000);
      expect(isSendAllowed(t, calendar)).toBe(true);
    }
  });

  test('without a key the earliest instant is returned', () => {
    const after = at('2025-06-11T07:00:00+02:00');
    expect(nextSendTime(after, BERLIN).getTime()).toBe(at('2025-06-11T09:00:00+02:00'));
  });
});
