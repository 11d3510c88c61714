// A dry run of one sequence for one customer: the timeline of what the engine would send and when,
// without Temporal, a database or SMTP. Pure (no clock, no I/O): the caller passes the start instant,
// the customer profile and what will happen (events, and optionally ops actions and profile moves).
//
// It runs the engine's own interpreter (domain/sequence/machine.ts) on a virtual clock, answering the
// machine's requests the way the engine's activities do:
// - send slots: the customer's next business-hours instant (domain/calendar nextSendTime), spread
//   over the window by customer id as the engine does (SPREAD_SENDS, default on: `spreadSends`);
// - business days and waitUntil times: domain/calendar, the same functions as the calendar activities;
// - sends: marketing needs marketing consent; the marketing frequency cap (MARKETING_CAP) defers a
//   send to its next allowed slot, counted over the sends of this simulation;
// - entry (trigger filter, milestones, entry key): domain/sequence/entry.ts, as the dispatcher decides;
// - surveys: the survey workflow's timeline (send in business hours, one reminder after N business
//   days unless answered, the answer window); answers are events named `survey_answered` with a
//   numeric `score` (the engine receives them from the survey link).
// Events reach the enrollment at their occurredAt, in order; events that occurred before the trigger
// are not the enrollment's. Everything the machine decides (exits, goals, waits, branches, splits,
// pauses, migrations) is therefore the engine's decision, not a copy of it.
import { DateTime } from 'luxon';
import { addBusinessDays, nextLocalTime, nextSendTime, resolveCalendar, CalendarError, type BusinessCalendar } from '../calendar';
// Re-exported: the simulator's tests and callers know them from here.
export { addBusinessDays, isBusinessDay, nextLocalTime } from '../calendar';
export { bucket } from './machine';
import { calendarMillis, describeDuration } from './durations';
import { decideEntry, amountOf } from './entry';
import { bucket as bucketOf, initialState, listenedEvents, step, type Input, type MachineState, type Output, type Request, type SurveyOutcome } from './machine';
import type { Category, SequenceDefinition, SequenceEvent, WaitDuration } from './types';
import type { CustomerInput } from '../customer';
import type { FrequencyCap } from '../config';
import { capDecision } from '../frequency-cap';

/** A customer as the API stores it (PUT /v1/customers/:id body); the email is not needed to simulate. */
export type SimCustomer = Partial<Pick<CustomerInput, 'email'>> & Omit<CustomerInput, 'email'> & { id?: string };

export interface SimEvent {
  name: string;
  /** ISO-8601 instant with a zone. */
  occurredAt: string;
  properties?: Record<string, unknown>;
  /** The sender's event id (optional; the engine deduplicates by it). */
  id?: string;
  /**
   * When the engine receives it, if not when it occurred (a late or early delivery). An event that
   * arrives before the enrollment starts but occurred after its trigger is handed to it at its start
   * (the dispatcher does the same), so an exit that overtook the start still exits.
   */
  arrivesAt?: string;
}

/** Something an operator or the profile API does during the run. */
export interface SimAction {
  /** ISO-8601 instant with a zone. */
  at: string;
  type: 'pause' | 'resume' | 'cancel' | 'profile';
  /** For `profile`: the customer's new place (time zone, country, region). */
  profile?: { timeZone?: string | null; country?: string | null; region?: string | null };
  reason?: string;
}

export interface SimulateInput {
  customer: SimCustomer;
  /** Events in any order: the trigger (optional) and what happens later. */
  events?: SimEvent[];
  /** Pauses, resumes, cancels and profile moves at given instants. */
  actions?: SimAction[];
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
  /** Spread sends over the window by customer id, as the engine does by default (SPREAD_SENDS). Default true. */
  spreadSends?: boolean;
  /** The customer id sends are spread by (the engine's is the API's customer id). Default `customer.id`, else "customer". */
  customerId?: string;
  /** The marketing cap (MARKETING_CAP); default 3 per 7 days; null: none. */
  marketingCap?: FrequencyCap | null;
  /** One survey per customer per this many days (SURVEY_FATIGUE_DAYS); default 30. */
  surveyFatigueDays?: number;
}

/** UTC, Monday to Friday, 09:00-17:00: the calendar defaults when nothing else is configured. */
export const DEFAULT_ACCOUNT_CALENDAR: BusinessCalendar = { timeZone: 'UTC' };
/** The event name that stands for a survey answer in simulations. */
export const SURVEY_ANSWERED = 'survey_answered';

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
  | 'not-enrolled'
  | 'deferred'
  | 'paused'
  | 'resumed'
  | 'moved'
  | 'cancelled';

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
  status: 'completed' | 'exited' | 'holdout' | 'not-enrolled' | 'cancelled' | 'running';
  timeline: TimelineEntry[];
  /** The timeline entries that are emails actually sent (not suppressed). */
  sends: TimelineEntry[];
  variant?: string;
  goalReachedAt?: string;
  exitReason?: string;
  /** The interpreter's final state (the engine's `state` query shape is derived from it). */
  machine?: MachineState;
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

// ---- input checks ------------------------------------------------------------------------------

interface TimedEvent extends SimEvent {
  at: number;
  /** When the engine receives it (epoch ms). */
  arrives: number;
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
      const { name, occurredAt, properties, id, arrivesAt, ...rest } = e as Record<string, unknown>;
      const extra = Object.keys(rest).filter((k) => k !== 'customerId');
      if (extra.length) throw new SimulationInputError(`${field}.${extra[0]}`, 'unknown field (allowed: name, occurredAt, properties, id, arrivesAt)');
      if (typeof name !== 'string' || !/^[a-z][a-z0-9_.-]{0,63}$/.test(name)) throw new SimulationInputError(`${field}.name`, `must be an event name such as first_value, got ${JSON.stringify(name)}`);
      if (id !== undefined && typeof id !== 'string') throw new SimulationInputError(`${field}.id`, 'must be a string');
      const at = instant(occurredAt, `${field}.occurredAt`);
      if (properties !== undefined && (typeof properties !== 'object' || properties === null || Array.isArray(properties))) {
        throw new SimulationInputError(`${field}.properties`, 'must be an object');
      }
      const arrives = arrivesAt === undefined ? at : instant(arrivesAt, `${field}.arrivesAt`);
      return { name, occurredAt: occurredAt as string, properties: (properties as Record<string, unknown>) ?? {}, at, arrives, index, ...(id ? { id } : {}) };
    })
    .sort((a, b) => a.arrives - b.arrives || a.at - b.at || a.index - b.index);
}

function checkActions(actions: unknown): Array<SimAction & { t: number; index: number }> {
  if (actions === undefined) return [];
  if (!Array.isArray(actions)) throw new SimulationInputError('actions', 'must be a list of { at, type }');
  return actions
    .map((a: unknown, index) => {
      const field = `actions[${index}]`;
      if (typeof a !== 'object' || a === null) throw new SimulationInputError(field, 'must be an object { at, type }');
      const x = a as SimAction;
      if (!['pause', 'resume', 'cancel', 'profile'].includes(x.type)) throw new SimulationInputError(`${field}.type`, 'must be pause, resume, cancel or profile');
      if (x.type === 'profile' && (typeof x.profile !== 'object' || x.profile === null)) throw new SimulationInputError(`${field}.profile`, 'must be an object { timeZone, country, region }');
      return { ...x, t: instant(x.at, `${field}.at`), index };
    })
    .sort((a, b) => a.t - b.t || a.index - b.index);
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

function calendarFor(customer: SimCustomer, account: BusinessCalendar): BusinessCalendar {
  try {
    return resolveCalendar(customer, account);
  } catch (err) {
    if (err instanceof CalendarError) throw new SimulationInputError(`customer.${err.field}`, err.message.replace(/^\w+: /, ''));
    throw err;
  }
}

// ---- the run -----------------------------------------------------------------------------------

/** The customer as the engine's loadCustomerContext activity shows it to conditions. */
function profileOf(c: SimCustomer): Record<string, unknown> {
  return {
    ...(c.attributes ?? {}),
    locale: c.locale ?? 'en', country: c.country ?? null, region: c.region ?? null, timeZone: c.timeZone ?? null,
    formality: c.formality ?? null, consentMarketing: c.consent?.marketing === true,
  };
}

/** A survey being run (the survey workflow's timeline). */
interface SimSurvey {
  surveyId: string;
  stepId: string;
  request: Extract<Request, { kind: 'survey' }>;
  stage: 'pending' | 'open';
  /** Pending: the send slot; open: the reminder's due time (if one is still to come). */
  sendAt?: number;
  closesAt?: number;
  reminderAt?: number;
  outcomeAt?: number;
  outcome?: SurveyOutcome;
  answerAt?: number;
}

/** Simulates `def` (a validated definition) for one customer. */
export function simulate(def: SequenceDefinition, input: SimulateInput): SimulationResult {
  let customer = checkCustomer(input.customer);
  const events = checkEvents(input.events);
  const actions = checkActions(input.actions);
  const account = input.accountCalendar ?? DEFAULT_ACCOUNT_CALENDAR;
  let calendar = calendarFor(customer, account);
  const zone = calendar.timeZone;
  const notes: string[] = [];
  if (!customer.timeZone) notes.push(`the customer has no time zone: the account calendar (${zone}) applies`);
  const spread = input.spreadSends ?? true;
  const customerKey = input.customerId ?? customer.id ?? 'customer';
  const cap = input.marketingCap === undefined ? { count: 3, days: 7 } : input.marketingCap;
  const fatigueDays = input.surveyFatigueDays ?? 30;

  // The trigger: with a start, the trigger-named event at exactly that instant (so a purchase
  // history can precede the purchase being simulated); without one, the first trigger-named event.
  const requestedStart = input.start !== undefined ? instant(input.start, 'start') : undefined;
  const triggerEvent = events.find((e) => e.name === def.trigger.event && (requestedStart === undefined || e.at === requestedStart));
  // The enrollment starts when the engine receives its trigger.
  const startAt = triggerEvent ? Math.max(triggerEvent.arrives, requestedStart ?? -Infinity) : requestedStart;
  if (startAt === undefined) throw new SimulationInputError('start', `give a start instant or include a "${def.trigger.event}" event`);
  const trigger: TimedEvent = triggerEvent ?? { name: def.trigger.event, occurredAt: new Date(startAt).toISOString(), properties: {}, at: startAt, arrives: startAt, index: -1 };
  const asEvent = (e: TimedEvent): SequenceEvent => ({ id: e.id ?? `sim-${e.index}`, name: e.name, occurredAt: new Date(e.at).toISOString(), properties: e.properties });

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
    timeline: timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    sends: timeline.filter((e) => e.kind === 'send'),
    notes,
    ...more,
  });

  // ---- entry (the dispatcher's decision) ----
  // Milestones count the same-named events received before this one (the dispatcher's order).
  const same = events.filter((e) => e.name === trigger.name && e !== trigger && (e.arrives < trigger.arrives || (e.arrives === trigger.arrives && (e.at < trigger.at || (e.at === trigger.at && e.index < trigger.index)))));
  const m = def.trigger.milestone;
  const facts = { ordinal: same.length + 1, totalBefore: m?.totalAtLeast ? same.reduce((s, e) => s + amountOf(e.properties, m.totalAtLeast!.property), 0) : 0 };
  const decision = decideEntry(def, asEvent(trigger), { customer: { ...(customer.attributes ?? {}), locale: customer.locale ?? 'en', country: customer.country ?? null, formality: customer.formality ?? null }, facts });
  if (m) {
    const parts = [m.count ? `this is "${trigger.name}" number ${facts.ordinal}` : '', m.totalAtLeast ? `the total ${m.totalAtLeast.property} goes from ${facts.totalBefore} to ${facts.totalBefore + amountOf(trigger.properties, m.totalAtLeast.property)}` : ''].filter(Boolean).join(' and ');
    notes.push(`milestone: counted from the "${trigger.name}" events given, in order (the engine counts them in the order it accepted them): ${parts}`);
    if (!decision.enter && decision.reason === 'milestone') {
      push(startAt, 'not-enrolled', `not enrolled: ${parts}, which is no milestone of this sequence`);
      return result('not-enrolled');
    }
  }
  if (!decision.enter) {
    const why = decision.reason === 'filter'
      ? `the trigger's where filter does not match this customer and "${trigger.name}" event`
      : decision.reason === 'no-key'
        ? `the "${trigger.name}" event has no "${def.entry.mode === 'oncePerKey' ? def.entry.key : ''}" property (entry is once per ${def.entry.mode === 'oncePerKey' ? def.entry.key : ''})`
        : 'the entry rule does not allow a new enrollment now';
    push(startAt, 'not-enrolled', `not enrolled: ${why}`);
    return result('not-enrolled');
  }
  push(startAt, 'start', `enrolled by "${trigger.name}" at ${local(startAt)}`);

  const ignored = events.filter((e) => e !== triggerEvent && e.at < trigger.at && e.name !== trigger.name && e.name !== SURVEY_ANSWERED);
  if (ignored.length) notes.push(`${ignored.length} event(s) before the start are ignored (${ignored.map((e) => e.name).join(', ')})`);
  // A profile move before the start is simply the profile the enrollment starts with.
  for (const a of actions) {
    if (a.t >= startAt || a.type !== 'profile') continue;
    customer = { ...customer, ...a.profile };
    calendar = calendarFor(customer, account);
  }
  if (spread) notes.push('sends are spread over the send window by customer id, as the engine does (SPREAD_SENDS=true); pass spreadSends: false to see the window\'s start');

  // ---- the run on a virtual clock ----
  const seed = input.seed ?? 'simulation';
  // Received before the start (the dispatcher hands them over at the start): what the enrollment listens to.
  const listens = new Set(listenedEvents(def));
  const earlier = events.filter((e) => e !== triggerEvent && e.name !== SURVEY_ANSWERED && e.arrives < startAt && e.at >= trigger.at && listens.has(e.name));
  const state = initialState({ definition: def, customerId: customerKey, entryKey: decision.entryKey, seed, now: startAt, trigger: asEvent(trigger), earlier: earlier.map(asEvent) });
  forceVariants(state, def, input, notes);
  const answers = events.filter((e) => e.name === SURVEY_ANSWERED);
  const later = events.filter((e) => e !== triggerEvent && e.name !== SURVEY_ANSWERED && e.arrives >= startAt);
  const marketingSends: number[] = [];
  let lastSurveyAt: number | undefined;
  let survey: SimSurvey | undefined;
  let profileVersion = 0;
  let now = startAt;
  let endedAt: number | undefined;
  const external: Array<{ t: number; input: Input; label?: () => void }> = [];
  for (const e of later) external.push({ t: e.arrives, input: { type: 'event', event: asEvent(e) } });
  for (const a of actions) {
    if (a.t < startAt) continue;
    external.push({
      t: a.t,
      input: a.type === 'profile' ? { type: 'profileChanged', version: ++profileVersion } : a.type === 'cancel' ? { type: 'cancel', reason: a.reason } : { type: a.type },
      label: () => {
        if (a.type === 'profile') {
          customer = { ...customer, ...a.profile };
          calendar = calendarFor(customer, account);
          push(a.t, 'moved', `the customer's calendar changed (${calendar.timeZone}${customer.country ? `, ${customer.country}` : ''}): waits in progress are computed again`);
          if (survey?.stage === 'pending') survey.sendAt = slot(a.t);
        } else {
          push(a.t, a.type === 'pause' ? 'paused' : a.type === 'resume' ? 'resumed' : 'cancelled', a.type === 'cancel' ? `cancelled${a.reason ? `: ${a.reason}` : ''}` : `${a.type}d by an operator`);
        }
      },
    });
  }
  external.sort((a, b) => a.t - b.t);

  const slot = (after: number) => nextSendTime(after, calendar, { key: spread ? customerKey : undefined }).getTime();
  const sendNow = (t: number, stepId: string, template: string, category: Category, label: string): { status: string; retryAt?: number } => {
    if (category === 'marketing' && customer.consent?.marketing !== true) {
      push(t, 'suppressed', `${template} not sent: the customer has no marketing consent`, { stepId, template, category });
      return { status: 'suppressed' };
    }
    if (category === 'marketing' && cap) {
      const d = capDecision(marketingSends, cap, calendar, t, customerKey);
      if (!d.allowed) {
        push(t, 'deferred', `${template} deferred: ${cap.count} marketing emails per ${cap.days} days already (MARKETING_CAP); next slot ${local(d.retryAt!.getTime())}`, { stepId, template, category });
        return { status: 'deferred', retryAt: d.retryAt!.getTime() };
      }
      marketingSends.push(t);
    }
    push(t, 'send', `${label} ${template} (${category})`, { stepId, template, category });
    return { status: 'sent' };
  };

  const answer = (r: Request, t: number): Input => {
    {
      const id = state.pending!.id;
      switch (r.kind) {
        case 'slot': {
          const at = slot(r.after);
          return { type: 'reply', id, reply: { kind: 'instant', at, local: local(at), zone: calendar.timeZone } };
        }
        case 'businessDays': {
          const at = addBusinessDays(r.after, r.businessDays, calendar);
          return { type: 'reply', id, reply: { kind: 'instant', at } };
        }
        case 'localTime': {
          const at = nextLocalTime(r.after, calendar, { time: r.time, weekdays: r.weekdays });
          return { type: 'reply', id, reply: { kind: 'instant', at } };
        }
        case 'customer':
          return { type: 'reply', id, reply: { kind: 'customer', customer: profileOf(customer) } };
        case 'send': {
          const timing = state.definition.steps.find((s) => s.id === r.stepId && s.type === 'send' && s.at === 'now') ? 'right away (at: now)' : 'at the next business-hours instant';
          const sent = sendNow(t, r.stepId, r.template, r.category, `sent ${timing}:`);
          return { type: 'reply', id, reply: { kind: 'send', status: sent.status, ...(sent.retryAt !== undefined ? { retryAt: sent.retryAt } : {}) } };
        }
        case 'survey': {
          survey = startSurvey(r, t);
          return { type: 'reply', id, reply: { kind: 'surveyStarted' } };
        }
      }
    }
  };

  const startSurvey = (r: Extract<Request, { kind: 'survey' }>, t: number): SimSurvey => {
    const s: SimSurvey = { surveyId: r.surveyId, stepId: r.stepId, request: r, stage: 'pending' };
    if (fatigueDays > 0 && lastSurveyAt !== undefined && t - lastSurveyAt < fatigueDays * 86_400_000) {
      s.outcome = { status: 'skipped', reason: 'fatigue' };
      s.outcomeAt = t;
      push(t, 'unanswered', `${r.surveyKind.toUpperCase()} survey skipped: another survey went to this customer within ${fatigueDays} days (SURVEY_FATIGUE_DAYS)`, { stepId: r.stepId });
      return s;
    }
    lastSurveyAt = t;
    s.sendAt = slot(t);
    return s;
  };

  /** Moves the simulated survey on to `t`; returns its next instant of interest. */
  const surveyNext = (s: SimSurvey): number | undefined => {
    if (s.outcome) return s.outcomeAt;
    if (s.stage === 'pending') return s.sendAt;
    const candidates = [s.reminderAt, s.answerAt, s.closesAt].filter((x): x is number => x !== undefined);
    return candidates.length ? Math.min(...candidates) : undefined;
  };
  const surveyAdvance = (s: SimSurvey, t: number): Input | undefined => {
    if (s.outcome) {
      const o = s.outcome;
      survey = undefined;
      return { type: 'surveyOutcome', surveyId: s.surveyId, outcome: o };
    }
    const r = s.request;
    if (s.stage === 'pending' && t >= s.sendAt!) {
      sendNow(t, r.stepId, r.template, 'survey', `${r.surveyKind.toUpperCase()} survey`);
      s.stage = 'open';
      s.closesAt = t + calendarMillis(r.window);
      const reply = answers.find((a) => a.at >= t && a.at <= s.closesAt! && (a.properties.step === undefined || a.properties.step === r.stepId));
      if (reply && typeof reply.properties.score !== 'number') {
        throw new SimulationInputError(`events[${reply.index}].properties.score`, 'a survey_answered event needs a numeric score');
      }
      if (reply) s.answerAt = reply.at;
      if (r.reminder) {
        const due = addBusinessDays(t, r.reminder.afterBusinessDays, calendar);
        if (due < s.closesAt && !(reply && reply.at <= due)) s.reminderAt = due;
      }
      return undefined;
    }
    if (s.stage === 'open') {
      if (s.reminderAt !== undefined && t >= s.reminderAt && (s.answerAt === undefined || s.reminderAt < s.answerAt)) {
        s.reminderAt = undefined;
        sendNow(t, `${r.stepId}.reminder`, r.reminder!.template, 'survey', 'reminder');
        return undefined;
      }
      if (s.answerAt !== undefined && t >= s.answerAt) {
        const a = answers.find((x) => x.at === s.answerAt)!;
        push(t, 'answer', `answered with score ${String(a.properties.score)}`, { stepId: r.stepId });
        survey = undefined;
        return { type: 'surveyOutcome', surveyId: s.surveyId, outcome: { status: 'answered', score: a.properties.score as number, ...(typeof a.properties.comment === 'string' ? { comment: a.properties.comment } : {}) } };
      }
      if (s.closesAt !== undefined && t >= s.closesAt) {
        push(t, 'unanswered', `no answer within ${describeDuration(r.window)} of the send: the survey closes`, { stepId: r.stepId });
        survey = undefined;
        return { type: 'surveyOutcome', surveyId: s.surveyId, outcome: { status: 'unanswered' } };
      }
    }
    return undefined;
  };

  let out: Output = step(state, { type: 'start' }, now);
  let wakeAt = out.wakeAt;
  for (let guard = 0; guard < 100_000 && !out.done; guard++) {
    // A request is answered at once (the activity's time is not simulated).
    if (out.requests.length) {
      const r = out.requests[0]!.request;
      out = step(state, answer(r, now), now);
      wakeAt = out.wakeAt;
      if (out.done) endedAt = now;
      continue;
    }
    const nextExternal = external[0]?.t;
    const nextSurvey = survey ? surveyNext(survey) : undefined;
    const candidates = [wakeAt, nextExternal, nextSurvey].filter((x): x is number => x !== undefined);
    if (!candidates.length) {
      notes.push(state.paused ? 'the enrollment stays paused: nothing resumes it in this simulation' : 'the enrollment waits for something this simulation does not provide');
      break;
    }
    now = Math.max(now, Math.min(...candidates));
    let input: Input | undefined;
    if (nextExternal !== undefined && nextExternal <= now) {
      const x = external.shift()!;
      x.label?.();
      input = x.input;
    } else if (survey && nextSurvey !== undefined && nextSurvey <= now) {
      input = surveyAdvance(survey, now);
      if (!input) continue;
    } else {
      input = { type: 'tick' };
    }
    out = step(state, input, now);
    wakeAt = out.wakeAt;
    if (out.done) endedAt = now;
  }
  if (out.done && endedAt === undefined) endedAt = now;

  // ---- the timeline from the steps the machine recorded ----
  for (const r of state.stepsDone) {
    const s = def.steps.find((x) => x.id === r.stepId) ?? state.definition.steps.find((x) => x.id === r.stepId);
    const t = Date.parse(r.finishedAt);
    if (r.type === 'wait') push(t, 'wait', s?.type === 'wait' ? `waited ${describeDuration(s.duration)}` : 'waited', { stepId: r.stepId });
    else if (r.type === 'waitUntil') {
      const what = s?.type === 'waitUntil' ? [s.time && `${s.time} local`, s.weekdays && `weekday ${s.weekdays.join('/')}`].filter(Boolean).join(' on ') : '';
      push(t, 'wait', `waited until ${what}`, { stepId: r.stepId });
    } else if (r.type === 'waitForEvent' && s?.type === 'waitForEvent') {
      if (r.outcome === 'event') push(t, 'event', `"${s.event}" arrived: continuing at ${s.onEvent}`, { stepId: r.stepId });
      else push(t, 'timeout', `no "${s.event}" within ${describeDuration(s.timeout)}: continuing at ${s.onTimeout}`, { stepId: r.stepId });
    } else if (r.type === 'branch' && s?.type === 'branch') {
      const i = r.outcome.startsWith('case:') ? Number(r.outcome.slice(5)) - 1 : -1;
      push(t, 'branch', i >= 0 ? `case ${i + 1} matches: continuing at ${s.cases[i]!.next}` : `no case matches: continuing at ${s.otherwise} (otherwise)`, { stepId: r.stepId });
    } else if (r.type === 'split' && s?.type === 'split') {
      if (r.outcome === 'holdout') push(t, 'holdout', `holdout group (${s.holdout?.percent ?? 0}%): receives nothing from here on, still measured`, { stepId: r.stepId });
      else {
        const v = s.variants.find((x) => `variant:${x.name}` === r.outcome)!;
        push(t, 'split', `variant "${v.name}" (${v.percent}%): continuing at ${v.next}`, { stepId: r.stepId });
      }
    } else if (r.type === 'end') push(t, 'end', 'end of the sequence', { stepId: r.stepId });
    else if (r.type === 'migration') push(t, 'moved', `migration: ${r.outcome}`, { stepId: r.stepId });
  }
  if (state.goalReachedAt) {
    const g = Date.parse(state.goalReachedAt);
    const within = def.goal?.within ? ` (within ${describeDuration(def.goal.within)})` : '';
    push(g, 'goal', `goal reached: "${def.goal!.event}"${within}`);
  }
  const status: SimulationResult['status'] = state.status === 'completed' || state.status === 'exited' || state.status === 'holdout' || state.status === 'cancelled' ? state.status : 'running';
  if (status === 'exited') push(endedAt ?? now, 'exit', state.exitReason === 'condition' ? 'exited: the exit.when condition holds for this customer' : `exited: "${state.exitReason!.slice('event:'.length)}" is an exit event of this sequence`);
  if (status === 'completed' && !state.stepsDone.some((r) => r.type === 'end')) push(endedAt ?? now, 'end', 'no more steps: the sequence is complete');
  return result(status, {
    ...(state.variant ? { variant: state.variant } : {}),
    ...(state.goalReachedAt ? { goalReachedAt: state.goalReachedAt } : {}),
    ...(state.exitReason && status !== 'completed' ? { exitReason: state.exitReason } : {}),
    machine: state,
  });
}

/**
 * A forced variant (`variant`) puts this enrollment in that variant at every split that has it: the
 * seed is searched for one whose bucket lands there, so the engine's own bucketing picks it.
 */
function forceVariants(state: MachineState, def: SequenceDefinition, input: SimulateInput, notes: string[]) {
  if (input.variant === undefined) return;
  const splits = def.steps.filter((s): s is Extract<typeof s, { type: 'split' }> => s.type === 'split');
  for (const s of splits) {
    const names = [...s.variants.map((v) => v.name), ...(s.holdout ? ['holdout'] : [])];
    if (!names.includes(input.variant)) notes.push(`split "${s.id}" has no variant "${input.variant}" (it has ${names.join(', ')}): assigned by seed instead`);
  }
  const wanted = (seed: string) =>
    splits.every((s) => {
      const names = [...s.variants.map((v) => v.name), ...(s.holdout ? ['holdout'] : [])];
      if (!names.includes(input.variant!)) return true;
      const b = bucketOf(`${seed}:${s.id}`);
      let acc = 0;
      for (const v of s.variants) {
        acc += v.percent;
        if (b < acc) return v.name === input.variant;
      }
      return input.variant === 'holdout';
    });
  for (let i = 0; i < 100_000; i++) {
    const seed = `${input.seed ?? 'simulation'}${i ? `#${i}` : ''}`;
    if (wanted(seed)) {
      state.seed = seed;
      return;
    }
  }
}

// ---- text output -------------------------------------------------------------------------------

const KIND_LABEL: Record<TimelineKind, string> = {
  start: 'START',
  send: 'SEND',
  suppressed: 'SKIP',
  deferred: 'DEFER',
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
  paused: 'PAUSE',
  resumed: 'RESUME',
  moved: 'moved',
  cancelled: 'CANCEL',
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
    cancelled: `cancelled${r.exitReason ? ` (${r.exitReason})` : ''}`,
    running: 'still running at the end of the simulation',
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

/** Re-exported for callers that build waits themselves. */
export type { WaitDuration };
