// Periodic check-ins: one long-running workflow per customer (id "checkin-<keyed hash>", no personal
// data) that sends the localized periodic-checkin email every cadence (CHECKIN_CADENCE_DAYS, or the
// customer's plan or segment rule) inside the customer's business hours. One run is one cycle:
//
//   wait until due -> (hold while paused) -> decide (activity: cadence, consent, recent contact)
//     -> send in business hours, or skip -> continueAsNew with the next due time
//
// so a year of check-ins is a chain of small histories carrying only plain JSON. It answers the
// sequence workflow's signals and queries: `event` (a stop event such as churned or unsubscribed
// ends it), `profileChanged` (a send slot being waited for is recomputed), `pause`/`resume` (the
// clock keeps running; a check-in due while paused goes out after the resume), `cancel`, `state`.
import {
  ActivityFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CheckinPlan } from '../../activities/checkins';
import { OutreachSequence } from '../../domain/search-attributes';
import {
  cancelSignal,
  cancelUpdate,
  eventSignal,
  pauseSignal,
  pauseUpdate,
  profileChangedSignal,
  resumeSignal,
  resumeUpdate,
  stateQuery,
  type EnrollmentState,
  type NextAction,
  type OpsReply,
  type OpsState,
} from '../sequence/messages';
import {
  CHECKIN_ENTRY_KEY,
  CHECKIN_HISTORY_KEPT,
  CHECKIN_SEQUENCE_ID,
  checkinStartJitterMs,
  checkinStateQuery,
  type CheckinCarried,
  type CheckinInput,
} from './messages';

import { acts } from '../shared/activities';
import { searchAttributePublisher } from '../shared/publish';

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function sleepUntil(at: number, until: () => boolean): Promise<boolean> {
  const remaining = at - Date.now();
  if (remaining <= 0) return until();
  return condition(until, remaining);
}

export async function checkinWorkflow(input: CheckinInput): Promise<EnrollmentState> {
  const { workflowId } = workflowInfo();
  const { customerId } = input;
  const c: CheckinCarried = input.carried
    ? { ...input.carried, history: [...input.carried.history] }
    : { startedAt: new Date().toISOString(), cycle: 0, nextAt: '', paused: false, profileVersion: 0, sent: 0, skipped: 0, history: [] };
  let exitRequested: string | undefined;
  let cancelRequested: string | undefined;
  const stopped = () => !!exitRequested || !!cancelRequested;
  const state: EnrollmentState = {
    sequenceId: CHECKIN_SEQUENCE_ID, sequenceVersion: 1, customerId, entryKey: CHECKIN_ENTRY_KEY, startedAt: c.startedAt,
    status: 'running', currentStep: 'wait', stepsDone: c.history,
  };

  function opsState(): OpsState {
    if (state.status === 'running' && c.paused) return 'paused';
    if (state.status === 'failed') return 'failed';
    if (state.status !== 'running') return 'completed';
    return state.currentStep === 'checkin' ? 'sending' : 'waiting';
  }
  const publishAttributes = searchAttributePublisher();
  function publish() {
    publishAttributes({ step: state.status === 'running' ? state.currentStep ?? '' : '', state: opsState(), at: state.next?.at ?? '' });
  }
  function setNext(next?: NextAction) {
    state.next = next;
    publish();
  }

  setHandler(eventSignal, (event) => {
    if (input.stopEvents.includes(event.name)) exitRequested ??= `event:${event.name}`;
  });
  setHandler(profileChangedSignal, (change) => {
    if (change.version > c.profileVersion) c.profileVersion = change.version;
  });
  setHandler(pauseSignal, () => {
    c.paused = true;
    publish();
  });
  setHandler(resumeSignal, () => {
    c.paused = false;
    publish();
  });
  setHandler(cancelSignal, ({ reason }) => {
    cancelRequested ??= reason ?? 'cancelled by operator';
  });
  // Ops actions as Updates (see workflows/sequence/messages.ts): refused when they do not apply.
  const reply = (status: string): OpsReply => ({ workflowId, status, step: state.currentStep });
  const ending = () => state.status !== 'running' || stopped();
  setHandler(pauseUpdate, () => {
    c.paused = true;
    publish();
    return reply('paused');
  }, { validator: () => {
    if (ending()) throw new Error(`the check-ins have ended or are ending (${state.status})`);
    if (c.paused) throw new Error('the check-ins are already paused');
  } });
  setHandler(resumeUpdate, () => {
    c.paused = false;
    publish();
    return reply('running');
  }, { validator: () => {
    if (ending()) throw new Error(`the check-ins have ended or are ending (${state.status})`);
    if (!c.paused) throw new Error('the check-ins are not paused');
  } });
  setHandler(cancelUpdate, ({ reason }) => {
    cancelRequested ??= reason ?? 'cancelled by operator';
    return reply('cancelled');
  }, { validator: (_: { reason?: string }) => {
    if (ending()) throw new Error(`the check-ins have ended or are ending (${state.status})`);
  } });
  setHandler(stateQuery, () => ({ ...state, status: c.paused && state.status === 'running' ? 'paused' : state.status }));
  setHandler(checkinStateQuery, () => ({
    customerId, cycle: c.cycle, nextAt: state.status === 'running' ? c.nextAt : undefined, sent: c.sent, skipped: c.skipped, history: c.history,
    status: state.status === 'running' ? (c.paused ? 'paused' : 'running') : state.status === 'cancelled' ? 'cancelled' : 'exited',
    ...(state.exitReason ? { exitReason: state.exitReason } : {}),
  }));

  async function finish(): Promise<EnrollmentState> {
    if (state.status === 'running') {
      state.status = cancelRequested ? 'cancelled' : 'exited';
      state.exitReason = cancelRequested ?? exitRequested;
    }
    state.next = undefined;
    publish();
    await acts.recordEnrollment({ workflowId, status: state.status, currentStep: state.currentStep ?? null, ended: true });
    return state;
  }

  /** Waits for the business-hours slot (recomputed on profile changes) and sends; undefined when stopped. */
  async function send(plan: CheckinPlan): Promise<{ outcome: string; messageId?: string } | undefined> {
    // patched: the profile version is read before the slot is computed, so a move that arrives
    // during the computation is not missed (runs from before replay the old reading).
    const versionFirst = patched('slot-version-first');
    let after = Date.now();
    for (;;) {
      const schedule = async () => {
        const t = await acts.nextSendTime({ customerId, after: iso(Math.max(after, Date.now())) });
        setNext({ stepId: 'checkin', kind: 'send', at: t.utc, local: t.local, zone: t.zone });
        return Date.parse(t.utc);
      };
      let asked = c.profileVersion;
      let target = await schedule();
      for (;;) {
        const version = versionFirst ? asked : c.profileVersion;
        const woke = await sleepUntil(target, () => stopped() || c.profileVersion !== version);
        if (stopped()) return undefined;
        if (!woke) break;
        asked = c.profileVersion;
        target = await schedule();
      }
      if (c.paused) {
        await condition(() => !c.paused || stopped());
        if (stopped()) return undefined;
        after = Date.now();
        continue;
      }
      state.currentStep = 'checkin';
      publish();
      try {
        const r = await acts.sendStepEmail({
          // A restart is a new generation with ledger keys of its own (the first keeps "checkin").
          workflowId, sequenceId: CHECKIN_SEQUENCE_ID, stepId: input.generation ? `checkin-g${input.generation}` : 'checkin', iteration: c.cycle, customerId,
          template: plan.template, category: 'marketing',
        });
        if (r.status === 'deferred' && r.retryAt) {
          // A frequency cap: try again at the next allowed slot instead of dropping the check-in.
          after = Date.parse(r.retryAt);
          state.currentStep = 'wait';
          continue;
        }
        return { outcome: r.status, messageId: r.messageId };
      } catch (err) {
        // A template or calendar error fails this cycle (visible in history), not the check-ins.
        if (!(err instanceof ActivityFailure)) throw err;
        return { outcome: `failed:${(err.cause?.message ?? err.message).slice(0, 200)}` };
      }
    }
  }

  try {
    if (!input.carried) {
      upsertSearchAttributes([{ key: OutreachSequence, value: CHECKIN_SEQUENCE_ID }] as never);
      await acts.recordEnrollment({ workflowId, status: 'running', currentStep: 'wait' });
      const first = await acts.planCheckin({ customerId, workflowId, at: new Date().toISOString() });
      if (first.action === 'stop') {
        exitRequested ??= first.reason;
        return await finish();
      }
      // patched: runs started before the jitter replay their unjittered first due time.
      const jitter = patched('checkin-start-jitter') ? checkinStartJitterMs(workflowId, first.cadenceDays) : 0;
      c.nextAt = iso(Date.now() + first.cadenceDays * DAY_MS + jitter);
    }

    state.currentStep = 'wait';
    setNext({ stepId: 'checkin', kind: 'wait', at: c.nextAt });
    await sleepUntil(Date.parse(c.nextAt), stopped);
    if (!stopped() && c.paused) await condition(() => !c.paused || stopped());
    if (stopped()) return await finish();

    const startedAt = new Date().toISOString();
    const decidedAt = Date.now();
    const plan = await acts.planCheckin({ customerId, workflowId, at: startedAt });
    if (plan.action === 'stop') {
      exitRequested ??= plan.reason;
      return await finish();
    }
    let outcome: string;
    let messageId: string | undefined;
    if (plan.action === 'skip') {
      outcome = `skipped:${plan.reason}`;
      c.skipped += 1;
    } else {
      const r = await send(plan);
      if (!r) return await finish();
      ({ outcome, messageId } = r);
      if (outcome === 'sent' || outcome === 'already-sent') c.sent += 1;
    }
    c.history.push({
      stepId: 'checkin', type: 'checkin', iteration: c.cycle, startedAt, finishedAt: new Date().toISOString(), outcome,
      ...(messageId ? { messageId } : {}),
    });
    if (c.history.length > CHECKIN_HISTORY_KEPT) c.history.splice(0, c.history.length - CHECKIN_HISTORY_KEPT);
    c.cycle += 1;
    c.nextAt = iso(decidedAt + plan.cadenceDays * DAY_MS);
    if (stopped()) return await finish();
  } catch (err) {
    if (isCancellation(err)) {
      // Cancelled through Temporal (e.g. `temporal workflow cancel`): record it, then end cleanly.
      cancelRequested ??= 'workflow cancelled';
      return await CancellationScope.nonCancellable(() => finish());
    }
    state.status = 'failed';
    state.exitReason = err instanceof Error ? err.message : String(err);
    await finish();
    throw err;
  }
  // Outside the try: continueAsNew ends this run by throwing, which is not a failure.
  return await continueAsNew<typeof checkinWorkflow>({ customerId, stopEvents: input.stopEvents, carried: c, ...(input.generation ? { generation: input.generation } : {}) });
}
