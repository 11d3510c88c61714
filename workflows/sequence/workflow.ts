// The sequence workflow: one per (customer, sequence, entry key). It executes the interpreter of
// domain/sequence/machine.ts, which holds every rule of the language; this file only connects it to
// Temporal:
//   - the machine's requests become activities (calendar look-ups and the profile as local
//     activities, the send on the email task queue) and a survey child workflow;
//   - its wake-up instant becomes one timer, re-armed only when the instant changes;
//   - signals (event, profileChanged, pause, resume, cancel, migrate, surveyOutcome) and ops Updates
//     (pauseRun, resumeRun, cancelRun, migrateRun, with validators) become its inputs;
//   - the `state` query answers from its state, search attributes are published from it;
//   - when the history grows (a history-length limit or Temporal's continueAsNewSuggested) and no
//     request is outstanding, the run hands its state over to a new run: inside a wait too, keeping
//     the wait's deadline, so a wait of 400 days that hears many events stays small.
// Runs started before this interpreter (no 'interpreter-v2' marker in their history) keep running
// the frozen code of ./legacy until they end or continue as new.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  ContinueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { SequenceDefinition, SequenceEvent } from '../../domain/sequence/types';
import {
  initialState,
  isFinal,
  migrationProblem,
  publicState,
  step as advanceMachine,
  type Effect,
  type Input,
  type MachineState,
  type Output,
  type Reply,
  type Request,
} from '../../domain/sequence/machine';
import { OutreachSequence } from '../../domain/search-attributes';
import { searchAttributePublisher } from '../shared/publish';
import { acts, activityOptions, type Activities } from '../shared/activities';
import {
  cancelSignal,
  cancelUpdate,
  eventSignal,
  migrateSignal,
  migrateUpdate,
  pauseSignal,
  pauseUpdate,
  profileChangedSignal,
  resumeSignal,
  resumeUpdate,
  stateQuery,
  surveyOutcomeSignal,
  type EnrollmentState,
  type OpsReply,
  type OpsState,
} from './messages';
import { legacySequenceWorkflow, type CarriedState } from './legacy/workflow';
import { surveyWorkflow } from '../survey/workflow';
import { isLowScore } from '../survey/scores';
import { surveyProfileSignal } from '../survey/messages';

export interface SequenceWorkflowInput {
  definition: SequenceDefinition;
  customerId: string;
  entryKey: string;
  /** The event that started this enrollment, if any. */
  trigger?: SequenceEvent;
  /**
   * Events of this customer that the definition listens to and that were dispatched before this
   * enrollment started (they occurred after its trigger): an exit that overtook the start still exits.
   */
  earlier?: SequenceEvent[];
  /** Carried over by continue-as-new: the interpreter's state (without its definition, which is above). */
  machine?: Omit<MachineState, 'definition'>;
  /** Inputs received by the previous run after its last step (applied first). */
  queued?: Input[];
  /** Carried over by a run of the frozen interpreter (./legacy) that continued as new. */
  carried?: CarriedState;
  /** History length that triggers continue-as-new (default 2,000); tests set it low. */
  historyLimit?: number;
}

/** Continue as new well before Temporal's limits (51,200 events, 50 MB). */
const HISTORY_EVENTS_BEFORE_CONTINUE = 2_000;

const localActs = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: activityOptions.retry });

export async function sequenceWorkflow(input: SequenceWorkflowInput): Promise<EnrollmentState> {
  if (!patched('interpreter-v2')) return legacySequenceWorkflow(input);
  return interpret(input);
}

/** The machine state of a run of the frozen interpreter that continued as new (at a step boundary). */
function fromLegacy(input: SequenceWorkflowInput, carried: CarriedState, seed: string): MachineState {
  const st = carried.state;
  return {
    format: 1,
    definition: input.definition,
    customerId: input.customerId,
    entryKey: input.entryKey,
    seed,
    status: 'running',
    startedAt: st.startedAt ?? new Date().toISOString(),
    // Earlier runs heard every event whatever its time.
    triggerAt: 0,
    cursor: carried.cursor,
    phase: { at: 'boundary' },
    visits: carried.visits,
    stepsDone: st.stepsDone,
    paused: carried.paused,
    profileVersion: carried.profileVersion,
    inbox: carried.inbox ?? [],
    seen: carried.seenEvents,
    ...(carried.lastEvent ? { lastEvent: carried.lastEvent } : {}),
    ...(carried.survey ? { survey: carried.survey } : {}),
    ...(st.variant ? { variant: st.variant } : {}),
    ...(st.goalReachedAt ? { goalReachedAt: st.goalReachedAt } : {}),
    seq: 0,
  };
}

async function interpret(input: SequenceWorkflowInput): Promise<EnrollmentState> {
  const { workflowId } = workflowInfo();
  const state: MachineState = input.machine
    ? ({ ...input.machine, definition: input.definition } as MachineState)
    : input.carried
      ? fromLegacy(input, input.carried, workflowId)
      : initialState({
          definition: input.definition, customerId: input.customerId, entryKey: input.entryKey, seed: workflowId,
          now: Date.now(), trigger: input.trigger, earlier: input.earlier,
        });
  const fresh = !input.machine && !input.carried;
  const queue: Input[] = [...(input.queued ?? [])];
  let failure: unknown;

  // ---- inputs: signals, updates, the query ----
  setHandler(eventSignal, (event) => void queue.push({ type: 'event', event }));
  setHandler(profileChangedSignal, (change) => void queue.push({ type: 'profileChanged', version: change.version }));
  setHandler(pauseSignal, () => void queue.push({ type: 'pause' }));
  setHandler(resumeSignal, () => void queue.push({ type: 'resume' }));
  setHandler(cancelSignal, ({ reason }) => void queue.push({ type: 'cancel', reason }));
  setHandler(surveyOutcomeSignal, ({ surveyId, outcome }) => void queue.push({ type: 'surveyOutcome', surveyId, outcome }));
  setHandler(migrateSignal, (m) => {
    // The signal of earlier releases carries the whole definition; the Update below is checked first.
    if (m.definition.id === state.definition.id && m.definition.version > state.definition.version) queue.push({ type: 'migrate', definition: m.definition, stepMap: m.stepMap });
  });

  /** The state as it will be once the queued inputs are applied (what validators judge). */
  const will = () => {
    let paused = state.paused;
    let ending = isFinal(state.status) || !!state.cancelRequested || !!state.exitRequested;
    for (const i of queue) {
      if (i.type === 'pause') paused = true;
      if (i.type === 'resume') paused = false;
      if (i.type === 'cancel') ending = true;
    }
    return { paused, ending };
  };
  const reply = (status: string): OpsReply => ({ workflowId, status, ...(state.cursor ? { step: state.cursor } : {}) });
  setHandler(pauseUpdate, () => {
    queue.push({ type: 'pause' });
    return reply('paused');
  }, {
    validator: () => {
      const w = will();
      if (w.ending) throw new Error(`the run has ended or is ending (${state.status})`);
      if (w.paused) throw new Error('the run is already paused');
    },
  });
  setHandler(resumeUpdate, () => {
    queue.push({ type: 'resume' });
    return reply('running');
  }, {
    validator: () => {
      const w = will();
      if (w.ending) throw new Error(`the run has ended or is ending (${state.status})`);
      if (!w.paused) throw new Error('the run is not paused');
    },
  });
  setHandler(cancelUpdate, ({ reason }) => {
    queue.push({ type: 'cancel', reason });
    return reply('cancelled');
  }, {
    validator: (_: { reason?: string }) => {
      if (will().ending) throw new Error(`the run has ended or is ending (${state.status})`);
    },
  });
  setHandler(migrateUpdate, async (m) => {
    const definition = await localActs.loadSequenceVersion({ sequenceId: m.sequenceId, version: m.version });
    queue.push({ type: 'migrate', definition, stepMap: m.stepMap });
    return reply(`migrating to version ${m.version} at the next step boundary`);
  }, {
    validator: (m) => {
      const problem = migrationProblem(state, { id: m.sequenceId, version: m.version, stepIds: m.stepIds }, m.stepMap);
      if (problem) throw new Error(problem);
    },
  });
  setHandler(stateQuery, () => publicState(state) as EnrollmentState);

  // ---- search attributes (ops view) ----
  const publishAttributes = searchAttributePublisher();
  function opsState(): OpsState {
    if (state.status === 'running' && state.paused) return 'paused';
    if (state.status === 'failed') return 'failed';
    if (isFinal(state.status)) return 'completed';
    return state.next?.kind === 'send' && state.next.at && Date.parse(state.next.at) <= Date.now() ? 'sending' : 'waiting';
  }
  const publish = () => publishAttributes({ step: publicState(state).currentStep ?? '', state: opsState(), at: isFinal(state.status) ? '' : state.next?.at ?? '' });

  // ---- requests and effects ----
  const survey = { handle: undefined as undefined | { id: string } };
  /** Survey children of this run that are still open (a step may have moved on at the first answer). */
  const openSurveys = new Set<string>();
  function perform(id: number, request: Request): void {
    run(request).then(
      (r) => void queue.push({ type: 'reply', id, reply: r }),
      (err) => {
        failure ??= err;
      },
    );
  }
  async function run(r: Request): Promise<Reply> {
    const customerId = state.customerId;
    const iso = (ms: number) => new Date(ms).toISOString();
    switch (r.kind) {
      case 'slot': {
        const t = await localActs.nextSendTime({ customerId, after: iso(r.after) });
        return { kind: 'instant', at: Date.parse(t.utc), local: t.local, zone: t.zone };
      }
      case 'businessDays': {
        const t = await localActs.addBusinessDays({ customerId, after: iso(r.after), businessDays: r.businessDays });
        return { kind: 'instant', at: Date.parse(t.utc), local: t.local, zone: t.zone };
      }
      case 'localTime': {
        const t = await localActs.nextLocalTime({ customerId, after: iso(r.after), time: r.time, weekdays: r.weekdays });
        return { kind: 'instant', at: Date.parse(t.utc), local: t.local, zone: t.zone };
      }
      case 'customer':
        return { kind: 'customer', customer: (await localActs.loadCustomerContext({ customerId })).customer };
      case 'send': {
        const survey = state.survey;
        const res = await acts.sendStepEmail({
          workflowId, sequenceId: state.definition.id, stepId: r.stepId, iteration: r.iteration, customerId, template: r.template, category: r.category,
          event: r.event,
          // After a survey, templates such as survey-thanks can say that someone will follow up on a low score.
          data: survey ? { followUp: isLowScore(survey.kind as 'csat' | 'nps' | 'ces', survey.score), surveyScore: survey.score } : undefined,
        });
        return { kind: 'send', status: res.status, messageId: res.messageId, retryAt: res.retryAt ? Date.parse(res.retryAt) : undefined };
      }
      case 'survey': {
        try {
          const child = await startChild(surveyWorkflow, {
            workflowId: r.surveyId,
            args: [{
              surveyId: r.surveyId, customerId, kind: r.surveyKind, template: r.template, reminder: r.reminder, window: r.window,
              sequenceId: state.definition.id, stepId: r.stepId, parentWorkflowId: workflowId,
            }],
            // The survey outlives its step (later answers, alerts): the enrollment waits for it before
            // it closes or continues as new, so the survey always has a live parent.
            parentClosePolicy: ParentClosePolicy.TERMINATE,
            typedSearchAttributes: [{ key: OutreachSequence, value: state.definition.id }] as never,
          });
          survey.handle = { id: r.surveyId };
          openSurveys.add(r.surveyId);
          // Its result settles the step too, should its report signal not arrive (a failed survey).
          child.result().then(
            (res) => {
              openSurveys.delete(r.surveyId);
              queue.push({ type: 'surveyOutcome', surveyId: r.surveyId, outcome: res });
            },
            (err: unknown) => {
              openSurveys.delete(r.surveyId);
              const e = err as Error & { cause?: unknown };
              const reason = (e instanceof ChildWorkflowFailure && e.cause instanceof Error ? e.cause.message : e?.message) || 'the survey workflow failed';
              queue.push({ type: 'surveyOutcome', surveyId: r.surveyId, outcome: { status: 'failed', reason } });
            },
          );
        } catch (err) {
          // Started by an earlier run of this enrollment before it continued as new: it reports here too.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
        return { kind: 'surveyStarted' };
      }
    }
  }
  async function effect(e: Effect): Promise<void> {
    const h = getExternalWorkflowHandle(e.surveyId);
    try {
      if (e.kind === 'forwardProfileChange') await h.signal(surveyProfileSignal, { version: e.version });
      else await h.cancel();
    } catch {
      // The survey has ended already: nothing to tell it.
    }
  }

  // ---- the timer: one at a time, re-armed only when the wake-up instant changes ----
  let timer: { at: number; scope: CancellationScope } | undefined;
  let rang = false;
  function arm(at: number | undefined) {
    if (timer && timer.at === at) return;
    if (timer) timer.scope.cancel();
    timer = undefined;
    if (at === undefined) return;
    const scope = new CancellationScope();
    const mine = { at, scope };
    timer = mine;
    scope
      .run(() => sleep(Math.max(1, at - Date.now())))
      .then(
        () => {
          if (timer === mine) {
            rang = true;
            timer = undefined;
          }
        },
        () => undefined,
      );
  }

  const limit = input.historyLimit ?? HISTORY_EVENTS_BEFORE_CONTINUE;
  const handOver = (): boolean => {
    if (state.pending || isFinal(state.status)) return false;
    // Not while a survey of this run is open: its result comes to the run that started it.
    if (state.phase.at === 'survey' || openSurveys.size > 0) return false;
    return workflowInfo().historyLength > limit || workflowInfo().continueAsNewSuggested;
  };

  function apply(out: Output) {
    for (const r of out.requests) perform(r.id, r.request);
    for (const e of out.effects) void effect(e);
    arm(out.wakeAt);
    publish();
  }

  try {
    if (fresh) upsertSearchAttributes([{ key: OutreachSequence, value: state.definition.id }] as never);
    let out = advanceMachine(state, { type: 'start' }, Date.now());
    apply(out);
    while (!out.done) {
      if (handOver()) {
        // Let signal and update handlers finish, then hand over everything not yet applied.
        await condition(allHandlersFinished);
        if (!state.pending) {
          arm(undefined);
          const { definition, ...machine } = state;
          return await continueAsNew<typeof sequenceWorkflow>({
            definition, customerId: input.customerId, entryKey: input.entryKey, machine, queued: queue.splice(0), historyLimit: input.historyLimit,
          });
        }
      }
      await condition(() => queue.length > 0 || rang || failure !== undefined);
      if (failure !== undefined) throw failure;
      const next: Input = queue.shift() ?? { type: 'tick' };
      if (next.type === 'tick') rang = false;
      out = advanceMachine(state, next, Date.now());
      apply(out);
    }
  } catch (err) {
    // continueAsNew hands over by throwing: not a failure, and the enrollment goes on in the new run.
    if (err instanceof ContinueAsNew) throw err;
    arm(undefined);
    if (isCancellation(err)) {
      // Cancelled through Temporal (e.g. `temporal workflow cancel`): record it, then end cleanly.
      state.status = 'cancelled';
      state.exitReason = 'workflow cancelled';
      await CancellationScope.nonCancellable(() => finish());
      return publicState(state) as EnrollmentState;
    }
    state.status = 'failed';
    state.exitReason = describe(err);
    await finish();
    throw err;
  }
  arm(undefined);
  // A survey whose step moved on at the first answer stays open for a changed answer or a comment:
  // the enrollment closes after it (a closing parent would end it).
  await condition(() => openSurveys.size === 0);
  await finish();
  return publicState(state) as EnrollmentState;

  async function finish() {
    state.next = undefined;
    publish();
    await localActs.recordEnrollment({ workflowId, status: state.status, currentStep: state.cursor ?? publicState(state).currentStep ?? null, ended: true });
  }
}

function describe(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause.message;
  if (err instanceof ActivityFailure && err.cause instanceof Error) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
