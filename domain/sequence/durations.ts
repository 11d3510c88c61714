// Calendar-unit durations (days, hours, minutes) in milliseconds. Business days are not a fixed
// length and are resolved by the business calendar in an activity instead.
import type { WaitDuration } from './types';

export function calendarMillis(d: WaitDuration): number {
  return ((d.days ?? 0) * 24 * 60 + (d.hours ?? 0) * 60 + (d.minutes ?? 0)) * 60_000 + (d.seconds ?? 0) * 1000;
}

export function describeDuration(d: WaitDuration): string {
  const parts: string[] = [];
  if (d.businessDays) parts.push(`${d.businessDays} business day(s)`);
  if (d.days) parts.push(`${d.days} day(s)`);
  if (d.hours) parts.push(`${d.hours} hour(s)`);
  if (d.minutes) parts.push(`${d.minutes} minute(s)`);
  return parts.join(' ') || '0';
}
