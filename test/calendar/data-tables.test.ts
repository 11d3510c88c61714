// The working-week table and the holiday policy are data; these tests keep the data honest and pin
// the assumptions about date-holidays' contents that the policy relies on.
import {
  PARTIAL_GROUP_HOLIDAYS,
  WORKING_WEEK_RULES,
  holidaysOn,
  isKnownCountry,
  isKnownRegion,
  workingDaysOn,
} from '../../domain/calendar';

describe('working-week table', () => {
  test('every row has a source, a known country (and region), a valid from date and weekdays', () => {
    for (const row of WORKING_WEEK_RULES) {
      expect(row.source.length).toBeGreaterThan(10);
      expect(isKnownCountry(row.country)).toBe(true);
      if (row.region !== undefined) expect(isKnownRegion(row.country, row.region)).toBe(true);
      if (row.from !== undefined) expect(row.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(row.workingDays.length).toBeGreaterThan(0);
      expect(row.workingDays.every((d) => d >= 1 && d <= 7)).toBe(true);
      for (const half of row.halfDays ?? []) expect(row.workingDays).not.toContain(half);
    }
  });

  test('no two rows for the same place start on the same date', () => {
    const starts = WORKING_WEEK_RULES.map((r) => `${r.country}/${r.region ?? ''}/${r.from ?? 'always'}`);
    expect(new Set(starts).size).toBe(starts.length);
  });

  test.each<[string, string | undefined, string, number[], string]>([
    ['DE', undefined, '2025-06-11', [1, 2, 3, 4, 5], 'default Monday-Friday'],
    ['SA', undefined, '2013-06-28', [1, 2, 3, 6, 7], 'Thursday-Friday weekend until 28 Jun 2013'],
    ['SA', undefined, '2013-06-29', [1, 2, 3, 4, 7], 'Friday-Saturday weekend from 29 Jun 2013'],
    ['AE', undefined, '2021-12-31', [1, 2, 3, 4, 7], 'Sunday-Thursday until the end of 2021'],
    ['AE', undefined, '2022-01-01', [1, 2, 3, 4, 5], 'Monday-Friday from 2022'],
    ['IL', undefined, '2025-06-11', [1, 2, 3, 4, 7], 'Sunday-Thursday; Friday half day excluded'],
    ['IR', undefined, '2025-06-11', [1, 2, 3, 6, 7], 'Saturday-Wednesday; Thursday half day excluded'],
    ['NP', undefined, '2025-06-11', [1, 2, 3, 4, 5, 7], 'Sunday-Friday'],
    ['BN', undefined, '2025-06-11', [1, 2, 3, 4, 6], 'Friday and Sunday off'],
    ['MY', '01', '2013-12-31', [1, 2, 3, 4, 5], 'Johor before 2014: the country default'],
    ['MY', '01', '2024-12-31', [1, 2, 3, 4, 7], 'Johor 2014-2024: Friday-Saturday weekend'],
    ['MY', '01', '2025-01-01', [1, 2, 3, 4, 5], 'Johor from 2025: Monday-Friday'],
    ['MY', '14', '2025-06-11', [1, 2, 3, 4, 5], 'Kuala Lumpur: Monday-Friday'],
  ])('%s %s on %s', (country, region, date, expected) => {
    expect(workingDaysOn(country, region, date)).toEqual(expected);
  });

  test('half days can be counted as working', () => {
    expect(workingDaysOn('IL', undefined, '2025-06-11', true)).toEqual([1, 2, 3, 4, 5, 7]);
  });
});

describe('holiday policy against the date-holidays data it assumes', () => {
  test('each partial-group rule exists in date-holidays as a public holiday (else the policy is stale)', () => {
    for (const p of PARTIAL_GROUP_HOLIDAYS) {
      const found = [2025, 2026].flatMap((y) =>
        [`${y}-03-08`, `${y}-05-04`, `${y}-06-01`, `${y}-08-01`].flatMap((d) => holidaysOn(p.country, undefined, d)),
      );
      expect(found.filter((h) => h.rule === p.rule && h.type === 'public' && h.partialGroup).length).toBeGreaterThan(0);
    }
  });

  test("China's Spring Festival, National Day and Vietnam's Tết span several days", () => {
    const publicOn = (country: string, date: string) => holidaysOn(country, undefined, date).some((h) => h.type === 'public' && !h.partialGroup);
    expect(['2025-01-28', '2025-01-29', '2025-01-30'].map((d) => publicOn('CN', d))).toEqual([true, true, true]);
    expect(['2025-10-01', '2025-10-02', '2025-10-03'].map((d) => publicOn('CN', d))).toEqual([true, true, true]);
    expect(['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02'].map((d) => publicOn('VN', d)))
      .toEqual([true, true, true, true, true, false]);
  });

  test('regional holidays depend on the region', () => {
    const fronleichnam = (region: string) => holidaysOn('DE', region, '2025-06-19').some((h) => h.type === 'public');
    expect(fronleichnam('BY')).toBe(true);
    expect(fronleichnam('BE')).toBe(false);
  });
});
