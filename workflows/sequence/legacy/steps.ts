// FROZEN with ./workflow.ts (see there).
//
// One small handler per step kind. Each returns where to go next (or that it was interrupted by an
// exit event or a cancel). Waits are "updatable timers": they sleep on `condition(..., timeout)` and
// recompute their deadline through an activity when the customer's calendar changes.
import { condition, proxyLocalActivities, startChild, workflowInfo } from '@temporalio/workflow';
import { acts, activityOptions } from '../../shared/activities';
import type * as sequenceActivities from '../../../activities/sequence';
import { evaluate } from '../../../domain/sequence/conditions';
import { calendarMillis } from '../../../domain/sequence/durations';
import type {
  SurveyKind,
  BranchStep,
  SendStep,
  SequenceEvent,
  SplitStep,
  Step,
  SurveyStep,
  WaitForEventStep,
  WaitStep,
  WaitUntilStep,
} from '../../../domain/sequence/types';
import type { EnrollmentState, NextAction } from '../messages';
import { surveyWorkflowId, type SurveyAnswer, type SurveyResult } from '../../survey/messages';
import { surveyWorkflow } from '../../survey/workflow';
import { isLowScore } from '../../survey/scores';
import { OutreachSequence } from '../../../domain/search-attributes';
import type { LegacySequenceWorkflowInput as SequenceWorkflowInput } from './workflow';

type Activities = ReturnType<typeof sequenceActivities.createSequenceActivities>;
export { acts };

/**
 * Calendar look-ups, profile reads and the enrollment record as local activities: each is recorded
 * as one marker event instead of an activity's three events plus a workflow task, which keeps a
 * send step near ten history events. Workflows started before this (patched 'local-activities')
 * keep regular activities on replay.
 */
const localActs = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: activityOptions.retry });

export function quickActs(rt: Pick<Runtime, 'localActivities'>): Pick<Activities, 'nextSendTime' | 'addBusinessDays' | 'nextLocalTime' | 'loadCustomerContext' | 'recordEnrollment'> {
  return rt.localActivities ? localActs : acts;
}

export interface Runtime {
  /** patched('local-activities'): new runs use local activities and publish search attributes once per action. */
  localActivities: boolean;
  input: SequenceWorkflowInput;
  state: EnrollmentState;
  visits: Record<string, number>;
  seenEvents: string[];
  /** Events received and not yet consumed by a waitForEvent step. */
  inbox: SequenceEvent[];
  profileVersion: number;
  paused: boolean;
  cancelRequested?: string;
  exitRequested?: string;
  lastEvent?: SequenceEvent;
  survey?: SurveyAnswer & { kind: string };
  setNext(next?: NextAction): void;
}

export interface StepOutcome {
  next?: string;
  interrupted?: boolean;
  holdout?: boolean;
}

const stopped = (rt: Runtime) => !!rt.cancelRequested || !!rt.exitRequested;

function record(rt: Runtime, step: Step, startedAt: string, outcome: string, messageId?: string) {
  rt.state.stepsDone.push({
    stepId: step.id,
    type: step.type,
    iteration: rt.visits[step.id] ?? 0,
    startedAt,
    finishedAt: new Date().toISOString(),
    outcome,
    ...(messageId ? { messageId } : {}),
  });
}

/**
 * Sleeps until `target` (epoch ms). When `recompute` is given, a profile change (time zone,
 * country, calendar) wakes the wait and the deadline is computed again. `until` ends the wait early
 * when it becomes true. Pausing does not stop the clock: only actions wait for a resume.
 */
async function waitFor(
  rt: Runtime,
  target: number,
  opts: { recompute?: () => Promise<number>; until?: () => boolean } = {},
): Promise<'elapsed' | 'interrupted' | 'satisfied'> {
  let version = rt.profileVersion;
  for (;;) {
    if (stopped(rt)) return 'interrupted';
    if (opts.until?.()) return 'satisfied';
    const remaining = target - Date.now();
    if (remaining <= 0) return 'elapsed';
    const woke = await condition(
      () => stopped(rt) || (opts.until?.() ?? false) || (!!opts.recompute && rt.profileVersion !== version),
      remaining,
    );
    if (!woke) return 'elapsed';
    if (stopped(rt)) return 'interrupted';
    if (opts.until?.()) return 'satisfied';
    version = rt.profileVersion;
    target = await opts.recompute!();
  }
}

async function handleSend(step: SendStep, rt: Runtime): Promise<StepOutcome> {
  const startedAt = new Date().toISOString();
  const { customerId } = rt.input;
  let after = Date.now();
  for (;;) {
    // A deferred send (frequency cap) waits for its slot even when the step says `at: now`.
    if (step.at !== 'now' || after > Date.now()) {
      const schedule = async () => {
        const t = await quickActs(rt).nextSendTime({ customerId, after: new Date(Math.max(after, Date.now())).toISOString() });
        rt.setNext({ stepId: step.id, kind: 'send', at: t.utc, local: t.local, zone: t.zone });
        return Date.parse(t.utc);
      };
      const r = await waitFor(rt, await schedule(), { recompute: schedule });
      if (r === 'interrupted') return { interrupted: true };
    } else {
      rt.setNext({ stepId: step.id, kind: 'send', at: new Date().toISOString() });
    }
    if (rt.paused) {
      // Hold the send; on resume the send time is computed again from the resume instant.
      await condition(() => !rt.paused || stopped(rt));
      if (stopped(rt)) return { interrupted: true };
      after = Date.now();
      continue;
    }
    const result = await acts.sendStepEmail({
      workflowId: workflowInfo().workflowId,
      sequenceId: rt.state.sequenceId,
      stepId: step.id,
      iteration: rt.visits[step.id] ?? 0,
      customerId,
      template: step.template,
      category: step.category,
      event: rt.lastEvent ? { name: rt.lastEvent.name, properties: rt.lastEvent.properties } : undefined,
      // After a survey, templates such as survey-thanks can say that someone will follow up on a low score.
      data: rt.survey ? { followUp: isLowScore(rt.survey.kind as SurveyKind, rt.survey.score), surveyScore: rt.survey.score } : undefined,
    });
    if (result.status === 'deferred' && result.retryAt) {
      // A frequency cap: try again at the next allowed slot instead of dropping the message.
      after = Date.parse(result.retryAt);
      continue;
    }
    record(rt, step, startedAt, result.status, result.messageId);
    if (!rt.localActivities) rt.setNext(undefined); // newer runs leave it to the next step (one upsert fewer)
    return {};
  }
}

async function handleWait(step: WaitStep, rt: Runtime): Promise<StepOutcome> {
  const startedAt = new Date().toISOString();
  const start = Date.now();
  const { customerId } = rt.input;
  const compute = async () => {
    let t = start + calendarMillis(step.duration);
    let local: string | undefined;
    let zone: string | undefined;
    if (step.duration.businessDays) {
      const r = await quickActs(rt).addBusinessDays({ customerId, after: new Date(t).toISOString(), businessDays: step.duration.businessDays });
      t = Date.parse(r.utc);
      local = r.local;
      zone = r.zone;
    }
    rt.setNext({ stepId: step.id, kind: 'wait', at: new Date(t).toISOString(), local, zone });
    return t;
  };
  const r = await waitFor(rt, await compute(), step.duration.businessDays ? { recompute: compute } : {});
  if (r === 'interrupted') return { interrupted: true };
  record(rt, step, startedAt, 'elapsed');
  return {};
}

async function handleWaitUntil(step: WaitUntilStep, rt: Runtime): Promise<StepOutcome> {
  const startedAt = new Date().toISOString();
  const compute = async () => {
    const r = await quickActs(rt).nextLocalTime({ customerId: rt.input.customerId, after: new Date().toISOString(), time: step.time, weekdays: step.weekdays });
    rt.setNext({ stepId: step.id, kind: 'waitUntil', at: r.utc, local: r.local, zone: r.zone });
    return Date.parse(r.utc);
  };
  const r = await waitFor(rt, await compute(), { recompute: compute });
  if (r === 'interrupted') return { interrupted: true };
  record(rt, step, startedAt, 'elapsed');
  return {};
}

async function handleWaitForEvent(step: WaitForEventStep, rt: Runtime): Promise<StepOutcome> {
  const startedAt = new Date().toISOString();
  const entry = rt.input.definition.entry;
  const ownKey = entry.mode === 'oncePerKey' && rt.input.entryKey.startsWith('key:') ? rt.input.entryKey.slice('key:'.length) : undefined;
  const matches = (e: SequenceEvent) =>
    e.name === step.event &&
    evaluate(step.where, { event: { name: e.name, ...e.properties } }) &&
    // sameEntryKey: only this enrollment's own order/ticket, not another one of the same customer.
    (!step.sameEntryKey || (entry.mode === 'oncePerKey' && ownKey !== undefined && String(e.properties[entry.key] ?? '') === ownKey));
  const deadline = Date.now() + calendarMillis(step.timeout);
  const compute = async () => {
    let t = deadline;
    if (step.timeout.businessDays) {
      const r = await quickActs(rt).addBusinessDays({ customerId: rt.input.customerId, after: new Date(t).toISOString(), businessDays: step.timeout.businessDays });
      t = Date.parse(r.utc);
    }
    rt.setNext({ stepId: step.id, kind: 'waitForEvent', at: new Date(t).toISOString() });
    return t;
  };
  const r = await waitFor(rt, await compute(), {
    recompute: step.timeout.businessDays ? compute : undefined,
    until: () => rt.inbox.some(matches),
  });
  if (r === 'interrupted') return { interrupted: true };
  if (r === 'satisfied') {
    const i = rt.inbox.findIndex(matches);
    rt.lastEvent = rt.inbox.splice(i, 1)[0];
    record(rt, step, startedAt, 'event');
    return { next: step.onEvent };
  }
  record(rt, step, startedAt, 'timeout');
  return { next: step.onTimeout };
}

async function handleBranch(step: BranchStep, rt: Runtime): Promise<StepOutcome> {
  const startedAt = new Date().toISOString();
  // The profile is read fresh (through an activity, so the answer is in history) at the branch.
  const { customer } = await quickActs(rt).loadCustomerContext({ customerId: rt.input.customerId });
  const ctx = {
    customer,
    event: rt.lastEvent ? { name: rt.lastEvent.name, ...rt.lastEvent.properties } : {},
    survey: rt.survey ?? {},
  };
  const i = step.cases.findIndex((c) => evaluate(c.when, ctx));
  record(rt, step, startedAt, i >= 0 ? `case:${i + 1}` : 'otherwise');
  return { next: i >= 0 ? step.cases[i].next : step.otherwise };
}

/** FNV-1a: a stable bucket per (workflow, step) so replays and retries land in the same variant. */
function bucket(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 100;
}

async function handleSplit(step: SplitStep, rt: Runtime): Promise<StepOutcome> {
  const startedAt = new Date().toISOString();
  const b = bucket(`${workflowInfo().workflowId}:${step.id}`);
  let acc = 0;
  for (const v of step.variants) {
    acc += v.percent;
    if (b < acc) {
      rt.state.variant = v.name;
      record(rt, step, startedAt, `variant:${v.name}`);
      return { next: v.next };
    }
  }
  rt.state.variant = 'holdout';
  record(rt, step, startedAt, 'holdout');
  return { holdout: true };
}

async function handleSurvey(step: SurveyStep, rt: Runtime): Promise<StepOutcome> {
  const startedAt = new Date().toISOString();
  // A survey is a child workflow: it owns its links, reminder and answer window, and survey links
  // signal it directly. The sequence waits for its outcome (so it can branch on the score) unless
  // an exit event or cancel arrives first.
  const surveyId = surveyWorkflowId(workflowInfo().workflowId, step.id, rt.visits[step.id] ?? 0);
  const child = await startChild(surveyWorkflow, {
    workflowId: surveyId,
    args: [{
      surveyId, customerId: rt.input.customerId, kind: step.kind, template: step.template, reminder: step.reminder,
      window: step.window ?? { days: 14 }, sequenceId: rt.state.sequenceId, stepId: step.id,
    }],
    typedSearchAttributes: [{ key: OutreachSequence, value: rt.state.sequenceId }] as never,
  });
  rt.setNext({ stepId: step.id, kind: 'survey' });
  let result: SurveyResult | undefined;
  let failure: string | undefined;
  child.result().then(
    (r) => {
      result = r;
    },
    // A survey that failed or was terminated (say, by an operator) ends the step; the sequence goes on.
    (err: unknown) => {
      const e = err as Error & { cause?: unknown };
      failure = (e?.cause instanceof Error ? e.cause.message : e?.message) || 'the survey workflow failed';
    },
  );
  await condition(() => !!result || failure !== undefined || stopped(rt));
  if (failure !== undefined && !result) {
    record(rt, step, startedAt, `failed:${failure}`);
    return {};
  }
  if (!result) return { interrupted: true }; // the child is cancelled with this workflow (parent close policy)
  if (result.status === 'answered') rt.survey = { surveyId, score: result.score!, comment: result.comment, kind: step.kind };
  record(rt, step, startedAt, result.status === 'answered' ? `answered:${result.score}` : result.status === 'skipped' ? `skipped:${result.reason}` : 'unanswered');
  return {};
}

export async function runStep(step: Step, rt: Runtime): Promise<StepOutcome> {
  const outcome = await dispatch(step, rt);
  if (!outcome.interrupted) rt.visits[step.id] = (rt.visits[step.id] ?? 0) + 1;
  return outcome;
}

function dispatch(step: Step, rt: Runtime): Promise<StepOutcome> {
  switch (step.type) {
    case 'send':
      return handleSend(step, rt);
    case 'wait':
      return handleWait(step, rt);
    case 'waitUntil':
      return handleWaitUntil(step, rt);
    case 'waitForEvent':
      return handleWaitForEvent(step, rt);
    case 'branch':
      return handleBranch(step, rt);
    case 'split':
      return handleSplit(step, rt);
    case 'survey':
      return handleSurvey(step, rt);
    case 'end':
      return Promise.resolve({});
  }
}
