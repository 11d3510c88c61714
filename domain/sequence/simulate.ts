// A dry run of one sequence for one customer: the timeline of what the engine would send and when,
// without Temporal, a database or SMTP. Pure (no clock, no I/O): the caller passes the start instant,
// the customer profile and the events that will happen.
//
// It mirrors the interpreter (workflows/sequence/workflow.ts and steps.ts) step by step:
// - sends go at the customer's next business-hours instant (domain/calendar nextSendTime) unless the
//   step says `at: now`; marketing sends to customers without marketing consent are suppressed;
// - events reach the enrollment as they happen: exit events stop it at once, goal events are
//   recorded, every other event is kept in an inbox, so a waitForEvent step also sees an event that
//   arrived before the step began (the oldest matching one is taken);
// - the trigger event itself is never seen again (the engine deduplicates it);
// - branches see customer.* as the engine loads it (custom attributes flattened plus locale,
//   country, region, timeZone, formality, consentMarketing), event.* (the trigger or the last awaited
//   event) and survey.* (the last answer);
// - splits bucket by an FNV-1a hash of "<seed>:<step id>" as the engine does with the workflow id;
// - surveys: the send, then a reminder after N business days unless answered, then the answer window
//   (counted from the send). Answers are given as events named `survey_answered` with a numeric
//   `score` (the engine receives them as a signal from the survey link, not as events).
//
// Business days and waitUntil times come from domain/calendar/business-days.ts, the same functions
// the engine's calendar activities use.
import { DateTime } from 'luxon';
import { addBusinessDays, nextLocalTime, nextSendTime, resolveCalendar, CalendarError, type BusinessCalendar } from '../calendar';
// Re-exported: the simulator's tests and callers know them from here.
export { addBusinessDays, isBusinessDay, nextLocalTime } from '../calendar';
import { evaluate, type ConditionContext } from './conditions';
import { calendarMillis, describeDuration } from './durations';
import type { Category, SequenceDefinition, Step, WaitDuration } from './types';
import type { CustomerInput } from '../customer';

/** A customer as the API stores it (PUT /v1/customers/:id body); the email is not needed to simulate. */
export type SimCustomer = Partial<Pick<CustomerInput, 'email'>> & Omit<CustomerInput, 'email'>;

export interface SimEvent {
  name: string;
  /** ISO-8601 instant with a zone. */
  occurredAt: string;
  properties?: Record<string, unknown>;
}

export interface SimulateInput {
  customer: SimCustomer;
  /** Events in any order: the trigger (optional) and what happens later. */
  events?: SimEvent[];
  /**
   * When the enrollment starts (ISO instant). Default: the time of the first event named like the
   * trigger; one of the two is required. With a start, the trigger event is the one named like the
   * trigger at exactly that instant (earlier ones are history, e.g. for milestones); without such an
   * event the trigger has no properties.
   */
  start?: string;
  /** Forces the variant at every split that has one of this name (`holdout`: the holdout group). */
  variant?: string;
  /** Bucketing seed for splits when no variant is forced (the engine uses the workflow id). */
  seed?: string;
  /** The account calendar; customers without a time zone use it as is. Default DEFAULT_ACCOUNT_CALENDAR. */
  accountCalendar?: BusinessCalendar;
}

/** UTC, Monday to Friday, 09:00-17:00: the calendar defaults when nothing else is configured. */
export const DEFAULT_ACCOUNT_CALENDAR: BusinessCalendar = { timeZone: 'UTC' };
/** The event name that stands for a survey answer in simulations. */
export const SURVEY_ANSWERED = 'survey_answered';
const DEFAULT_SURVEY_WINDOW: WaitDuration = { days: 14 };

export type TimelineKind =
  | 'start'
  | 'send'
  | 'suppressed'
  | 'wait'
  | 'event'
  | 'timeout'
  | 'branch'
  | 'split'
  | 'holdout'
  | 'answer'
  | 'unanswered'
  | 'goal'
  | 'exit'
  | 'end'
  | 'not-enrolled';

export interface TimelineEntry {
  /** UTC, ISO-8601. */
  at: string;
  /** The same instant in the customer's zone, ISO-8601 with offset. */
  local: string;
  kind: TimelineKind;
  stepId?: string;
  template?: string;
  category?: Category;
  /** One line for people: what happened and why. */
  text: string;
}

export interface SimulationResult {
  sequenceId: string;
  version: number;
  /** The zone times are shown in (the customer's, or the account's when the customer has none). */
  zone: string;
  calendar: BusinessCalendar;
  status: 'completed' | 'exited' | 'holdout' | 'not-enrolled';
  timeline: TimelineEntry[];
  /** The timeline entries that are emails actually sent (not suppressed). */
  sends: TimelineEntry[];
  variant?: string;
  goalReachedAt?: string;
  exitReason?: string;
  /** Assumptions and facts worth knowing when reading the timeline. */
  notes: string[];
}

/** Bad simulation input (customer, events, start): `field` names it, e.g. `events[2].occurredAt`. */
export class SimulationInputError extends Error {
  constructor(readonly field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'SimulationInputError';
  }
}

/** FNV-1a bucket 0-99, the same function as workflows/sequence/steps.ts (which cannot be imported here: it loads the Temporal workflow runtime). */
export function bucket(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 100;
}

// ---- input checks ------------------------------------------------------------------------------

interface TimedEvent extends SimEvent {
  at: number;
  properties: Record<string, unknown>;
  /** Position in the input, for messages and stable ordering. */
  index: number;
}

function instant(text: unknown, field: string): number {
  const t = typeof text === 'string' && /\d{4}-\d{2}-\d{2}T/.test(text) && /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(t)) throw new SimulationInputError(field, `must be an ISO-8601 instant with a zone, e.g. 2026-03-02T09:30:00Z, got ${JSON.stringify(text)}`);
  return t;
}

function checkEvents(events: unknown): TimedEvent[] {
  if (events === undefined) return [];
  if (!Array.isArray(events)) throw new SimulationInputError('events', 'must be a list of { name, occurredAt, properties }');
  return events
    .map((e: unknown, index): TimedEvent => {
      const field = `events[${index}]`;
      if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new SimulationInputError(field, 'must be an object { name, occurredAt, properties }');
      const { name, occurredAt, properties, ...rest } = e as Record<string, unknown>;
      const extra = Object.keys(rest).filter((k) => k !== 'id' && k !== 'customerId');
      if (extra.length) throw new SimulationInputError(`${field}.${extra[0]}`, 'unknown field (allowed: name, occurredAt, properties)');
      if (typeof name !== 'string' || !/^[a-z][a-z0-9_.-]{0,63}$/.test(name)) throw new SimulationInputError(`${field}.name`, `must be an event name such as first_value, got ${JSON.stringify(name)}`);
      const at = instant(occurredAt, `${field}.occurredAt`);
      if (properties !== undefined && (typeof properties !== 'object' || properties === null || Array.isArray(properties))) {
        throw new SimulationInputError(`${field}.properties`, 'must be an object');
      }
      return { name, occurredAt: occurredAt as string, properties: (properties as Record<string, unknown>) ?? {}, at, index };
    })
    .sort((a, b) => a.at - b.at || a.index - b.index);
}

function checkCustomer(c: unknown): SimCustomer {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new SimulationInputError('customer', 'must be an object with the API profile fields (email, locale, timeZone, country, ...)');
  const customer = c as SimCustomer;
  if (customer.attributes !== undefined && (typeof customer.attributes !== 'object' || customer.attributes === null || Array.isArray(customer.attributes))) {
    throw new SimulationInputError('customer.attributes', 'must be an object');
  }
  if (customer.consent !== undefined && (typeof customer.consent !== 'object' || customer.consent === null)) {
    throw new SimulationInputError('customer.consent', 'must be an object such as { "marketing": true }');
  }
  return customer;
}

// ---- the run -----------------------------------------------------------------------------------

/** Simulates `def` (a validated definition) for one customer. */
export function simulate(def: SequenceDefinition, input: SimulateInput): SimulationResult {
  const customer = checkCustomer(input.customer);
  const events = checkEvents(input.events);
  let calendar: BusinessCalendar;
  try {
    calendar = resolveCalendar(customer, input.accountCalendar ?? DEFAULT_ACCOUNT_CALENDAR);
  } catch (err) {
    if (err instanceof CalendarError) throw new SimulationInputError(`customer.${err.field}`, err.message.replace(/^\w+: /, ''));
    throw err;
  }
  const zone = calendar.timeZone;
  const notes: string[] = [];
  if (!customer.timeZone) notes.push(`the customer has no time zone: the account calendar (${zone}) applies`);

  // The trigger: with a start, the trigger-named event at exactly that instant (so a purchase
  // history can precede the purchase being simulated); without one, the first trigger-named event.
  const requestedStart = input.start !== undefined ? instant(input.start, 'start') : undefined;
  const triggerEvent = events.find((e) => e.name === def.trigger.event && (requestedStart === undefined || e.at === requestedStart));
  const startAt = requestedStart ?? triggerEvent?.at;
  if (startAt === undefined) throw new SimulationInputError('start', `give a start instant or include a "${def.trigger.event}" event`);
  const trigger: TimedEvent = triggerEvent ?? { name: def.trigger.event, occurredAt: new Date(startAt).toISOString(), properties: {}, at: startAt, index: -1 };

  const timeline: TimelineEntry[] = [];
  const local = (t: number) => DateTime.fromMillis(t, { zone }).toISO({ suppressMilliseconds: true })!;
  const push = (t: number, kind: TimelineKind, text: string, extra: Partial<TimelineEntry> = {}) => {
    timeline.push({ at: new Date(t).toISOString(), local: local(t), kind, ...extra, text });
  };
  const result = (status: SimulationResult['status'], more: Partial<SimulationResult> = {}): SimulationResult => ({
    sequenceId: def.id,
    version: def.version,
    zone,
    calendar,
    status,
    timeline,
    sends: timeline.filter((e) => e.kind === 'send'),
    notes,
    ...more,
  });

  // ---- enrollment (client/api/enrollments.ts) ----
  const attributes = customer.attributes ?? {};
  const triggerCtx: ConditionContext = {
    event: { name: trigger.name, ...trigger.properties },
    customer: { ...attributes, locale: customer.locale ?? 'en', country: customer.country ?? null, formality: customer.formality ?? null },
  };
  if (!evaluate(def.trigger.where, triggerCtx)) {
    push(startAt, 'not-enrolled', `not enrolled: the trigger's where filter does not match this customer and "${trigger.name}" event`);
    return result('not-enrolled');
  }
  if (def.entry.mode === 'oncePerKey') {
    const key = trigger.properties[def.entry.key];
    if (key === undefined || key === null || key === '') {
      push(startAt, 'not-enrolled', `not enrolled: the "${trigger.name}" event has no "${def.entry.key}" property (entry is once per ${def.entry.key})`);
      return result('not-enrolled');
    }
  }
  if (def.trigger.milestone) {
    const reached = milestoneReached(def, events, trigger);
    notes.push(`milestone: counted from the "${trigger.name}" events given (the engine counts stored events): ${reached.detail}`);
    if (!reached.ok) {
      push(startAt, 'not-enrolled', `not enrolled: ${reached.detail}, which is no milestone of this sequence`);
      return result('not-enrolled');
    }
  }
  if (def.exit?.when) notes.push('exit.when is not evaluated by the engine yet (workflows/sequence/workflow.ts checks exit events only); it is ignored here too');
  push(startAt, 'start', `enrolled by "${trigger.name}" at ${local(startAt)}`);

  // ---- events as the running workflow hears them ----
  const later = events.filter((e) => e !== triggerEvent && e.at >= startAt);
  const ignored = events.filter((e) => e !== triggerEvent && e.at < startAt);
  if (ignored.length) notes.push(`${ignored.length} event(s) before the start are ignored (${ignored.map((e) => e.name).join(', ')})`);
  const answers = later.filter((e) => e.name === SURVEY_ANSWERED);
  const signals = later.filter((e) => e.name !== SURVEY_ANSWERED);
  const exitEvent = signals.find((e) => def.exit?.events?.includes(e.name));
  const exitAt = exitEvent?.at ?? Infinity;
  const goalEvent = def.goal ? signals.find((e) => e.name === def.goal!.event) : undefined;
  // Exit events never reach the inbox (the signal handler returns first).
  const inbox = signals.filter((e) => !def.exit?.events?.includes(e.name));
  const consumed = new Set<TimedEvent>();

  let t = startAt;
  let lastEvent: TimedEvent = trigger;
  let survey: Record<string, unknown> | undefined;
  let variant: string | undefined;
  // Asserted, not annotated: closures below change it, which flow analysis would not see.
  let status = 'completed' as SimulationResult['status'];
  let endedAt = startAt;
  const consentMarketing = customer.consent?.marketing === true;

  /** Stops the run when the exit event comes at or before `at`. */
  const exitsBy = (at: number): boolean => {
    if (exitAt > at) return false;
    status = 'exited';
    endedAt = exitAt;
    push(exitAt, 'exit', `exited: "${exitEvent!.name}" is an exit event of this sequence`);
    return true;
  };
  const send = (step: { id: string }, template: string, category: Category, at: 'now' | 'businessHours', label = 'sent'): boolean => {
    const when = at === 'now' ? t : nextSendTime(t, calendar).getTime();
    if (exitsBy(when)) return false;
    t = when;
    const timing = at === 'now' ? 'right away (at: now)' : 'at the next business-hours instant';
    if (category === 'marketing' && !consentMarketing) {
      push(t, 'suppressed', `${template} not sent: the customer has no marketing consent`, { stepId: step.id, template, category });
    } else {
      push(t, 'send', `${label} ${template} (${category}) ${timing}`, { stepId: step.id, template, category });
    }
    return true;
  };
  const waitDuration = (from: number, d: WaitDuration): number => {
    const target = from + calendarMillis(d);
    return d.businessDays ? addBusinessDays(target, d.businessDays, calendar) : target;
  };

  const indexOf = new Map(def.steps.map((s, i) => [s.id, i]));
  let cursor: number | undefined = 0;
  // Jumps only go forward (validated), so this visits each step at most once.
  run: while (cursor !== undefined && cursor < def.steps.length) {
    const step: Step = def.steps[cursor]!;
    if (exitsBy(t)) break;
    let next: string | undefined = 'next' in step ? step.next : undefined;
    switch (step.type) {
      case 'send':
        if (!send(step, step.template, step.category, step.at ?? 'businessHours')) break run;
        break;
      case 'wait': {
        const until = waitDuration(t, step.duration);
        if (exitsBy(until)) break run;
        t = until;
        push(t, 'wait', `waited ${describeDuration(step.duration)}`, { stepId: step.id });
        break;
      }
      case 'waitUntil': {
        const until = nextLocalTime(t, calendar, { time: step.time, weekdays: step.weekdays });
        if (exitsBy(until)) break run;
        t = until;
        const what = [step.time && `${step.time} local`, step.weekdays && `weekday ${step.weekdays.join('/')}`].filter(Boolean).join(' on ');
        push(t, 'wait', `waited until ${what}`, { stepId: step.id });
        break;
      }
      case 'waitForEvent': {
        const deadline = waitDuration(t, step.timeout);
        const match = inbox.find((e) => !consumed.has(e) && e.name === step.event && e.at <= deadline && evaluate(step.where, { event: { name: e.name, ...e.properties } }));
        if (match) {
          const at = Math.max(t, match.at);
          if (exitsBy(at)) break run;
          consumed.add(match);
          lastEvent = match;
          const already = match.at < t ? ' (it had arrived before this step began)' : '';
          t = at;
          push(t, 'event', `"${match.name}" arrived${already}: continuing at ${step.onEvent}`, { stepId: step.id });
          next = step.onEvent;
        } else {
          if (exitsBy(deadline)) break run;
          t = deadline;
          push(t, 'timeout', `no "${step.event}" within ${describeDuration(step.timeout)}: continuing at ${step.onTimeout}`, { stepId: step.id });
          next = step.onTimeout;
        }
        break;
      }
      case 'branch': {
        const ctx: ConditionContext = {
          customer: {
            ...attributes,
            locale: customer.locale ?? 'en', country: customer.country ?? null, region: customer.region ?? null,
            timeZone: customer.timeZone ?? null, formality: customer.formality ?? null, consentMarketing,
          },
          event: { name: lastEvent.name, ...lastEvent.properties },
          survey: survey ?? {},
        };
        const i = step.cases.findIndex((c) => evaluate(c.when, ctx));
        next = i >= 0 ? step.cases[i]!.next : step.otherwise;
        push(t, 'branch', i >= 0 ? `case ${i + 1} matches: continuing at ${next}` : `no case matches: continuing at ${next} (otherwise)`, { stepId: step.id });
        break;
      }
      case 'split': {
        const chosen = chooseVariant(step, input, notes);
        if (chosen === 'holdout') {
          variant = 'holdout';
          status = 'holdout';
          endedAt = t;
          push(t, 'holdout', `holdout group (${step.holdout?.percent ?? 0}%): receives nothing from here on, still measured`, { stepId: step.id });
          break run;
        }
        variant = chosen.name;
        next = chosen.next;
        push(t, 'split', `variant "${chosen.name}" (${chosen.percent}%): continuing at ${chosen.next}`, { stepId: step.id });
        break;
      }
      case 'survey': {
        if (!send(step, step.template, 'survey', 'businessHours', `${step.kind.toUpperCase()} survey`)) break run;
        const sentAt = t;
        const windowEnd = sentAt + calendarMillis(step.window ?? DEFAULT_SURVEY_WINDOW);
        // An answer needs the survey's link, so only answers after the send count.
        const answer = answers.find((a) => a.at >= sentAt && a.at <= windowEnd && (a.properties.step === undefined || a.properties.step === step.id));
        if (answer && typeof answer.properties.score !== 'number') {
          throw new SimulationInputError(`events[${answer.index}].properties.score`, 'a survey_answered event needs a numeric score');
        }
        if (step.reminder) {
          const due = addBusinessDays(sentAt, step.reminder.afterBusinessDays, calendar);
          if (!(answer && answer.at <= due)) {
            if (exitsBy(due)) break run;
            t = due;
            if (!send({ id: `${step.id}.reminder` }, step.reminder.template, 'survey', 'businessHours', 'reminder')) break run;
          }
        }
        if (answer) {
          const at = Math.max(t, answer.at);
          if (exitsBy(at)) break run;
          t = at;
          survey = { score: answer.properties.score, comment: answer.properties.comment, kind: step.kind };
          push(t, 'answer', `answered with score ${String(answer.properties.score)}`, { stepId: step.id });
        } else {
          const at = Math.max(t, windowEnd);
          if (exitsBy(at)) break run;
          t = at;
          push(t, 'unanswered', `no answer within ${describeDuration(step.window ?? DEFAULT_SURVEY_WINDOW)} of the send: the survey closes`, { stepId: step.id });
        }
        break;
      }
      case 'end':
        push(t, 'end', 'end of the sequence', { stepId: step.id });
        endedAt = t;
        cursor = undefined;
        continue run;
    }
    endedAt = t;
    cursor = next !== undefined ? indexOf.get(next) : cursor + 1;
  }
  if (status === 'completed' && timeline[timeline.length - 1]?.kind !== 'end') push(t, 'end', 'no more steps: the sequence is complete');

  // The goal counts while the enrollment runs (the workflow hears no events after it ends).
  let goalReachedAt: string | undefined;
  if (goalEvent && goalEvent.at <= endedAt) {
    goalReachedAt = new Date(goalEvent.at).toISOString();
    const within = def.goal?.within ? (goalEvent.at - startAt <= calendarMillis(def.goal.within) ? ` (within ${describeDuration(def.goal.within)})` : ` (after the ${describeDuration(def.goal.within)} goal window)`) : '';
    push(goalEvent.at, 'goal', `goal reached: "${goalEvent.name}"${within}`);
    timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }
  return result(status, {
    ...(variant ? { variant } : {}),
    ...(goalReachedAt ? { goalReachedAt } : {}),
    ...(status === 'exited' ? { exitReason: `event:${exitEvent!.name}` } : {}),
  });
}

function chooseVariant(step: Extract<Step, { type: 'split' }>, input: SimulateInput, notes: string[]): 'holdout' | { name: string; percent: number; next: string } {
  if (input.variant !== undefined) {
    if (input.variant === 'holdout' && step.holdout) return 'holdout';
    const forced = step.variants.find((v) => v.name === input.variant);
    if (forced) return forced;
    notes.push(`split "${step.id}" has no variant "${input.variant}" (it has ${[...step.variants.map((v) => v.name), ...(step.holdout ? ['holdout'] : [])].join(', ')}): assigned by seed instead`);
  }
  const b = bucket(`${input.seed ?? 'simulation'}:${step.id}`);
  let acc = 0;
  for (const v of step.variants) {
    acc += v.percent;
    if (b < acc) return v;
  }
  return 'holdout';
}

function milestoneReached(def: SequenceDefinition, events: TimedEvent[], trigger: TimedEvent): { ok: boolean; detail: string } {
  const m = def.trigger.milestone!;
  const upTo = events.filter((e) => e.name === trigger.name && e.at <= trigger.at && e !== trigger);
  const history = [...upTo, trigger];
  const parts: string[] = [];
  let ok = false;
  if (m.count) {
    const n = history.length;
    parts.push(`this is "${trigger.name}" number ${n}`);
    if (m.count.includes(n)) ok = true;
  }
  if (m.totalAtLeast) {
    const { property, amounts } = m.totalAtLeast;
    const amount = (e: TimedEvent) => (Number.isFinite(Number(e.properties[property])) ? Number(e.properties[property]) : 0);
    const before = upTo.reduce((s, e) => s + amount(e), 0);
    const after = before + amount(trigger);
    parts.push(`the total ${property} goes from ${before} to ${after}`);
    if (amounts.some((a) => before < a && a <= after)) ok = true;
  }
  return { ok, detail: parts.join(' and ') };
}

// ---- text output -------------------------------------------------------------------------------

const KIND_LABEL: Record<TimelineKind, string> = {
  start: 'START',
  send: 'SEND',
  suppressed: 'SKIP',
  wait: 'wait',
  event: 'event',
  timeout: 'timeout',
  branch: 'branch',
  split: 'split',
  holdout: 'HOLDOUT',
  answer: 'answer',
  unanswered: 'closed',
  goal: 'GOAL',
  exit: 'EXIT',
  end: 'END',
  'not-enrolled': 'NOT ENROLLED',
};

/** The timeline as a table for people: customer-local time first, then UTC. */
export function formatTimeline(r: SimulationResult): string {
  const rows = r.timeline.map((e) => {
    const t = Date.parse(e.at);
    return [
      DateTime.fromMillis(t, { zone: r.zone }).toFormat('ccc yyyy-MM-dd HH:mm ZZ'),
      DateTime.fromMillis(t, { zone: 'UTC' }).toFormat("yyyy-MM-dd HH:mm'Z'"),
      e.stepId ?? '',
      KIND_LABEL[e.kind],
      e.text,
    ];
  });
  const header = [`local (${r.zone})`, 'UTC', 'step', '', 'what'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const sent = r.sends.length;
  const outcome = {
    completed: 'completed',
    exited: `exited (${r.exitReason ?? 'exit event'})`,
    holdout: 'holdout group: nothing more is sent',
    'not-enrolled': 'not enrolled',
  }[r.status];
  return [
    `${r.sequenceId} v${r.version}: simulation only, nothing was sent`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `${sent} email${sent === 1 ? '' : 's'} would be sent; ${outcome}${r.variant ? `; variant ${r.variant}` : ''}${r.goalReachedAt ? `; goal reached ${r.goalReachedAt}` : ''}`,
    ...r.notes.map((n) => `note: ${n}`),
  ].join('\n');
}
