// The sequence interpreter as a pure state machine: (state, input) -> (state, what to do next).
//
// It holds every rule of the sequence language as the engine runs it: steps, waits (with business
// days and profile-change recomputation), waitForEvent with its inbox, branches, splits (bucketed by
// the enrollment's seed), surveys, exit events and exit.when, goals, pause/resume/cancel, explicit
// migrations, frequency-cap deferrals. It does no I/O and reads no clock: every input carries `now`,
// and whatever it needs from the world (a send slot, the customer's profile, an email sent, a survey
// started) it asks for as a request and receives as a reply.
//
// Two drivers execute it:
// - the sequence workflow (workflows/sequence/workflow.ts) with activities, timers and signals;
// - `outreach sequence simulate` (domain/sequence/simulate.ts) with a virtual clock and the same
//   calendar functions,
// so the two cannot disagree about what a sequence does. The state is plain JSON: the workflow
// carries it across continue-as-new at any point where no request is outstanding, a wait included.
import { evaluate, type ConditionContext } from './conditions';
import { calendarMillis } from './durations';
import type { Category, SequenceDefinition, SequenceEvent, Step, SurveyKind, WaitDuration } from './types';

/** Events kept for a later waitForEvent step (oldest dropped first). Documented in docs/sequences.md. */
export const INBOX_CAP = 100;
/** Event ids remembered to ignore redeliveries. */
export const SEEN_EVENTS_KEPT = 200;
/** The survey answer window when a survey step gives none. */
export const DEFAULT_SURVEY_WINDOW: WaitDuration = { days: 14 };

export type EnrollmentStatus = 'running' | 'paused' | 'completed' | 'exited' | 'cancelled' | 'holdout' | 'failed';

export interface StepRecord {
  stepId: string;
  type: string;
  iteration: number;
  startedAt: string;
  finishedAt: string;
  /** e.g. "sent", "already-sent", "ambiguous", "suppressed", "event", "timeout", "variant:b", "case:1". */
  outcome: string;
  messageId?: string;
}

export interface NextAction {
  stepId: string;
  kind: string;
  /** UTC instant, ISO-8601. */
  at?: string;
  /** The same instant in the customer's zone, ISO-8601 with offset. */
  local?: string;
  zone?: string;
}

export interface SurveyOutcome {
  status: 'answered' | 'unanswered' | 'skipped' | 'failed';
  score?: number;
  comment?: string;
  reason?: string;
}

/** What the machine asks of its driver. At most one request is outstanding at a time. */
export type Request =
  /** The customer's next allowed send instant at or after `after` (nextSendTime, spread by customer). */
  | { kind: 'slot'; after: number }
  /** `after` moved by N of the customer's business days. */
  | { kind: 'businessDays'; after: number; businessDays: number }
  /** The next instant at or after `after` with this local time and/or weekday. */
  | { kind: 'localTime'; after: number; time?: string; weekdays?: number[] }
  /** The customer's profile and attributes for conditions (`customer.*`). */
  | { kind: 'customer' }
  /** Send one step's email through the send ledger. */
  | {
      kind: 'send'; stepId: string; iteration: number; template: string; category: Category;
      event?: { name: string; properties: Record<string, unknown> }; data?: Record<string, unknown>;
    }
  /** Start the survey of a survey step; its outcome arrives later as a `surveyOutcome` input. */
  | {
      kind: 'survey'; surveyId: string; stepId: string; surveyKind: SurveyKind; template: string;
      reminder?: { afterBusinessDays: number; template: string }; window: WaitDuration;
    };

export type Reply =
  | { kind: 'instant'; at: number; local?: string; zone?: string }
  | { kind: 'customer'; customer: Record<string, unknown> }
  | { kind: 'send'; status: string; messageId?: string; retryAt?: number }
  | { kind: 'surveyStarted' };

export type Input =
  | { type: 'start' }
  /** Time passed (a timer fired). */
  | { type: 'tick' }
  | { type: 'reply'; id: number; reply: Reply }
  | { type: 'event'; event: SequenceEvent }
  /** The customer's calendar (zone, country, region) changed: computations in progress are redone. */
  | { type: 'profileChanged'; version: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel'; reason?: string }
  /** Move to a newer version at the next step boundary (checked first with `migrationProblem`). */
  | { type: 'migrate'; definition: SequenceDefinition; stepMap: Record<string, string> }
  | { type: 'surveyOutcome'; surveyId: string; outcome: SurveyOutcome };

/** Fire-and-forget instructions for the driver. */
export type Effect =
  /** A profile change the running survey of this enrollment must hear too. */
  | { kind: 'forwardProfileChange'; surveyId: string; version: number }
  /** The enrollment ended while its survey was open: end the survey too. */
  | { kind: 'cancelSurvey'; surveyId: string };

export interface Output {
  /** Requests issued by this input (the driver runs them and replies with their id). */
  requests: Array<{ id: number; request: Request }>;
  /** When to deliver a `tick` if no other input arrives first. */
  wakeAt?: number;
  effects: Effect[];
  /** The enrollment has ended (status is final). */
  done: boolean;
}

type Phase =
  | { at: 'boundary' }
  | { at: 'exitCheck' }
  /** `immediate`: an `at: now` send not deferred by a cap, which takes no slot. */
  | { at: 'send'; startedAt: number; after: number; immediate: boolean; stage: 'slot' | 'sleep' | 'held' | 'sending'; until?: number }
  | { at: 'wait'; startedAt: number; base: number; stage: 'compute' | 'sleep'; until?: number }
  | { at: 'waitUntil'; startedAt: number; stage: 'compute' | 'sleep'; until?: number }
  | { at: 'waitForEvent'; startedAt: number; base: number; stage: 'compute' | 'sleep'; until?: number }
  | { at: 'branch'; startedAt: number }
  | { at: 'survey'; startedAt: number; surveyId: string; stage: 'starting' | 'open' }
  | { at: 'ended' };

export interface MachineState {
  format: 1;
  definition: SequenceDefinition;
  customerId: string;
  entryKey: string;
  /** Seeds split buckets and survey ids: the workflow id. */
  seed: string;
  status: EnrollmentStatus;
  /** When the enrollment started (ISO). */
  startedAt: string;
  /** When its trigger occurred (epoch ms): events that occurred earlier are not this enrollment's. */
  triggerAt: number;
  cursor?: string;
  phase: Phase;
  visits: Record<string, number>;
  stepsDone: StepRecord[];
  paused: boolean;
  cancelRequested?: string;
  exitRequested?: string;
  profileVersion: number;
  inbox: SequenceEvent[];
  seen: string[];
  lastEvent?: SequenceEvent;
  survey?: { surveyId: string; score: number; comment?: string; kind: string };
  variant?: string;
  goalReachedAt?: string;
  exitReason?: string;
  next?: NextAction;
  /** The outstanding request and the profile version it was asked under. */
  pending?: { id: number; request: Request; version: number };
  seq: number;
  migration?: { definition: SequenceDefinition; stepMap: Record<string, string> };
}

export interface StartOptions {
  definition: SequenceDefinition;
  customerId: string;
  entryKey: string;
  seed: string;
  now: number;
  trigger?: SequenceEvent;
  /** Events of the customer this enrollment listens to that arrived before it started (dispatch order). */
  earlier?: SequenceEvent[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Event names a definition reacts to once running: exit events, the goal, waitForEvent steps. */
export function listenedEvents(def: SequenceDefinition): string[] {
  const names = new Set<string>();
  for (const e of def.exit?.events ?? []) names.add(e);
  if (def.goal) names.add(def.goal.event);
  for (const s of def.steps) if (s.type === 'waitForEvent') names.add(s.event);
  return [...names].sort();
}

/** FNV-1a: a stable bucket 0-99 per seed, so replays, retries and simulations land in the same variant. */
export function bucket(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 100;
}

/** The survey instance id of a survey step (also the survey workflow's id). */
export function surveyIdFor(seed: string, stepId: string, iteration: number): string {
  return `${seed}-survey-${stepId}-${iteration}`;
}

/** Why a migration cannot apply to this enrollment now, or undefined when it can. */
export function migrationProblem(state: MachineState, target: { id: string; version: number; stepIds: string[] }, stepMap: Record<string, string>): string | undefined {
  if (isFinal(state.status)) return `the enrollment has ended (${state.status})`;
  if (target.id !== state.definition.id) return `it runs sequence "${state.definition.id}", not "${target.id}"`;
  if (target.version <= state.definition.version) return `it already runs version ${state.definition.version} (not older than ${target.version})`;
  const at = state.cursor;
  if (at === undefined) return undefined;
  const to = stepMap[at] ?? at;
  if (!target.stepIds.includes(to)) {
    return stepMap[at] ? `it is at step "${at}", mapped to "${to}", which version ${target.version} lacks` : `it is at step "${at}", which version ${target.version} lacks: map it (${at}=<new step>)`;
  }
  return undefined;
}

export function isFinal(status: EnrollmentStatus): boolean {
  return status !== 'running' && status !== 'paused';
}

/** A new enrollment's state; deliver `{ type: 'start' }` next. */
export function initialState(o: StartOptions): MachineState {
  const state: MachineState = {
    format: 1,
    definition: o.definition,
    customerId: o.customerId,
    entryKey: o.entryKey,
    seed: o.seed,
    status: 'running',
    startedAt: iso(o.now),
    triggerAt: o.trigger ? Math.min(Date.parse(o.trigger.occurredAt), o.now) : o.now,
    cursor: o.definition.steps[0]?.id,
    phase: { at: 'boundary' },
    visits: {},
    stepsDone: [],
    paused: false,
    profileVersion: 0,
    inbox: [],
    seen: o.trigger ? [o.trigger.id] : [],
    lastEvent: o.trigger,
    seq: 0,
  };
  for (const e of o.earlier ?? []) hear(state, e);
  return state;
}

/**
 * Applies one input at `now` and runs the enrollment as far as it can go without the world. The
 * state is changed in place (the workflow keeps one object; the simulator too).
 */
export function step(state: MachineState, input: Input, now: number): Output {
  const out: Output = { requests: [], effects: [], done: false };
  if (isFinal(state.status)) return { ...out, done: true };
  switch (input.type) {
    case 'start':
    case 'tick':
      break;
    case 'event':
      hear(state, input.event);
      break;
    case 'profileChanged':
      if (input.version > state.profileVersion) {
        state.profileVersion = input.version;
        if (state.phase.at === 'survey' && state.phase.stage === 'open') out.effects.push({ kind: 'forwardProfileChange', surveyId: state.phase.surveyId, version: input.version });
        recompute(state, out, now);
      }
      break;
    case 'pause':
      state.paused = true;
      break;
    case 'resume':
      if (state.paused) {
        state.paused = false;
        const p = state.phase;
        // A send held while paused looks for a new slot from the resume instant.
        if (p.at === 'send' && p.stage === 'held') {
          p.after = now;
          p.stage = p.immediate ? 'sending' : 'slot';
          p.until = undefined;
        }
      }
      break;
    case 'cancel':
      state.cancelRequested ??= input.reason ?? 'cancelled by operator';
      break;
    case 'migrate':
      state.migration = { definition: input.definition, stepMap: input.stepMap };
      break;
    case 'surveyOutcome':
      if (state.phase.at === 'survey' && state.phase.surveyId === input.surveyId) finishSurvey(state, input.outcome, now);
      break;
    case 'reply':
      if (!state.pending || state.pending.id !== input.id) break; // a stale reply (already superseded)
      reply(state, input.reply, now, out);
      break;
  }
  run(state, now, out);
  out.done = isFinal(state.status);
  return out;
}

// ---- events ------------------------------------------------------------------------------------

function hear(state: MachineState, e: SequenceEvent) {
  if (state.seen.includes(e.id)) return; // a redelivered event changes nothing
  state.seen.push(e.id);
  if (state.seen.length > SEEN_EVENTS_KEPT) state.seen.splice(0, state.seen.length - SEEN_EVENTS_KEPT);
  const at = Date.parse(e.occurredAt);
  // An event that happened before this enrollment's trigger is not about this enrollment.
  if (!(at >= state.triggerAt)) return;
  const def = state.definition;
  if (def.goal && e.name === def.goal.event && !state.goalReachedAt) {
    const within = def.goal.within ? calendarMillis(def.goal.within) : Infinity;
    if (at - state.triggerAt <= within) state.goalReachedAt = iso(at);
  }
  if (def.exit?.events?.includes(e.name)) {
    state.exitRequested ??= `event:${e.name}`;
    return;
  }
  if (def.steps.some((s) => s.type === 'waitForEvent' && s.event === e.name)) {
    state.inbox.push(e);
    if (state.inbox.length > INBOX_CAP) state.inbox.splice(0, state.inbox.length - INBOX_CAP);
  }
}

// ---- the loop ----------------------------------------------------------------------------------

const stopped = (s: MachineState) => !!s.cancelRequested || !!s.exitRequested;

function issue(state: MachineState, out: Output, request: Request) {
  const id = ++state.seq;
  state.pending = { id, request, version: state.profileVersion };
  out.requests.push({ id, request });
}

function finish(state: MachineState, out: Output) {
  if (state.status === 'running' || state.status === 'paused') {
    if (state.cancelRequested) {
      state.status = 'cancelled';
      state.exitReason = state.cancelRequested;
    } else if (state.exitRequested) {
      state.status = 'exited';
      state.exitReason = state.exitRequested;
    } else {
      state.status = 'completed';
    }
  }
  if (state.phase.at === 'survey') out.effects.push({ kind: 'cancelSurvey', surveyId: state.phase.surveyId });
  state.phase = { at: 'ended' };
  state.next = undefined;
  state.pending = undefined;
}

function currentStep(state: MachineState): Step | undefined {
  return state.cursor === undefined ? undefined : state.definition.steps.find((s) => s.id === state.cursor);
}

function record(state: MachineState, step: Step, startedAt: number, now: number, outcome: string, messageId?: string) {
  state.stepsDone.push({
    stepId: step.id, type: step.type, iteration: state.visits[step.id] ?? 0, startedAt: iso(startedAt), finishedAt: iso(now), outcome,
    ...(messageId ? { messageId } : {}),
  });
}

/** The step is done: move to `next` (or the step's own next, or the following one). */
function advance(state: MachineState, step: Step, next?: string) {
  state.visits[step.id] = (state.visits[step.id] ?? 0) + 1;
  const steps = state.definition.steps;
  const fallthrough = steps[steps.findIndex((s) => s.id === step.id) + 1]?.id;
  state.cursor = step.type === 'end' ? undefined : next ?? ('next' in step && step.next ? step.next : fallthrough);
  state.phase = { at: 'boundary' };
}

function run(state: MachineState, now: number, out: Output): void {
  for (let guard = 0; guard < 10_000; guard++) {
    if (isFinal(state.status)) return;
    // A send in flight finishes first (its outcome must be recorded), and so does a survey being
    // started (so it can be ended with the enrollment); everything else yields to a stop at once.
    const inFlight = state.pending?.request.kind;
    if (stopped(state) && inFlight !== 'send' && inFlight !== 'survey') return finish(state, out);
    if (state.pending) return; // waiting for a reply
    const p = state.phase;
    if (p.at === 'boundary') {
      if (state.cursor === undefined) return finish(state, out);
      if (state.paused) return; // no step starts while paused
      applyMigration(state, now);
      if (state.definition.exit?.when) {
        state.phase = { at: 'exitCheck' };
        return issue(state, out, { kind: 'customer' });
      }
      begin(state, now, out);
      continue;
    }
    if (p.at === 'exitCheck' || p.at === 'ended') return;
    const step = currentStep(state)!;
    if (!progress(state, step, now, out)) return;
  }
  throw new Error('sequence machine: no progress after 10,000 transitions (a loop in the definition?)');
}

function applyMigration(state: MachineState, now: number) {
  const m = state.migration;
  state.migration = undefined;
  if (!m || state.cursor === undefined) return;
  const from = state.cursor;
  const target = m.stepMap[from] ?? from;
  const base = { stepId: from, type: 'migration', iteration: 0, startedAt: iso(now), finishedAt: iso(now) };
  if (!m.definition.steps.some((s) => s.id === target)) {
    state.stepsDone.push({ ...base, outcome: `rejected:no step "${target}" in version ${m.definition.version}` });
    return;
  }
  state.stepsDone.push({ ...base, outcome: `migrated:v${state.definition.version}->v${m.definition.version}:${target}` });
  state.definition = m.definition;
  state.cursor = target;
}

/** Starts the step at the cursor. */
function begin(state: MachineState, now: number, out: Output) {
  const step = currentStep(state);
  if (!step) {
    state.cursor = undefined;
    return;
  }
  switch (step.type) {
    case 'send':
      state.phase = { at: 'send', startedAt: now, after: now, immediate: step.at === 'now', stage: step.at === 'now' ? 'sending' : 'slot' };
      if (step.at === 'now') state.next = { stepId: step.id, kind: 'send', at: iso(now) };
      return;
    case 'wait':
      state.phase = { at: 'wait', startedAt: now, base: now + calendarMillis(step.duration), stage: 'compute' };
      return;
    case 'waitUntil':
      state.phase = { at: 'waitUntil', startedAt: now, stage: 'compute' };
      return;
    case 'waitForEvent':
      state.phase = { at: 'waitForEvent', startedAt: now, base: now + calendarMillis(step.timeout), stage: 'compute' };
      return;
    case 'branch':
      state.phase = { at: 'branch', startedAt: now };
      return issue(state, out, { kind: 'customer' });
    case 'split': {
      const b = bucket(`${state.seed}:${step.id}`);
      let acc = 0;
      for (const v of step.variants) {
        acc += v.percent;
        if (b < acc) {
          state.variant = v.name;
          record(state, step, now, now, `variant:${v.name}`);
          return advance(state, step, v.next);
        }
      }
      state.variant = 'holdout';
      record(state, step, now, now, 'holdout');
      state.visits[step.id] = (state.visits[step.id] ?? 0) + 1;
      state.status = 'holdout';
      state.phase = { at: 'ended' };
      state.next = undefined;
      return;
    }
    case 'survey': {
      const surveyId = surveyIdFor(state.seed, step.id, state.visits[step.id] ?? 0);
      state.phase = { at: 'survey', startedAt: now, surveyId, stage: 'starting' };
      state.next = { stepId: step.id, kind: 'survey' };
      return issue(state, out, {
        kind: 'survey', surveyId, stepId: step.id, surveyKind: step.kind, template: step.template,
        ...(step.reminder ? { reminder: step.reminder } : {}), window: step.window ?? DEFAULT_SURVEY_WINDOW,
      });
    }
    case 'end':
      record(state, step, now, now, 'end');
      return advance(state, step);
  }
}

/** Moves the current step on at `now`; false when it has to wait (for time, a reply or an input). */
function progress(state: MachineState, step: Step, now: number, out: Output): boolean {
  const p = state.phase;
  switch (p.at) {
    case 'send': {
      if (step.type !== 'send') return false;
      if (p.stage === 'slot') {
        issue(state, out, { kind: 'slot', after: Math.max(p.after, now) });
        return false;
      }
      if (p.stage === 'sleep') {
        if (now < p.until!) return wake(out, p.until!);
        if (state.paused) {
          p.stage = 'held';
          return false;
        }
        p.stage = 'sending';
      }
      if (p.stage === 'held') return false;
      // sending
      if (state.paused) {
        p.stage = 'held';
        return false;
      }
      issue(state, out, {
        kind: 'send', stepId: step.id, iteration: state.visits[step.id] ?? 0, template: step.template, category: step.category,
        ...(state.lastEvent ? { event: { name: state.lastEvent.name, properties: state.lastEvent.properties } } : {}),
        ...(state.survey ? { data: { surveyScore: state.survey.score, surveyKind: state.survey.kind } } : {}),
      });
      return false;
    }
    case 'wait': {
      if (step.type !== 'wait') return false;
      if (p.stage === 'compute') {
        if (step.duration.businessDays) {
          issue(state, out, { kind: 'businessDays', after: p.base, businessDays: step.duration.businessDays });
          return false;
        }
        p.until = p.base;
        p.stage = 'sleep';
        state.next = { stepId: step.id, kind: 'wait', at: iso(p.until) };
      }
      if (now < p.until!) return wake(out, p.until!);
      record(state, step, p.startedAt, now, 'elapsed');
      advance(state, step);
      return true;
    }
    case 'waitUntil': {
      if (step.type !== 'waitUntil') return false;
      if (p.stage === 'compute') {
        issue(state, out, { kind: 'localTime', after: now, time: step.time, weekdays: step.weekdays });
        return false;
      }
      if (now < p.until!) return wake(out, p.until!);
      record(state, step, p.startedAt, now, 'elapsed');
      advance(state, step);
      return true;
    }
    case 'waitForEvent': {
      if (step.type !== 'waitForEvent') return false;
      const i = state.inbox.findIndex((e) => matches(state, step, e));
      if (i >= 0) {
        state.lastEvent = state.inbox.splice(i, 1)[0];
        record(state, step, p.startedAt, now, 'event');
        advance(state, step, step.onEvent);
        return true;
      }
      if (p.stage === 'compute') {
        if (step.timeout.businessDays) {
          issue(state, out, { kind: 'businessDays', after: p.base, businessDays: step.timeout.businessDays });
          return false;
        }
        p.until = p.base;
        p.stage = 'sleep';
        state.next = { stepId: step.id, kind: 'waitForEvent', at: iso(p.until) };
      }
      if (now < p.until!) return wake(out, p.until!);
      record(state, step, p.startedAt, now, 'timeout');
      advance(state, step, step.onTimeout);
      return true;
    }
    case 'branch':
    case 'survey':
      return false; // waiting for a reply or the survey's outcome
    default:
      return false;
  }
}

function wake(out: Output, at: number): false {
  out.wakeAt = out.wakeAt === undefined ? at : Math.min(out.wakeAt, at);
  return false;
}

function matches(state: MachineState, step: Extract<Step, { type: 'waitForEvent' }>, e: SequenceEvent): boolean {
  if (e.name !== step.event) return false;
  if (!evaluate(step.where, { event: { name: e.name, ...e.properties } })) return false;
  if (!step.sameEntryKey) return true;
  // sameEntryKey: only this enrollment's own order/ticket, not another one of the same customer.
  const entry = state.definition.entry;
  const own = entry.mode === 'oncePerKey' && state.entryKey.startsWith('key:') ? state.entryKey.slice('key:'.length).replace(/:milestone:.*$/, '') : undefined;
  return entry.mode === 'oncePerKey' && own !== undefined && String(e.properties[entry.key] ?? '') === own;
}

/** A profile change: computations of the current step that depend on the calendar are redone. */
function recompute(state: MachineState, out: Output, now: number) {
  const p = state.phase;
  const step = currentStep(state);
  if (!step) return;
  // An outstanding calendar request is asked again when its reply comes (the version moved on).
  if (state.pending) return;
  if (p.at === 'send' && p.stage === 'sleep') {
    p.stage = 'slot';
    p.until = undefined;
  } else if (p.at === 'wait' && p.stage === 'sleep' && step.type === 'wait' && step.duration.businessDays) {
    p.stage = 'compute';
  } else if (p.at === 'waitForEvent' && p.stage === 'sleep' && step.type === 'waitForEvent' && step.timeout.businessDays) {
    p.stage = 'compute';
  } else if (p.at === 'waitUntil' && p.stage === 'sleep') {
    p.stage = 'compute';
  }
  void out;
  void now;
}

function reply(state: MachineState, r: Reply, now: number, out: Output) {
  const pending = state.pending!;
  state.pending = undefined;
  const step = currentStep(state);
  const p = state.phase;
  const calendarRequest = pending.request.kind === 'slot' || pending.request.kind === 'businessDays' || pending.request.kind === 'localTime';
  // Computed under a profile that changed meanwhile: ask again (the phase still says "compute").
  if (calendarRequest && pending.version !== state.profileVersion) return;
  if (p.at === 'exitCheck' && r.kind === 'customer') {
    if (evaluate(state.definition.exit?.when, { customer: r.customer })) {
      state.exitRequested ??= 'condition';
      return;
    }
    state.phase = { at: 'boundary' };
    return begin(state, now, out);
  }
  if (!step) return;
  if (p.at === 'send' && step.type === 'send') {
    if (r.kind === 'instant') {
      p.until = r.at;
      p.stage = 'sleep';
      state.next = { stepId: step.id, kind: 'send', at: iso(r.at), local: r.local, zone: r.zone };
    } else if (r.kind === 'send') {
      if (r.status === 'deferred' && r.retryAt !== undefined) {
        // A frequency cap: try again at the next allowed slot instead of dropping the message.
        p.after = r.retryAt;
        p.immediate = false;
        p.stage = 'slot';
        return;
      }
      record(state, step, p.startedAt, now, r.status, r.messageId);
      advance(state, step);
    }
    return;
  }
  if ((p.at === 'wait' || p.at === 'waitForEvent' || p.at === 'waitUntil') && r.kind === 'instant') {
    p.until = r.at;
    p.stage = 'sleep';
    state.next = { stepId: step.id, kind: p.at, at: iso(r.at), local: r.local, zone: r.zone };
    return;
  }
  if (p.at === 'branch' && step.type === 'branch' && r.kind === 'customer') {
    const ctx: ConditionContext = {
      customer: r.customer,
      event: state.lastEvent ? { name: state.lastEvent.name, ...state.lastEvent.properties } : {},
      survey: state.survey ?? {},
    };
    const i = step.cases.findIndex((c) => evaluate(c.when, ctx));
    record(state, step, p.startedAt, now, i >= 0 ? `case:${i + 1}` : 'otherwise');
    advance(state, step, i >= 0 ? step.cases[i]!.next : step.otherwise);
    return;
  }
  if (p.at === 'survey' && r.kind === 'surveyStarted') {
    p.stage = 'open';
  }
}

function finishSurvey(state: MachineState, outcome: SurveyOutcome, now: number) {
  const p = state.phase;
  const step = currentStep(state);
  if (p.at !== 'survey' || !step || step.type !== 'survey') return;
  state.pending = undefined;
  // survey.* is this survey's answer: an unanswered or skipped survey leaves none (not an older one).
  state.survey = outcome.status === 'answered' && typeof outcome.score === 'number'
    ? { surveyId: p.surveyId, score: outcome.score, ...(outcome.comment ? { comment: outcome.comment } : {}), kind: step.kind }
    : undefined;
  const text =
    outcome.status === 'answered' ? `answered:${outcome.score}` : outcome.status === 'skipped' ? `skipped:${outcome.reason ?? 'unknown'}` : outcome.status === 'failed' ? `failed:${outcome.reason ?? 'the survey failed'}` : 'unanswered';
  record(state, step, p.startedAt, now, text);
  advance(state, step);
}

/** The state the `state` query answers (the shape ops tooling and the API read). */
export function publicState(state: MachineState): {
  sequenceId: string; sequenceVersion: number; customerId: string; entryKey: string; startedAt: string; status: EnrollmentStatus;
  currentStep?: string; next?: NextAction; stepsDone: StepRecord[]; variant?: string; exitReason?: string; goalReachedAt?: string;
} {
  return {
    sequenceId: state.definition.id,
    sequenceVersion: state.definition.version,
    customerId: state.customerId,
    entryKey: state.entryKey,
    startedAt: state.startedAt,
    status: state.status === 'running' && state.paused ? 'paused' : state.status,
    ...(state.cursor !== undefined ? { currentStep: state.cursor } : lastStep(state)),
    ...(state.next ? { next: state.next } : {}),
    stepsDone: state.stepsDone,
    ...(state.variant ? { variant: state.variant } : {}),
    ...(state.exitReason ? { exitReason: state.exitReason } : {}),
    ...(state.goalReachedAt ? { goalReachedAt: state.goalReachedAt } : {}),
  };
}

function lastStep(state: MachineState): { currentStep?: string } {
  const last = state.stepsDone[state.stepsDone.length - 1];
  return last ? { currentStep: last.stepId } : {};
}
