// Starting and stopping a customer's periodic check-ins (workflows/checkin). The workflow id is
// "checkin-<keyed hash of the customer id>" under the identity key (identity.ts; no personal data,
// unchanged when OUTREACH_SECRET rotates); the run is recorded in the
// Enrollment table as sequence "checkin", entry key "checkin", so the API's event dispatch signals
// it (stop events such as churned or unsubscribed), profile changes reach it, and it is listed and
// erased with the customer's other enrollments.
//
// Started by `outreach checkins start --customer <id>`, or automatically on the first profile save
// with marketing consent when CHECKIN_AUTO_START=true (client/api/customers.ts). A restart after the
// check-ins ended is a new generation (Enrollment.generation) with send-ledger keys of its own.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Db } from '../../activities/db/client';
import type { Config } from '../../domain/config';
import { opaqueId } from '../../domain/signed-links';
import { OutreachSequence, OutreachState } from '../../domain/search-attributes';
import { cancelSignal } from '../../workflows/sequence/messages';
import { CHECKIN_ENTRY_KEY, CHECKIN_SEQUENCE_ID, type CheckinInput } from '../../workflows/checkin/messages';
import type { checkinWorkflow } from '../../workflows/checkin/workflow';
import { identityKey } from './identity';
import { listensToColumn } from './enrollments';

export interface CheckinDeps {
  db: Db;
  temporal: Client;
  config: Config;
  /** The worker's task queue (default: TEMPORAL_TASK_QUEUE). */
  taskQueue?: string;
}

export function checkinWorkflowId(key: string, customerId: string): string {
  return `checkin-${opaqueId(key, customerId)}`;
}

export type CheckinStartResult =
  | { started: true; workflowId: string }
  | { started: false; workflowId: string; reason: 'running' | 'stopped' | 'no-customer' };

/**
 * Starts the customer's check-ins. A running one is left alone (`running`); one that ended (churn,
 * unsubscribe, cancel) starts again only with `restart`, otherwise `stopped`.
 */
export async function startCheckin(deps: CheckinDeps, customerId: string, opts: { restart?: boolean } = {}): Promise<CheckinStartResult> {
  const { db, temporal, config } = deps;
  const where = { customerId_sequenceId_entryKey: { customerId, sequenceId: CHECKIN_SEQUENCE_ID, entryKey: CHECKIN_ENTRY_KEY } };
  const existing = await db.enrollment.findUnique({ where });
  const workflowId = existing?.workflowId ?? checkinWorkflowId(await identityKey(db, config), customerId);
  const customer = await db.customer.findUnique({ where: { id: customerId }, select: { id: true } });
  if (!customer) return { started: false, workflowId, reason: 'no-customer' };
  const ended = !!existing && existing.status !== 'running' && existing.status !== 'paused' && existing.status !== 'starting';
  if (ended && !opts.restart) return { started: false, workflowId, reason: 'stopped' };
  const generation = existing ? existing.generation + (ended ? 1 : 0) : 0;
  const listensTo = listensToColumn(config.checkins.stopEvents);
  if (!existing) {
    try {
      await db.enrollment.create({ data: { workflowId, customerId, sequenceId: CHECKIN_SEQUENCE_ID, sequenceVersion: 1, entryKey: CHECKIN_ENTRY_KEY, status: 'starting', listensTo } });
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err; // a concurrent start wrote it first
    }
  } else if (ended) {
    await db.enrollment.update({ where, data: { status: 'starting', endedAt: null, currentStep: null, startedAt: new Date(), generation, listensTo } });
  }
  const input: CheckinInput = { customerId, stopEvents: config.checkins.stopEvents, ...(generation ? { generation } : {}) };
  const start = () => temporal.workflow.start<typeof checkinWorkflow>('checkinWorkflow', {
    workflowId,
    taskQueue: deps.taskQueue ?? config.temporal.taskQueue,
    args: [input],
    // A closed run may be followed by a new one (restart); a running one is never duplicated.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: [
      { key: OutreachSequence, value: CHECKIN_SEQUENCE_ID },
      { key: OutreachState, value: 'waiting' },
    ] as never, // typed-pair list of mixed keys
  });
  try {
    try {
      await start();
    } catch (err) {
      // A stopped run records its end (the row above said "cancelled") one workflow task before it
      // completes: a restart in between finds it still running. Wait for it to close, then start.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || !ended || !(await closes(temporal, workflowId, RESTART_WAIT_MS))) throw err;
      await start();
    }
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      await db.enrollment.updateMany({ where: { workflowId, status: 'starting' }, data: { status: 'running' } });
      return { started: false, workflowId, reason: 'running' };
    }
    throw err;
  }
  await db.enrollment.updateMany({ where: { workflowId, status: 'starting' }, data: { status: 'running' } });
  return { started: true, workflowId };
}

/** How long a restart waits for a stopped run that has recorded its end to close. */
const RESTART_WAIT_MS = 30_000;

/** True once the workflow's latest run is closed (polled), false if it still runs after `timeoutMs`. */
async function closes(temporal: CheckinDeps['temporal'], workflowId: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await temporal.workflow.getHandle(workflowId).describe();
    if (status.name !== 'RUNNING') return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The automatic start on a profile save (CHECKIN_AUTO_START): only the first time, never a restart. */
export async function autoStartCheckin(deps: CheckinDeps, customerId: string): Promise<void> {
  const existing = await deps.db.enrollment.findUnique({
    where: { customerId_sequenceId_entryKey: { customerId, sequenceId: CHECKIN_SEQUENCE_ID, entryKey: CHECKIN_ENTRY_KEY } },
    select: { id: true },
  });
  if (!existing) await startCheckin(deps, customerId);
}

/** Ends the customer's check-ins (the workflow records the end); false when none is running. */
export async function stopCheckin(deps: CheckinDeps, customerId: string, reason = 'stopped by operator'): Promise<boolean> {
  const row = await deps.db.enrollment.findUnique({
    where: { customerId_sequenceId_entryKey: { customerId, sequenceId: CHECKIN_SEQUENCE_ID, entryKey: CHECKIN_ENTRY_KEY } },
    select: { workflowId: true },
  });
  const workflowId = row?.workflowId ?? checkinWorkflowId(await identityKey(deps.db, deps.config), customerId);
  try {
    await deps.temporal.workflow.getHandle(workflowId).signal(cancelSignal, { reason });
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
