// Event ingestion, exactly once per idempotency key. The event and its outbox entry are stored in one
// transaction before anything else happens, so an event the API accepted is never lost; dispatch to
// workflows follows, in order per customer (dispatch.ts, enrollments.ts). By default the reply comes
// as soon as the event is stored (202, `status: "queued"`), and `GET /v1/events/:id` shows the
// dispatch and the enrollments it started. A caller that wants to wait for the dispatch asks for it
// (`Prefer: wait=<seconds>`, RFC 7240, or DISPATCH_WAIT_MS for every request): the reply then names
// the enrollments the event started, or says `dispatched: false` when the wait ran out (Temporal
// unreachable, say) and the engine finishes the dispatch by itself.
import type { Db } from '../../activities/db/client';
import { entryKeyProblem } from '../../domain/sequence/entry';
import { Dispatcher } from './dispatch';
import type { EnrollmentDeps } from './enrollments';
import { FieldErrors, validateEvent, type EventInput, type FieldError } from './schemas';

export interface IngestResult {
  id: string;
  duplicate: boolean;
  /** New events only: "queued" (stored, dispatch follows) or "dispatched" (within the requested wait). */
  status?: 'queued' | 'dispatched';
  /** Workflow ids of enrollments this event started (known only when the reply waited for the dispatch). */
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
async function settle(deps: EnrollmentDeps, stored: Stored[], waitMs: number): Promise<Map<string, { started: string[]; dispatched: boolean }>> {
  const dispatcher = dispatcherOf(deps);
  const fresh = stored.filter((s) => s.rowId);
  for (const customerId of new Set(fresh.map((s) => s.customerId))) dispatcher.kick(customerId);
  // With no wait (the default), every fresh event comes back "not dispatched yet" at once.
  const outcomes = await dispatcher.settle(fresh.map((s) => s.rowId!), waitMs);
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

/** How long to wait for dispatch: the request's `Prefer: wait` if it has one, else DISPATCH_WAIT_MS. */
function waitFor(deps: EnrollmentDeps, waitMs: number | undefined): number {
  return waitMs ?? deps.config.dispatch.waitMs;
}

export async function ingestEvent(deps: EnrollmentDeps, e: EventInput, fieldPrefix = '', waitMs?: number): Promise<IngestResult> {
  const s = await store(deps, e, fieldPrefix);
  if (s.duplicate) return { id: e.id, duplicate: true, started: [] };
  const r = (await settle(deps, [s], waitFor(deps, waitMs))).get(s.rowId!)!;
  return { id: e.id, duplicate: false, status: r.dispatched ? 'dispatched' : 'queued', started: r.started, dispatched: r.dispatched };
}

export interface BatchItemResult {
  index: number;
  id?: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  /** Accepted items: whether dispatch finished within the requested wait. */
  dispatch?: 'queued' | 'dispatched';
  started?: string[];
  dispatched?: boolean;
  errors?: FieldError[];
}

/** Stores the valid items of a batch and says which failed; one bad item never sinks the rest. */
export async function ingestBatch(deps: EnrollmentDeps, items: unknown[], waitMs?: number): Promise<BatchItemResult[]> {
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
  const settled = await settle(deps, stored.map((x) => x.s), waitFor(deps, waitMs));
  for (const { index, s } of stored) {
    if (s.duplicate) out.push({ index, id: s.id, status: 'duplicate', started: [] });
    else {
      const r = settled.get(s.rowId!)!;
      out.push({ index, id: s.id, status: 'accepted', dispatch: r.dispatched ? 'dispatched' : 'queued', started: r.started, dispatched: r.dispatched });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

export interface EventStatus {
  id: string;
  customerId: string;
  name: string;
  occurredAt: string;
  receivedAt: string;
  /** "queued" (waiting for its customer's lane, or for a retry), "dispatched", or "failed" (set aside). */
  status: 'queued' | 'dispatched' | 'failed';
  dispatchedAt: string | null;
  /** Failed dispatch attempts so far (queued events), the last error and when the next attempt is due. */
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  /** Why dispatch gave up (failed events). */
  error: string | null;
  /** This event's position among its customer's events of the same name (set when dispatched). */
  ordinal: number | null;
  /** The enrollments this event started. */
  started: Array<{ workflowId: string; sequenceId: string; status: string }>;
}

/** What became of an event, by the sender's id; undefined for an unknown id. */
export async function eventStatus(deps: EnrollmentDeps, id: string): Promise<EventStatus | undefined> {
  const row = await deps.db.event.findUnique({ where: { idempotencyKey: id }, include: { outbox: true } });
  if (!row) return undefined;
  const started = row.dispatchedAt
    ? await deps.db.enrollment.findMany({
      where: { customerId: row.customerId, triggerEventId: id, status: { not: 'starting' } },
      select: { workflowId: true, sequenceId: true, status: true },
      orderBy: { startedAt: 'asc' },
    })
    : [];
  return {
    id,
    customerId: row.customerId,
    name: row.name,
    occurredAt: row.occurredAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
    status: row.dispatchedAt ? 'dispatched' : row.dispatchError ? 'failed' : 'queued',
    dispatchedAt: row.dispatchedAt?.toISOString() ?? null,
    attempts: row.outbox?.attempts ?? 0,
    lastError: row.outbox?.lastError ?? null,
    nextAttemptAt: row.outbox?.nextAttemptAt.toISOString() ?? null,
    error: row.dispatchError,
    ordinal: row.ordinal,
    started,
  };
}

/** Longest wait a request may ask for with `Prefer: wait`. */
export const MAX_PREFER_WAIT_SECONDS = 120;

/**
 * The `wait` preference of a `Prefer` header (RFC 7240), in ms: `Prefer: wait=10` waits up to 10 s
 * for the dispatch, `Prefer: respond-async` not at all; undefined when the header asks neither.
 * A malformed `wait` is an error naming the header (rather than silently not waiting).
 */
export function preferredWaitMs(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return undefined;
  let wait: number | undefined;
  for (const pref of text.split(',')) {
    const [token, ...rest] = pref.split(';')[0]!.split('=');
    const name = token!.trim().toLowerCase();
    const value = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
    if (name === 'respond-async') wait ??= 0;
    else if (name === 'wait') {
      if (!/^\d{1,6}$/.test(value)) throw new FieldErrors([{ field: 'header Prefer', message: `wait=${value.slice(0, 40)} is not a number of seconds: send e.g. "Prefer: wait=5" (at most ${MAX_PREFER_WAIT_SECONDS})` }]);
      wait = Math.min(Number(value), MAX_PREFER_WAIT_SECONDS) * 1000;
    }
  }
  return wait;
}
