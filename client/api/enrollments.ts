// Turning an event into workflow starts and signals, exactly once:
// - the event row (unique idempotency key) is written first; a redelivery is acknowledged as a
//   duplicate, and re-dispatched only if the first delivery died before dispatch finished;
// - workflow ids are deterministic per (sequence, customer, entry key) and contain no personal data;
// - starts use signal-with-start and reject a reused id, so a finished once-per-customer enrollment
//   is never started again, and two racing deliveries start one workflow;
// - workflows ignore an event id they have already seen.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Db } from '../../activities/db/client';
import type { Config } from '../../domain/config';
import { evaluate } from '../../domain/sequence/conditions';
import { calendarMillis } from '../../domain/sequence/durations';
import type { SequenceRegistry } from '../../domain/sequence/registry';
import type { SequenceDefinition, SequenceEvent } from '../../domain/sequence/types';
import { opaqueId } from '../../domain/signed-links';
import { OutreachSequence, OutreachState } from '../../domain/search-attributes';
import { eventSignal } from '../../workflows/sequence/messages';
import type { sequenceWorkflow } from '../../workflows/sequence/workflow';

export interface EnrollmentDeps {
  db: Db;
  temporal: Client;
  registry: SequenceRegistry;
  config: Config;
  taskQueue: string;
}

export function workflowIdFor(secret: string, sequenceId: string, customerId: string, entryKey: string): string {
  return `seq-${sequenceId}-${opaqueId(secret, customerId)}-${opaqueId(secret, entryKey, 12)}`;
}

export interface DispatchResult {
  started: Array<{ sequenceId: string; workflowId: string; entryKey: string }>;
  signalled: number;
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

/** The entry key of a new enrollment, or undefined when the entry rule forbids one now. */
async function entryKeyFor(deps: EnrollmentDeps, def: SequenceDefinition, customerId: string, event: SequenceEvent): Promise<string | undefined> {
  const rule = def.entry;
  if (rule.mode === 'oncePerCustomer') return 'once';
  if (rule.mode === 'oncePerKey') {
    const v = event.properties[rule.key];
    return v === undefined || v === null || v === '' ? undefined : `key:${String(v)}`;
  }
  const last = await deps.db.enrollment.findFirst({ where: { customerId, sequenceId: def.id }, orderBy: { startedAt: 'desc' } });
  if (last && Date.parse(event.occurredAt) - last.startedAt.getTime() < calendarMillis(rule.period)) return undefined;
  return `at:${event.occurredAt}`;
}

/**
 * Loyalty milestones, counted from stored events up to and including this one: the nth event of
 * the trigger's name, or the spend tier this event crosses. Undefined when it reaches no milestone.
 */
async function milestoneReached(deps: EnrollmentDeps, def: SequenceDefinition, customerId: string, event: SequenceEvent): Promise<string | undefined> {
  const m = def.trigger.milestone;
  if (!m) return 'none';
  const history = await deps.db.event.findMany({
    where: { customerId, name: def.trigger.event, occurredAt: { lte: new Date(event.occurredAt) } },
    select: { idempotencyKey: true, properties: true },
    orderBy: [{ occurredAt: 'asc' }, { receivedAt: 'asc' }],
  });
  if (m.count?.includes(history.length)) return `count:${history.length}`;
  if (m.totalAtLeast) {
    const amount = (props: Record<string, unknown>) => {
      const n = Number(props[m.totalAtLeast!.property]);
      return Number.isFinite(n) ? n : 0;
    };
    const total = history.reduce((sum, h) => sum + amount(parseJson(h.properties)), 0);
    const before = total - amount(event.properties);
    const crossed = m.totalAtLeast.amounts.filter((a) => before < a && a <= total);
    if (crossed.length) return `total:${Math.max(...crossed)}`;
  }
  return undefined;
}

export async function dispatchEvent(deps: EnrollmentDeps, customerId: string, event: SequenceEvent): Promise<DispatchResult> {
  const { db, temporal, registry, config } = deps;
  const result: DispatchResult = { started: [], signalled: 0 };

  // 1. Running enrollments hear every event of their customer (exit rules, waitForEvent, goals).
  const running = await db.enrollment.findMany({ where: { customerId, status: { in: ['running', 'paused'] } } });
  for (const e of running) {
    try {
      await temporal.workflow.getHandle(e.workflowId).signal(eventSignal, event);
      result.signalled += 1;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  // 2. Sequences this event triggers.
  const candidates = registry.triggeredBy(event.name);
  if (candidates.length === 0) return result;
  const customer = await db.customer.findUnique({ where: { id: customerId } });
  if (!customer) return result;
  const ctx = {
    event: { name: event.name, ...event.properties },
    customer: { ...parseJson(customer.attributes), locale: customer.locale, country: customer.country, formality: customer.formality },
  };
  for (const def of candidates) {
    if (!evaluate(def.trigger.where, ctx)) continue;
    const milestone = await milestoneReached(deps, def, customerId, event);
    if (!milestone) continue;
    const baseKey = await entryKeyFor(deps, def, customerId, event);
    if (!baseKey) continue;
    const entryKey = milestone === 'none' ? baseKey : `${baseKey}:milestone:${milestone}`;
    const workflowId = workflowIdFor(config.secret, def.id, customerId, entryKey);
    let isNew = true;
    try {
      await db.enrollment.create({
        data: { workflowId, customerId, sequenceId: def.id, sequenceVersion: def.version, entryKey, triggerEventId: event.id },
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err;
      // Entered before. Signal-with-start below still runs: it starts the workflow if an earlier
      // delivery died between this row and the start, and is a plain signal otherwise.
      isNew = false;
    }
    try {
      await temporal.workflow.signalWithStart<typeof sequenceWorkflow, [SequenceEvent]>('sequenceWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [{ definition: def, customerId, entryKey, trigger: event }],
        signal: eventSignal,
        signalArgs: [event],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: OutreachSequence, value: def.id },
          { key: OutreachState, value: 'waiting' },
        ] as never, // typed-pair list of mixed keys
      });
      if (isNew) result.started.push({ sequenceId: def.id, workflowId, entryKey });
    } catch (err) {
      // The enrollment ran before and finished: entry rules say it does not start again.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return result;
}
