// Every time zone x every day of 2025-2026, half 2 of 2 (see all-zones.ts for the property).
import { checkZone, zoneGroups, zones } from './all-zones';

describe(`every zone, half 2 of 2 (${zones.length} zones in all) x every day of 2025-2026`, () => {
  test.each(zoneGroups(1, 2).map((g) => [`${g[0]} .. ${g[g.length - 1]}`, g] as const))('%s', (_label, group) => {
    expect(group.flatMap(checkZone)).toEqual([]);
  });
});
