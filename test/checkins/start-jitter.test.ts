// The first check-in of a bulk start comes due spread over hours, not in one second (pure).
import { CHECKIN_START_JITTER_MAX_MS, checkinStartJitterMs } from '../../workflows/checkin/messages';

const HOUR = 3_600_000;
const ids = Array.from({ length: 2000 }, (_, i) => `checkin-${(i * 2654435761 >>> 0).toString(36)}${i}`);

describe('check-in start jitter', () => {
  it('is the same for the same workflow (replay-safe) and differs between workflows', () => {
    expect(checkinStartJitterMs(ids[0], 28)).toBe(checkinStartJitterMs(ids[0], 28));
    expect(new Set(ids.map((id) => checkinStartJitterMs(id, 28))).size).toBeGreaterThan(1990);
  });

  it('stays inside min(6 hours, a tenth of the cadence)', () => {
    for (const [days, window] of [[28, 6 * HOUR], [1, 2.4 * HOUR], [0.5, 1.2 * HOUR], [365, CHECKIN_START_JITTER_MAX_MS]] as const) {
      const js = ids.map((id) => checkinStartJitterMs(id, days));
      expect(Math.min(...js)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...js)).toBeLessThan(window);
      expect(Math.max(...js)).toBeGreaterThan(window * 0.99); // the whole window is used
    }
  });

  it('spreads 2,000 starts evenly: every half hour of the window gets its share', () => {
    const buckets = new Array(12).fill(0);
    for (const id of ids) buckets[Math.floor(checkinStartJitterMs(id, 28) / (HOUR / 2))]++;
    // 2,000 / 12 = 167 expected per bucket; a uniform spread stays well inside 120-215.
    for (const n of buckets) expect(n).toBeGreaterThan(120), expect(n).toBeLessThan(215);
  });

  it('is zero when the cadence leaves no room', () => {
    expect(checkinStartJitterMs(ids[1], 0)).toBe(0);
  });
});
