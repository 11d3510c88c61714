// Event ingestion, exactly once per idempotency key. The event and its outbox entry are stored in one
// transaction before anything else happens, so an event the API accepted is never lost; dispatch to
// workflows follows, in order per customer (dispatch.ts, enrollments.ts). The reply waits for that
// dispatch for a bounded time (DISPATCH_WAIT_MS) so it can name the enrollments the event started;
// when dispatch takes longer (Temporal unreachable, say), the reply says `dispatched: false` and the
// engine finishes the dispatch by itself.
import type { Db } from '../../activities/db/client';
import { entryKeyProblem } from '../../domain/sequence/entry';
import { Dispatcher } from './dispatch';
import type { EnrollmentDeps } from './enrollments';
import { FieldErrors, validateEvent, type EventInput, type FieldError } from './schemas';

export interface IngestResult {
  id: string;
  duplicate: boolean;
  /** Workflow ids of enrollments this event started. */
  started: string[];
  /** New events only: whether dispatch finished before the reply (it always finishes; false means "still queued"). */
  dispatched?: boolean;
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}

/** The dispatcher of these deps, created (and its sweeper started) on first use. */
export function dispatcherOf(deps: EnrollmentDeps): Dispatcher {
  deps.dispatcher ??= new Dispatcher(deps).start();
  return deps.dispatcher;
}

/** Checks what only the sequences know: entry-key properties must be scalars. */
function checkAgainstSequences(deps: EnrollmentDeps, e: EventInput, fieldPrefix: string): void {
  const errors: FieldError[] = [];
  for (const def of deps.registry.triggeredBy(e.name)) {
    const problem = entryKeyProblem(def, e.properties ?? {});
    if (problem && def.entry.mode === 'oncePerKey') errors.push({ field: [fieldPrefix, 'properties', def.entry.key].filter(Boolean).join('.'), message: problem });
  }
  if (errors.length) throw new FieldErrors(errors);
}

interface Stored {
  id: string;
  customerId: string;
  /** The stored row id, or undefined for a duplicate that was dispatched already. */
  rowId?: string;
  duplicate: boolean;
}

/** Stores one validated event with its outbox entry (or finds it: a duplicate). */
async function store(deps: EnrollmentDeps, e: EventInput, fieldPrefix: string): Promise<Stored> {
  const db: Db = deps.db;
  const customer = await db.customer.findUnique({ where: { id: e.customerId }, select: { id: true } });
  if (!customer) {
    throw new FieldErrors([{ field: [fieldPrefix, 'customerId'].filter(Boolean).join('.'), message: `no customer "${e.customerId}": create it with PUT /v1/customers/:id first` }]);
  }
  checkAgainstSequences(deps, e, fieldPrefix);
  try {
    const row = await db.event.create({
      data: {
        idempotencyKey: e.id, customerId: e.customerId, name: e.name, occurredAt: new Date(e.occurredAt), properties: JSON.stringify(e.properties ?? {}),
        outbox: { create: { customerId: e.customerId } },
      },
      select: { id: true },
    });
    return { id: e.id, customerId: e.customerId, rowId: row.id, duplicate: false };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // A redelivery: acknowledged, changes nothing. If the first delivery is still queued, it is
    // dispatched from its own outbox entry.
    const existing = await db.event.findUnique({ where: { idempotencyKey: e.id }, select: { customerId: true, dispatchedAt: true } });
    if (existing && !existing.dispatchedAt) dispatcherOf(deps).kick(existing.customerId);
    return { id: e.id, customerId: e.customerId, duplicate: true };
  }
}

/** Waits (bounded) for the dispatch of the stored events; the workflow ids each one started. */
async function settle(deps: EnrollmentDeps, stored: Stored[]): Promise<Map<string, { started: string[]; dispatched: boolean }>> {
  const dispatcher = dispatcherOf(deps);
  const fresh = stored.filter((s) => s.rowId);
  for (const customerId of new Set(fresh.map((s) => s.customerId))) dispatcher.kick(customerId);
  const outcomes = await dispatcher.settle(fresh.map((s) => s.rowId!), deps.config.dispatch.waitMs);
  const out = new Map<string, { started: string[]; dispatched: boolean }>();
  for (const s of fresh) {
    const o = outcomes.get(s.rowId!);
    let started = o?.result?.started.map((x) => x.workflowId);
    if (o?.dispatched && !started) {
      // Dispatched by another process: the enrollments it started name this event as their trigger.
      started = (await deps.db.enrollment.findMany({ where: { customerId: s.customerId, triggerEventId: s.id, status: { not: 'starting' } }, select: { workflowId: true } })).map((r) => r.workflowId);
    }
    out.set(s.rowId!, { started: started ?? [], dispatched: !!o?.dispatched });
  }
  return out;
}

export async function ingestEvent(deps: EnrollmentDeps, e: EventInput, fieldPrefix = ''): Promise<IngestResult> {
  const s = await store(deps, e, fieldPrefix);
  if (s.duplicate) return { id: e.id, duplicate: true, started: [] };
  const r = (await settle(deps, [s])).get(s.rowId!)!;
  return { id: e.id, duplicate: false, started: r.started, dispatched: r.dispatched };
}

export interface BatchItemResult {
  index: number;
  id?: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  started?: string[];
  dispatched?: boolean;
  errors?: FieldError[];
}

/** Stores the valid items of a batch and says which failed; one bad item never sinks the rest. */
export async function ingestBatch(deps: EnrollmentDeps, items: unknown[]): Promise<BatchItemResult[]> {
  const out: BatchItemResult[] = [];
  const stored: Array<{ index: number; s: Stored }> = [];
  for (let i = 0; i < items.length; i++) {
    const prefix = `events.${i}`;
    try {
      const e = validateEvent(items[i], prefix);
      stored.push({ index: i, s: await store(deps, e, prefix) });
    } catch (err) {
      if (!(err instanceof FieldErrors)) throw err;
      const id = (items[i] as { id?: unknown } | null)?.id;
      out.push({ index: i, ...(typeof id === 'string' ? { id } : {}), status: 'rejected', errors: err.errors });
    }
  }
  const settled = await settle(deps, stored.map((x) => x.s));
  for (const { index, s } of stored) {
    if (s.duplicate) out.push({ index, id: s.id, status: 'duplicate', started: [] });
    else out.push({ index, id: s.id, status: 'accepted', started: settled.get(s.rowId!)!.started, dispatched: settled.get(s.rowId!)!.dispatched });
  }
  return out.sort((a, b) => a.index - b.index);
}
