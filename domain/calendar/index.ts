// The business calendar: when a customer may receive a send, in their own local business hours.
// Pure (no I/O, no clock): activities import it; Temporal workflow code must not (date-holidays and
// Intl are not replay-safe there). See docs/calendar.md.
export { nextSendTime, isSendAllowed, sendWindowsOn, type SendTimeOptions, type SendWindow } from './next-send-time';
export { compileCalendar, type BusinessCalendar, type CompiledCalendar } from './business-calendar';
export { resolveCalendar, type CustomerPlace } from './resolve-calendar';
export { CalendarError, type CalendarField } from './errors';
export {
  isValidTimeZone,
  canonicalTimeZone,
  isKnownCountry,
  canonicalCountry,
  hasHolidayData,
  isKnownRegion,
  canonicalRegion,
  regionsOf,
} from './validation';
export {
  HOLIDAY_TYPES,
  DEFAULT_HOLIDAY_TYPES,
  PARTIAL_GROUP_HOLIDAYS,
  holidaysOn,
  type HolidayType,
  type HolidayOccurrence,
  type PartialGroupHoliday,
} from './holidays';
export { WORKING_WEEK_RULES, DEFAULT_WORKING_DAYS, workingDaysOn, type WorkingWeekRule } from './working-week';
export { spreadFraction } from './spread';
export { DEFAULT_WINDOWS, type TimeRangeText } from './windows';
export { WEEKDAY_NAMES, type IsoWeekday } from './local-date';
export { addBusinessDays, isBusinessDay, nextLocalTime } from './business-days';
