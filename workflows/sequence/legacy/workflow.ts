// FROZEN: the sequence interpreter as it ran before the state machine (domain/sequence/machine.ts).
// Kept unchanged so that runs started by earlier releases replay and finish; workflows/sequence/
// workflow.ts calls it for histories without the 'interpreter-v2' marker. A run of this code that
// continues as new continues under the new interpreter (its carried state is converted). Do not
// change behaviour here; delete it once no run started before 'interpreter-v2' is left.
//
// The sequence interpreter: one workflow per (customer, sequence, entry key). It wires signals and
// queries to a plain state object and walks the snapshotted definition one step at a time; each
// step kind has its own small handler in steps.ts. Side effects (time computation, rendering, SMTP,
// database) happen in activities so their results are recorded in history and replay never
// recomputes them.
import {
  condition,
  continueAsNew,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  isCancellation,
  CancellationScope,
  ContinueAsNew,
} from '@temporalio/workflow';
import type { SequenceDefinition, SequenceEvent, Step } from '../../../domain/sequence/types';
import { OutreachSequence } from '../../../domain/search-attributes';
import { searchAttributePublisher } from '../../shared/publish';
import {
  cancelSignal,
  eventSignal,
  migrateSignal,
  type MigrationRequest,
  pauseSignal,
  profileChangedSignal,
  resumeSignal,
  stateQuery,
  type EnrollmentState,
  type NextAction,
  type OpsState,
} from '../messages';
import { acts, quickActs, runStep, type Runtime } from './steps';
import { evaluate } from '../../../domain/sequence/conditions';
import { calendarMillis } from '../../../domain/sequence/durations';

export interface LegacySequenceWorkflowInput {
  definition: SequenceDefinition;
  customerId: string;
  entryKey: string;
  /** The event that started this enrollment, if any. */
  trigger?: SequenceEvent;
  /** Carried over by continueAsNew. Plain JSON only. */
  carried?: CarriedState;
  /** History length that triggers continueAsNew (default 2,000); tests set it low to exercise the hand-over. */
  historyLimit?: number;
}

export interface CarriedState {
  cursor?: string;
  state: EnrollmentState;
  visits: Record<string, number>;
  seenEvents: string[];
  profileVersion: number;
  paused: boolean;
  /** Events not yet consumed by a waitForEvent step, the last awaited event and the last survey answer. */
  inbox?: SequenceEvent[];
  lastEvent?: SequenceEvent;
  survey?: Runtime['survey'];
}

/** Events remembered for deduplication: enough for any realistic redelivery burst. */
const SEEN_EVENTS_KEPT = 200;
/** continueAsNew well before Temporal's limits; a sequence step costs roughly 10-15 events. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 2_000;

export async function legacySequenceWorkflow(input: LegacySequenceWorkflowInput): Promise<EnrollmentState> {
  // The definition snapshotted at start; replaced only by an explicit migration.
  let definition = input.definition;
  const carried = input.carried;
  const state: EnrollmentState = carried?.state ?? {
    sequenceId: definition.id,
    sequenceVersion: definition.version,
    customerId: input.customerId,
    entryKey: input.entryKey,
    startedAt: new Date().toISOString(),
    status: 'running',
    stepsDone: [],
  };
  const rt: Runtime = {
    localActivities: patched('local-activities'),
    input,
    state,
    visits: carried?.visits ?? {},
    seenEvents: carried?.seenEvents ?? (input.trigger ? [input.trigger.id] : []),
    inbox: carried?.inbox ?? [],
    profileVersion: carried?.profileVersion ?? 0,
    paused: carried?.paused ?? false,
    cancelRequested: undefined,
    exitRequested: undefined,
    lastEvent: carried ? carried.lastEvent : input.trigger,
    survey: carried?.survey,
    setNext: (next?: NextAction) => {
      state.next = next;
      publish();
    },
  };

  function opsState(): OpsState {
    if (state.status === 'paused' || rt.paused) return 'paused';
    if (state.status === 'failed') return 'failed';
    if (state.status !== 'running') return 'completed';
    return state.next?.kind === 'send' && state.next.at && Date.parse(state.next.at) <= Date.now() ? 'sending' : 'waiting';
  }

  const publishAttributes = searchAttributePublisher();
  function publish() {
    publishAttributes({ step: state.currentStep ?? '', state: opsState(), at: state.next?.at ?? '' });
  }

  setHandler(stateQuery, () => ({ ...state, status: rt.paused && state.status === 'running' ? 'paused' : state.status }));
  setHandler(eventSignal, (event) => {
    if (rt.seenEvents.includes(event.id)) return; // a redelivered event changes nothing
    rt.seenEvents.push(event.id);
    if (rt.seenEvents.length > SEEN_EVENTS_KEPT) rt.seenEvents.shift();
    if (definition.goal && event.name === definition.goal.event && !state.goalReachedAt) {
      // A goal counts only within its window from the enrollment's start, when one is set.
      const within = definition.goal.within ? calendarMillis(definition.goal.within) : Infinity;
      const started = state.startedAt ? Date.parse(state.startedAt) : Date.now();
      if (Date.now() - started <= within) state.goalReachedAt = new Date().toISOString();
    }
    if (definition.exit?.events?.includes(event.name)) {
      rt.exitRequested = `event:${event.name}`;
      return;
    }
    rt.inbox.push(event);
  });
  setHandler(profileChangedSignal, (change) => {
    if (change.version > rt.profileVersion) rt.profileVersion = change.version;
  });
  setHandler(pauseSignal, () => {
    rt.paused = true;
    publish();
  });
  setHandler(resumeSignal, () => {
    rt.paused = false;
    publish();
  });
  setHandler(cancelSignal, ({ reason }) => {
    rt.cancelRequested = reason ?? 'cancelled by operator';
  });
  let pendingMigration: MigrationRequest | undefined;
  setHandler(migrateSignal, (m) => {
    if (m.definition.id === definition.id && m.definition.version > definition.version) pendingMigration = m;
  });

  if (!carried) {
    upsertSearchAttributes([{ key: OutreachSequence, value: definition.id }] as never);
    // The API creates the enrollment row as running; older runs recorded it again here.
    if (!rt.localActivities) await acts.recordEnrollment({ workflowId: workflowInfo().workflowId, status: 'running', currentStep: definition.steps[0]?.id ?? null });
  }

  let byId = new Map<string, Step>(definition.steps.map((s) => [s.id, s]));
  let indexOf = new Map<string, number>(definition.steps.map((s, i) => [s.id, i]));
  let cursor: string | undefined = carried ? carried.cursor : definition.steps[0]?.id;

  /** Switches to a newer version at a step boundary, if one was requested and the step maps. */
  function applyMigration() {
    const m = pendingMigration;
    pendingMigration = undefined;
    if (!m || cursor === undefined) return;
    const target = m.stepMap[cursor] ?? cursor;
    if (!m.definition.steps.some((s) => s.id === target)) {
      state.stepsDone.push({ stepId: cursor, type: 'migration', iteration: 0, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), outcome: `rejected:no step "${target}" in version ${m.definition.version}` });
      return;
    }
    state.stepsDone.push({ stepId: cursor, type: 'migration', iteration: 0, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), outcome: `migrated:v${definition.version}->v${m.definition.version}:${target}` });
    definition = m.definition;
    input.definition = m.definition; // carried into continueAsNew
    state.sequenceVersion = definition.version;
    byId = new Map<string, Step>(definition.steps.map((s) => [s.id, s]));
    indexOf = new Map<string, number>(definition.steps.map((s, i) => [s.id, i]));
    cursor = target;
  }

  try {
    while (cursor !== undefined) {
      const stop = rt.cancelRequested ? 'cancelled' : rt.exitRequested ? 'exited' : undefined;
      if (stop) break;
      if (rt.paused) {
        await condition(() => !rt.paused || !!rt.cancelRequested || !!rt.exitRequested);
        continue;
      }
      applyMigration();
      // Attribute exit rules (exit.when) are checked against the fresh profile before every step.
      // patched(): workflows started before this check existed replay without the extra activity.
      if (definition.exit?.when && patched('exit-when-check')) {
        const { customer } = await quickActs(rt).loadCustomerContext({ customerId: input.customerId });
        if (evaluate(definition.exit.when, { customer })) {
          rt.exitRequested = 'condition';
          break;
        }
      }
      const step = byId.get(cursor)!;
      state.currentStep = step.id;
      if (!rt.localActivities) publish(); // newer runs publish with the step's next action (setNext)
      const outcome = await runStep(step, rt);
      if (outcome.interrupted) continue; // exit, cancel or pause arrived mid-step: re-evaluate above
      const fallthrough = definition.steps[indexOf.get(step.id)! + 1]?.id;
      cursor = step.type === 'end' ? undefined : outcome.next ?? ('next' in step && step.next ? step.next : fallthrough);
      if (outcome.holdout) {
        state.status = 'holdout';
        break;
      }
      if (workflowInfo().historyLength > (input.historyLimit ?? HISTORY_EVENTS_BEFORE_CONTINUE) || workflowInfo().continueAsNewSuggested) {
        await condition(() => true); // let pending signal handlers run before handing over state
        return await continueAsNew<typeof legacySequenceWorkflow>({
          ...input,
          trigger: undefined,
          carried: {
            cursor, state, visits: rt.visits, seenEvents: rt.seenEvents, profileVersion: rt.profileVersion, paused: rt.paused,
            inbox: rt.inbox, lastEvent: rt.lastEvent, survey: rt.survey,
          },
        });
      }
    }
  } catch (err) {
    // continueAsNew hands over by throwing: not a failure, and the enrollment goes on in the new run.
    if (err instanceof ContinueAsNew) throw err;
    if (isCancellation(err)) {
      // Cancelled through Temporal (e.g. `temporal workflow cancel`): record it, then end cleanly.
      state.status = 'cancelled';
      state.exitReason = 'workflow cancelled';
      await CancellationScope.nonCancellable(() => finish());
      return state;
    }
    state.status = 'failed';
    state.exitReason = err instanceof Error ? err.message : String(err);
    await finish();
    throw err;
  }

  if (state.status === 'running') {
    if (rt.cancelRequested) {
      state.status = 'cancelled';
      state.exitReason = rt.cancelRequested;
    } else if (rt.exitRequested) {
      state.status = 'exited';
      state.exitReason = rt.exitRequested;
    } else {
      state.status = 'completed';
    }
  }
  await finish();
  return state;

  async function finish() {
    state.next = undefined;
    publish();
    await quickActs(rt).recordEnrollment({ workflowId: workflowInfo().workflowId, status: state.status, currentStep: state.currentStep ?? null, ended: true });
  }
}
