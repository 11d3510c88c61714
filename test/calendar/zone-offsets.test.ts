// The offset cache must agree with luxon everywhere: random instants in every zone (1970-2040), and
// exactly at and around each DST change.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { ZoneOffsets } from '../../domain/calendar/zone-offsets';

const zones = Intl.supportedValuesOf('timeZone');
const luxonOffsetMs = (zone: string, t: number) => DateTime.fromMillis(t, { zone }).offset * 60_000;

describe('ZoneOffsets', () => {
  test('offsetAt agrees with luxon at random instants in random zones', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: 0, max: Date.UTC(2040, 0, 1) }), (zone, t) => {
        expect(new ZoneOffsets(zone).offsetAt(t)).toBe(luxonOffsetMs(zone, t));
      }),
      { numRuns: 2000 },
    );
  });

  test.each([
    ['America/New_York', '2025-03-09T07:00:00Z', -5, -4],
    ['America/New_York', '2025-11-02T06:00:00Z', -4, -5],
    ['Australia/Lord_Howe', '2025-04-05T15:00:00Z', 11, 10.5],
    ['Pacific/Chatham', '2025-09-27T14:00:00Z', 12.75, 13.75],
    ['America/Santiago', '2025-09-07T04:00:00Z', -4, -3],
  ])('%s changes exactly at %s', (zone, iso, before, after) => {
    const at = Date.parse(iso);
    const offsets = new ZoneOffsets(zone);
    expect(offsets.offsetAt(at - 1)).toBe(before * 3_600_000);
    expect(offsets.offsetAt(at)).toBe(after * 3_600_000);
    expect(offsets.changesWithin(at - 1, at)).toBe(true);
    expect(offsets.changesWithin(at, at + 86_400_000)).toBe(false);
    expect(offsets.segments(at - 3_600_000, at + 3_600_000)).toEqual([
      { start: at - 3_600_000, end: at, offset: before * 3_600_000 },
      { start: at, end: at + 3_600_000, offset: after * 3_600_000 },
    ]);
  });

  test('a zone without DST is one segment', () => {
    const from = Date.UTC(2025, 0, 1);
    expect(new ZoneOffsets('Asia/Kathmandu').segments(from, from + 400 * 86_400_000)).toEqual([
      { start: from, end: from + 400 * 86_400_000, offset: 5.75 * 3_600_000 },
    ]);
  });
});
