// Time computations for workflows, done in activities so the instants are recorded in history:
// a holiday-data upgrade or a profile change never alters what a running workflow already decided.
// Each reads the customer's current place (zone, country, region), so a recomputation after a
// profile change uses the new calendar.
import type { Db } from './db/client';
import type { Config } from '../domain/config';
import { FailureType, nonRetryable } from './failures';
import {
  addBusinessDays,
  CalendarError,
  nextLocalTime,
  nextSendTime,
  resolveCalendar,
  type BusinessCalendar,
} from '../domain/calendar';
import { DateTime } from 'luxon';

export interface ResolvedInstant {
  /** UTC, ISO-8601. */
  utc: string;
  /** Customer-local, ISO-8601 with offset. */
  local: string;
  zone: string;
}

/** The account's default calendar (customers without a time zone use it as is; see docs/calendar.md). */
export function accountCalendar(config: Config): BusinessCalendar {
  return {
    timeZone: config.defaultTimeZone,
    country: config.defaultCountry,
    windows: config.sendWindows,
    workingDays: config.workingDays as BusinessCalendar['workingDays'],
    quietHours: config.quietHours.length ? config.quietHours : undefined,
  };
}

export function createCalendarActivities(deps: { db: Db; config: Config }) {
  const account = accountCalendar(deps.config);

  async function calendarOf(customerId: string): Promise<BusinessCalendar> {
    const c = await deps.db.customer.findUnique({ where: { id: customerId }, select: { timeZone: true, country: true, region: true } });
    if (!c) throw nonRetryable(FailureType.CustomerNotFound, `customer ${customerId} does not exist (erased or never created)`);
    return guard(() => resolveCalendar(c, account));
  }

  function guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      // Bad calendar data will not fix itself on retry: fail the step visibly instead.
      if (err instanceof CalendarError) throw nonRetryable(FailureType.Calendar, err.message, { field: err.field });
      throw err;
    }
  }

  function resolved(ms: number, calendar: BusinessCalendar): ResolvedInstant {
    const local = DateTime.fromMillis(ms, { zone: calendar.timeZone });
    return { utc: new Date(ms).toISOString(), local: local.toISO({ suppressMilliseconds: true })!, zone: local.zoneName ?? calendar.timeZone };
  }

  return {
    /** The customer's next allowed business-hours instant at or after `after`, spread by customer id. */
    async nextSendTime(r: { customerId: string; after: string }): Promise<ResolvedInstant> {
      const cal = await calendarOf(r.customerId);
      const key = deps.config.spreadSends ? r.customerId : undefined;
      return resolved(guard(() => nextSendTime(Date.parse(r.after), cal, { key }).getTime()), cal);
    },
    /** `after` moved forward by N of the customer's business days (same local time of day). */
    async addBusinessDays(r: { customerId: string; after: string; businessDays: number }): Promise<ResolvedInstant> {
      const cal = await calendarOf(r.customerId);
      return resolved(guard(() => addBusinessDays(Date.parse(r.after), r.businessDays, cal)), cal);
    },
    /** The next instant at or after `after` with the given local time and/or weekday. */
    async nextLocalTime(r: { customerId: string; after: string; time?: string; weekdays?: number[] }): Promise<ResolvedInstant> {
      const cal = await calendarOf(r.customerId);
      return resolved(guard(() => nextLocalTime(Date.parse(r.after), cal, { time: r.time, weekdays: r.weekdays })), cal);
    },
  };
}
