// Local calendar dates as day numbers. A "wall" instant is the local date-time read as if it were UTC
// (wall = instant + offset); its day number is floor(wall / DAY_MS). Everything here is proleptic
// Gregorian calendar arithmetic, not time-zone arithmetic: zones are handled in zone-offsets.ts.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** ISO weekday as luxon numbers it: 1 = Monday ... 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** Days since 1970-01-01 of a local date. */
export type DayNumber = number;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a strict `YYYY-MM-DD`; undefined when malformed or not a real date (2025-02-30). */
export function dayNumberOfIsoDate(text: string): DayNumber | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC rolls 2025-02-30 over to March; reading the fields back catches it.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms / DAY_MS;
}

export function isoDateOfDayNumber(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isoWeekdayOfDayNumber(day: DayNumber): IsoWeekday {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((day + 3) % 7) + 7) % 7 + 1) as IsoWeekday;
}

export function yearOfDayNumber(day: DayNumber): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

export function firstDayOfYear(year: number): DayNumber {
  return Date.UTC(year, 0, 1) / DAY_MS;
}

export function dayNumberOfWall(wallMs: number): DayNumber {
  return Math.floor(wallMs / DAY_MS);
}
