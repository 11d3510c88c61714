// Benchmark: next-send-time computations per second on one core, over a realistic mix of customer
// places (zones, countries, regions, weekends) and request instants spread over two years, with
// holiday look-ups cached (the first pass warms the caches; only later passes are timed).
// Run: npx tsx bench/calendar.ts   (bounded: about 3 seconds)
import { nextSendTime, type BusinessCalendar } from '../domain/calendar';

const GOAL_PER_SECOND = 100_000;
const TIMED_MS = 1_000;

const places: BusinessCalendar[] = [
  { timeZone: 'America/New_York', country: 'US', region: 'NY' },
  { timeZone: 'America/Los_Angeles', country: 'US', region: 'CA' },
  { timeZone: 'America/Chicago', country: 'US' },
  { timeZone: 'America/Toronto', country: 'CA', region: 'ON' },
  { timeZone: 'America/Mexico_City', country: 'MX' },
  { timeZone: 'America/Sao_Paulo', country: 'BR' },
  { timeZone: 'America/Santiago', country: 'CL' },
  { timeZone: 'Europe/London', country: 'GB' },
  { timeZone: 'Europe/Berlin', country: 'DE', region: 'BY' },
  { timeZone: 'Europe/Berlin', country: 'DE', region: 'BE' },
  { timeZone: 'Europe/Paris', country: 'FR' },
  { timeZone: 'Europe/Madrid', country: 'ES' },
  { timeZone: 'Europe/Riga', country: 'LV' },
  { timeZone: 'Europe/Warsaw', country: 'PL' },
  { timeZone: 'Europe/Istanbul', country: 'TR' },
  { timeZone: 'Africa/Cairo', country: 'EG' },
  { timeZone: 'Africa/Lagos', country: 'NG' },
  { timeZone: 'Africa/Johannesburg', country: 'ZA' },
  { timeZone: 'Asia/Riyadh', country: 'SA' },
  { timeZone: 'Asia/Dubai', country: 'AE' },
  { timeZone: 'Asia/Jerusalem', country: 'IL' },
  { timeZone: 'Asia/Tehran', country: 'IR' },
  { timeZone: 'Asia/Kolkata', country: 'IN' },
  { timeZone: 'Asia/Kathmandu', country: 'NP' },
  { timeZone: 'Asia/Shanghai', country: 'CN' },
  { timeZone: 'Asia/Ho_Chi_Minh', country: 'VN' },
  { timeZone: 'Asia/Tokyo', country: 'JP' },
  { timeZone: 'Asia/Singapore', country: 'SG' },
  { timeZone: 'Asia/Kuala_Lumpur', country: 'MY', region: '01' },
  { timeZone: 'Australia/Sydney', country: 'AU', region: 'NSW' },
  { timeZone: 'Pacific/Auckland', country: 'NZ' },
  { timeZone: 'Pacific/Chatham', country: 'NZ' },
  { timeZone: 'UTC' },
  // Calendars with more shape: lunch breaks, two windows, quiet hours, spreading below.
  { timeZone: 'Europe/Berlin', country: 'DE', windows: ['08:00-12:00', '13:00-18:00'] },
  { timeZone: 'America/New_York', country: 'US', breaks: ['12:00-13:00'], quietHours: ['16:30-08:00'] },
];

// Deterministic pseudo-random instants over 2025-2026 (xorshift32, so runs are comparable).
let seed = 0x9e3779b9;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}
const START = Date.UTC(2025, 0, 1);
const SPAN = 2 * 365 * 86_400_000;
const N = 50_000;
const instants = Array.from({ length: N }, () => START + Math.floor(random() * SPAN));
const calendars = Array.from({ length: N }, () => places[Math.floor(random() * places.length)]!);
const keys = Array.from({ length: N }, (_, i) => (i % 2 === 0 ? `customer-${i}` : undefined));

function pass(fresh: boolean): number {
  let sink = 0;
  for (let i = 0; i < N; i++) {
    // `fresh` copies the calendar object, as an activity building it from a customer row would.
    const calendar = fresh ? { ...calendars[i]! } : calendars[i]!;
    const key = keys[i];
    sink += nextSendTime(instants[i]!, calendar, key === undefined ? undefined : { key }).getTime() % 7;
  }
  return sink;
}

function measure(label: string, fresh: boolean): number {
  const started = performance.now();
  let computations = 0;
  while (performance.now() - started < TIMED_MS) {
    pass(fresh);
    computations += N;
  }
  const perSecond = computations / ((performance.now() - started) / 1000);
  console.log(`${label.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} /s   ${(perSecond / GOAL_PER_SECOND).toFixed(2)}× the ${GOAL_PER_SECOND.toLocaleString('en-US')}/s goal`);
  return perSecond;
}

const warm = performance.now();
pass(false);
console.log(`warm-up (fills zone-offset and holiday caches): ${Math.round(performance.now() - warm)} ms for ${N.toLocaleString('en-US')} computations`);
console.log(`${places.length} places, ${N.toLocaleString('en-US')} instants over 2025-2026, half with a spreading key`);
measure('reused calendar objects', false);
measure('a fresh calendar object per call', true);
