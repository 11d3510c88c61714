// Event ingestion, exactly once per idempotency key (see enrollments.ts for the workflow side).
import type { Db } from '../../activities/db/client';
import type { SequenceEvent } from '../../domain/sequence/types';
import { dispatchEvent, type EnrollmentDeps } from './enrollments';
import { FieldErrors, validateEvent, type EventInput, type FieldError } from './schemas';

export interface IngestResult {
  id: string;
  duplicate: boolean;
  /** Workflow ids of enrollments this event started. */
  started: string[];
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'P2002';
}

export async function ingestEvent(deps: EnrollmentDeps, e: EventInput, fieldPrefix = ''): Promise<IngestResult> {
  const db: Db = deps.db;
  const customer = await db.customer.findUnique({ where: { id: e.customerId }, select: { id: true } });
  if (!customer) {
    throw new FieldErrors([{ field: [fieldPrefix, 'customerId'].filter(Boolean).join('.'), message: `no customer "${e.customerId}": create it with PUT /v1/customers/:id first` }]);
  }
  const occurredAt = new Date(e.occurredAt);
  let stored;
  let duplicate = false;
  try {
    stored = await db.event.create({
      data: { idempotencyKey: e.id, customerId: e.customerId, name: e.name, occurredAt, properties: JSON.stringify(e.properties ?? {}) },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    duplicate = true;
    stored = await db.event.findUnique({ where: { idempotencyKey: e.id } });
    // Already dispatched: nothing more to do. Not yet dispatched means the first delivery died
    // before finishing (or is finishing right now): dispatching again is safe, because starts are
    // deduplicated by workflow id and workflows ignore event ids they have seen.
    if (!stored || stored.dispatchedAt) return { id: e.id, duplicate, started: [] };
  }
  const event: SequenceEvent = { id: e.id, name: stored.name, occurredAt: stored.occurredAt.toISOString(), properties: JSON.parse(stored.properties) };
  const res = await dispatchEvent(deps, stored.customerId, event);
  await db.event.update({ where: { id: stored.id }, data: { dispatchedAt: new Date() } });
  return { id: e.id, duplicate, started: res.started.map((s) => s.workflowId) };
}

export interface BatchItemResult {
  index: number;
  id?: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  started?: string[];
  errors?: FieldError[];
}

/** Stores the valid items of a batch and says which failed; one bad item never sinks the rest. */
export async function ingestBatch(deps: EnrollmentDeps, items: unknown[]): Promise<BatchItemResult[]> {
  const out: BatchItemResult[] = [];
  for (let i = 0; i < items.length; i++) {
    const prefix = `events.${i}`;
    try {
      const e = validateEvent(items[i], prefix);
      const r = await ingestEvent(deps, e, prefix);
      out.push({ index: i, id: e.id, status: r.duplicate ? 'duplicate' : 'accepted', started: r.started });
    } catch (err) {
      if (!(err instanceof FieldErrors)) throw err;
      const id = (items[i] as { id?: unknown } | null)?.id;
      out.push({ index: i, ...(typeof id === 'string' ? { id } : {}), status: 'rejected', errors: err.errors });
    }
  }
  return out;
}
