// Every time zone x every day of 2025-2026, half 1 of 2 (see all-zones.ts for the property).
import { checkZone, zoneGroups, zones } from './all-zones';

describe(`every zone, half 1 of 2 (${zones.length} zones in all) x every day of 2025-2026`, () => {
  test('the runtime knows a few hundred zones, including the odd ones', () => {
    expect(zones.length).toBeGreaterThan(300);
    expect(zones).toEqual(expect.arrayContaining(['Pacific/Chatham', 'Australia/Lord_Howe', 'America/Santiago']));
    // ICU spells it "Asia/Katmandu" (the legacy name); either spelling must be in the list.
    expect(zones.some((z) => /^Asia\/Kath?mandu$/.test(z))).toBe(true);
  });

  test.each(zoneGroups(0, 2).map((g) => [`${g[0]} .. ${g[g.length - 1]}`, g] as const))('%s', (_label, group) => {
    expect(group.flatMap(checkZone)).toEqual([]);
  });
});
