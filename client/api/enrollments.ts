// What one event does to a customer's enrollments, exactly once. Called by the dispatcher
// (dispatch.ts) for one event at a time per customer, in acceptance order:
// 1. the customer's running enrollments whose definition listens to the event's name (exit events,
//    the goal, waitForEvent steps) get it as a signal; nothing else does, so unrelated events never
//    grow a workflow's history;
// 2. each sequence the event triggers is entered if its filter, milestone (counted in that order)
//    and entry rule allow: the Enrollment row is written first as "starting", then the workflow is
//    started by signal-with-start (a reused id is rejected, so a finished once-per-customer
//    enrollment never starts again), then the row says "running". A crash in between leaves the
//    event queued; its next dispatch finds the row and starts (or signals) the same workflow id.
// Workflow ids are deterministic per (sequence, customer, entry key), built from keyed hashes under
// the stored identity key (identity.ts): no personal data, and no change when OUTREACH_SECRET rotates.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Db } from '../../activities/db/client';
import type { Config } from '../../domain/config';
import { amountOf, decideEntry } from '../../domain/sequence/entry';
import { INBOX_CAP, listenedEvents } from '../../domain/sequence/machine';
import type { SequenceRegistry } from '../../domain/sequence/registry';
import type { SequenceEvent } from '../../domain/sequence/types';
import { opaqueId } from '../../domain/signed-links';
import { OutreachSequence, OutreachState } from '../../domain/search-attributes';
import { eventSignal } from '../../workflows/sequence/messages';
import type { sequenceWorkflow, SequenceWorkflowInput } from '../../workflows/sequence/workflow';
import { identityKey } from './identity';
import type { Dispatcher } from './dispatch';

export interface EnrollmentDeps {
  db: Db;
  temporal: Client;
  registry: SequenceRegistry;
  config: Config;
  taskQueue: string;
  /** The API process's dispatcher (absent in tools that only read). */
  dispatcher?: Dispatcher;
}

/** A workflow id from the identity key: no personal data, stable for the life of the database. */
export function workflowIdFor(key: string, sequenceId: string, customerId: string, entryKey: string): string {
  return `seq-${sequenceId}-${opaqueId(key, customerId)}-${opaqueId(key, entryKey, 12)}`;
}

/** The Enrollment.listensTo form of a list of event names: ",a,b," ("," for none). */
export function listensToColumn(names: string[]): string {
  return `,${names.join(',')}${names.length ? ',' : ''}`;
}

export interface DispatchResult {
  started: Array<{ sequenceId: string; workflowId: string; entryKey: string }>;
  signalled: number;
  /** The event's position among the customer's events of its name (milestones count it). */
  ordinal: number;
}

interface StoredEvent {
  id: string;
  idempotencyKey: string;
  customerId: string;
  name: string;
  occurredAt: Date;
  properties: string;
  ordinal: number | null;
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

const toSequenceEvent = (e: StoredEvent): SequenceEvent => ({ id: e.idempotencyKey, name: e.name, occurredAt: e.occurredAt.toISOString(), properties: parseJson(e.properties) });

/** Dispatches one stored event (see the header). Safe to call again for the same event. */
export async function dispatchStoredEvent(deps: EnrollmentDeps, stored: StoredEvent): Promise<DispatchResult> {
  const { db, temporal, registry } = deps;
  const event = toSequenceEvent(stored);
  const customerId = stored.customerId;
  // Its place among the customer's events of this name, in dispatch order (kept if it was dispatched before).
  const ordinal = stored.ordinal ?? ((await db.event.aggregate({ where: { customerId, name: stored.name, ordinal: { not: null } }, _max: { ordinal: true } }))._max.ordinal ?? 0) + 1;
  const result: DispatchResult = { started: [], signalled: 0, ordinal };

  // 1. Running enrollments that listen to this name (rows from before listensTo existed hear all).
  const listeners = await db.enrollment.findMany({
    where: { customerId, status: { in: ['running', 'paused', 'starting'] }, OR: [{ listensTo: { contains: `,${stored.name},` } }, { listensTo: '' }] },
    select: { workflowId: true },
  });
  for (const e of listeners) {
    try {
      await temporal.workflow.getHandle(e.workflowId).signal(eventSignal, event);
      result.signalled += 1;
    } catch (err) {
      // Ended without recording it (terminated by an operator): nothing listens there any more.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  // 2. Sequences this event triggers.
  const candidates = registry.triggeredBy(stored.name);
  if (candidates.length === 0) return result;
  const customer = await db.customer.findUnique({ where: { id: customerId } });
  if (!customer) return result;
  const profile = { ...parseJson(customer.attributes), locale: customer.locale, country: customer.country, formality: customer.formality };
  const key = await identityKey(db, deps.config);
  for (const def of candidates) {
    let totalBefore = 0;
    const m = def.trigger.milestone;
    if (m?.totalAtLeast) {
      const earlier = await db.event.findMany({ where: { customerId, name: stored.name, ordinal: { not: null, lt: ordinal } }, select: { properties: true } });
      totalBefore = earlier.reduce((sum, e) => sum + amountOf(parseJson(e.properties), m.totalAtLeast!.property), 0);
    }
    const last = def.entry.mode === 'reenterAfter'
      ? await db.enrollment.findFirst({ where: { customerId, sequenceId: def.id, NOT: { triggerEventId: event.id } }, orderBy: { startedAt: 'desc' }, select: { startedAt: true } })
      : null;
    const decision = decideEntry(def, event, { customer: profile, facts: { ordinal, totalBefore }, lastStartedAt: last?.startedAt.getTime() });
    if (!decision.enter) continue;
    const { entryKey } = decision;
    const listens = listenedEvents(def);
    const where = { customerId_sequenceId_entryKey: { customerId, sequenceId: def.id, entryKey } };
    // The row first ("starting"); one that exists already says this entry was made before.
    let row;
    try {
      row = await db.enrollment.create({
        data: {
          workflowId: workflowIdFor(key, def.id, customerId, entryKey), customerId, sequenceId: def.id, sequenceVersion: def.version, entryKey,
          triggerEventId: event.id, status: 'starting', listensTo: listensToColumn(listens),
        },
        select: { workflowId: true },
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err;
      row = await db.enrollment.findUniqueOrThrow({ where, select: { workflowId: true, status: true } });
      // Entered before (running or ended): entry rules say once. Still "starting": a dispatch that
      // stopped half-way; this one finishes it with the same workflow id.
      if (row.status !== 'starting') continue;
    }
    // Listened-to events that were dispatched before this one but occurred after it: an exit that
    // overtook the start still ends the enrollment, an awaited event is already in its inbox.
    const earlier = listens.length
      ? await db.event.findMany({
          where: { customerId, name: { in: listens }, dispatchedAt: { not: null }, occurredAt: { gte: stored.occurredAt }, NOT: { id: stored.id } },
          orderBy: [{ dispatchedAt: 'desc' }],
          take: INBOX_CAP,
        })
      : [];
    const args: SequenceWorkflowInput = {
      definition: def, customerId, entryKey, trigger: event,
      ...(earlier.length ? { earlier: earlier.reverse().map((e) => toSequenceEvent(e)) } : {}),
    };
    try {
      await temporal.workflow.signalWithStart<typeof sequenceWorkflow, [SequenceEvent]>('sequenceWorkflow', {
        workflowId: row.workflowId,
        taskQueue: deps.taskQueue,
        args: [args],
        signal: eventSignal,
        signalArgs: [event],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: OutreachSequence, value: def.id },
          { key: OutreachState, value: 'waiting' },
        ] as never, // typed-pair list of mixed keys
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // This id ran before and finished: entry rules say it does not start again.
      await db.enrollment.updateMany({ where: { workflowId: row.workflowId, status: 'starting' }, data: { status: 'completed', endedAt: new Date() } });
      continue;
    }
    // "running" unless the workflow already recorded how it ended.
    await db.enrollment.updateMany({ where: { workflowId: row.workflowId, status: 'starting' }, data: { status: 'running' } });
    result.started.push({ sequenceId: def.id, workflowId: row.workflowId, entryKey });
  }
  return result;
}
