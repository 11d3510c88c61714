// Ordered, durable dispatch of accepted events to workflows.
//
// Accepting an event writes the Event row and its EventOutbox row in one transaction: once the API
// has answered, the event cannot be lost. Dispatching it (signals to the enrollments that listen to
// its name, signal-with-start of the sequences it triggers) happens here, per customer, in the order
// the events were accepted:
//   - one *lane* per customer at a time, across every API process: the process that holds the
//     customer's DispatchLease dispatches the customer's queued events one after another, oldest
//     first, and renews the lease as it goes; a process that dies leaves a lease that expires and is
//     taken over;
//   - so an exit event can never overtake the start of the enrollment it should end, and loyalty
//     milestones are counted in that order (the 5th and the 10th of ten concurrent purchases);
//   - a dispatch that fails (Temporal unreachable, say) stays queued and is retried with backoff by
//     the sweeper, which also picks up what a dead process left behind; the sender never has to
//     post the event again. An event that keeps failing for another reason is set aside after
//     MAX_ATTEMPTS (Event.dispatchError) so it cannot block its customer's later events for ever.
// Why a database outbox and not a per-customer workflow: it costs one signal-with-start per affected
// enrollment (as a bare Temporal client would), not a workflow task per event on top, and no
// per-customer history that grows with every event. See docs/dispatch.md.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db } from '../../activities/db/client';
import { dispatchStoredEvent, type EnrollmentDeps, type DispatchResult } from './enrollments';

/** How long a lease lasts without renewal. */
export const LEASE_MS = 30_000;
/** How often the sweeper looks for queued events nobody is dispatching. */
export const SWEEP_MS = 1_000;
/** Attempts before an event that fails for a reason other than connectivity is set aside. */
export const MAX_ATTEMPTS = 20;
/** Lanes (customers) dispatched at the same time by one process. */
const MAX_LANES = 32;
/** Queued events read at a time by a lane. */
const PAGE = 20;

/**
 * Lets the event loop take in I/O between dispatch steps. SQLite statements run synchronously on the
 * API's thread, so 32 lanes' statements would otherwise run back to back while a request that only
 * has to store its event waits behind them; yielding keeps the accept path's latency that of an insert.
 */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface DispatchOutcome {
  eventId: string;
  dispatched: boolean;
  result?: DispatchResult;
}

/** Errors that say Temporal or the database is unreachable right now: retried for ever, never set aside. */
export function isConnectivityError(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; message?: string; cause?: { code?: unknown; message?: string } } | undefined;
  const grpc = typeof e?.code === 'number' ? e.code : typeof e?.cause?.code === 'number' ? e.cause.code : undefined;
  // gRPC: 4 DEADLINE_EXCEEDED, 8 RESOURCE_EXHAUSTED, 14 UNAVAILABLE.
  if (grpc === 4 || grpc === 8 || grpc === 14) return true;
  const text = `${e?.message ?? ''} ${e?.cause?.message ?? ''}`;
  return /UNAVAILABLE|DEADLINE_EXCEEDED|ECONNREFUSED|ECONNRESET|ETIMEDOUT|connection|connect|Can't reach database|P1001|P1017|shut down/i.test(text);
}

/** Backoff after `attempts` failed attempts: 0.5 s doubling, at most 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(500 * 2 ** Math.max(0, attempts - 1), 5 * 60_000);
}

export class Dispatcher {
  readonly holder = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly waiting: string[] = [];
  private readonly waiters = new Map<string, Array<(o: DispatchOutcome) => void>>();
  private readonly results = new Map<string, DispatchResult>();
  private sweeper?: NodeJS.Timeout;
  /** The sweep in progress: `stop` waits for it, so nothing queries a database being closed. */
  private sweeping?: Promise<void>;
  private stopped = false;

  constructor(private readonly deps: EnrollmentDeps) {}

  private get db(): Db {
    return this.deps.db;
  }

  /** Starts the sweeper (queued events nobody is dispatching, retries after backoff). */
  start(): this {
    if (!this.sweeper) {
      this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
      this.sweeper.unref();
      void this.sweep();
    }
    return this;
  }

  /** Stops taking new work and waits for the lanes in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.waiting.length = 0;
    await Promise.allSettled([...this.lanes.values(), this.sweeping]);
  }

  /** Dispatches the customer's queued events (now, or after the lane that is running). */
  kick(customerId: string): void {
    if (this.stopped) return;
    if (this.lanes.has(customerId)) {
      this.again.add(customerId);
      return;
    }
    if (this.lanes.size >= MAX_LANES) {
      if (!this.waiting.includes(customerId)) this.waiting.push(customerId);
      return;
    }
    const lane = this.lane(customerId)
      .catch((err) => {
        // A database error outside an event's dispatch: the sweeper tries again.
        if (!this.stopped) console.error(`dispatch lane for a customer failed: ${(err as Error).message}`);
      })
      .finally(() => {
        this.lanes.delete(customerId);
        if (this.again.delete(customerId)) this.kick(customerId);
        const next = this.waiting.shift();
        if (next !== undefined) this.kick(next);
      });
    this.lanes.set(customerId, lane);
  }

  /**
   * Waits until each event is dispatched (or set aside), at most `timeoutMs`. Events dispatched by
   * another process are seen in the database.
   */
  async settle(eventIds: string[], timeoutMs: number): Promise<Map<string, DispatchOutcome>> {
    const out = new Map<string, DispatchOutcome>();
    const open = new Set(eventIds);
    let wake: (() => void) | undefined;
    const done = (o: DispatchOutcome) => {
      if (!open.delete(o.eventId)) return;
      out.set(o.eventId, o);
      if (open.size === 0) wake?.();
    };
    const subs: Array<[string, (o: DispatchOutcome) => void]> = [];
    for (const id of eventIds) {
      const fn = (o: DispatchOutcome) => done(o);
      subs.push([id, fn]);
      const list = this.waiters.get(id) ?? [];
      list.push(fn);
      this.waiters.set(id, list);
    }
    const deadline = Date.now() + timeoutMs;
    try {
      let pollEvery = 25;
      while (open.size && Date.now() < deadline) {
        // Woken at once when this process dispatches the last of them; the database is polled for
        // events another process dispatches.
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.min(pollEvery, Math.max(1, deadline - Date.now())));
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
        wake = undefined;
        pollEvery = Math.min(pollEvery * 2, 200);
        if (!open.size) break;
        const rows = await this.db.event.findMany({ where: { id: { in: [...open] }, OR: [{ dispatchedAt: { not: null } }, { dispatchError: { not: null } }] }, select: { id: true, dispatchedAt: true } });
        for (const r of rows) done({ eventId: r.id, dispatched: !!r.dispatchedAt, result: this.results.get(r.id) });
      }
    } finally {
      for (const [id, fn] of subs) {
        const list = (this.waiters.get(id) ?? []).filter((f) => f !== fn);
        if (list.length) this.waiters.set(id, list);
        else this.waiters.delete(id);
      }
    }
    for (const id of open) out.set(id, { eventId: id, dispatched: false });
    return out;
  }

  private notify(o: DispatchOutcome) {
    if (o.result) {
      this.results.set(o.eventId, o.result);
      // Kept briefly for waiters that poll; bounded.
      if (this.results.size > 10_000) this.results.delete(this.results.keys().next().value!);
    }
    for (const fn of this.waiters.get(o.eventId) ?? []) fn(o);
  }

  private async acquire(customerId: string): Promise<boolean> {
    const now = Date.now();
    const until = new Date(now + LEASE_MS);
    try {
      await this.db.dispatchLease.create({ data: { customerId, holder: this.holder, until } });
      this.leasedAt.set(customerId, now);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err;
    }
    // Held: take it over only if it expired (or is ours). One UPDATE, so two processes cannot both win.
    const r = await this.db.dispatchLease.updateMany({
      where: { customerId, OR: [{ until: { lt: new Date() } }, { holder: this.holder }] },
      data: { holder: this.holder, until },
    });
    if (r.count === 1) this.leasedAt.set(customerId, now);
    return r.count === 1;
  }

  /** When this process last set each lease it holds (a fresh lease needs no renewal yet). */
  private readonly leasedAt = new Map<string, number>();

  private async renew(customerId: string): Promise<boolean> {
    const at = this.leasedAt.get(customerId);
    // Well inside its term: still ours (nobody takes over a lease before it expires).
    if (at !== undefined && Date.now() - at < LEASE_MS / 3) return true;
    const now = Date.now();
    const r = await this.db.dispatchLease.updateMany({ where: { customerId, holder: this.holder }, data: { until: new Date(now + LEASE_MS) } });
    if (r.count === 1) this.leasedAt.set(customerId, now);
    else this.leasedAt.delete(customerId);
    return r.count === 1;
  }

  private async release(customerId: string): Promise<void> {
    this.leasedAt.delete(customerId);
    await this.db.dispatchLease.deleteMany({ where: { customerId, holder: this.holder } });
  }

  /** Dispatches the customer's queued events in order while this process holds their lease. */
  private async lane(customerId: string): Promise<void> {
    for (let round = 0; round < 1_000 && !this.stopped; round++) {
      await yieldToIo();
      if (!(await this.acquire(customerId))) return; // another process dispatches this customer
      let more = false;
      try {
        more = await this.drain(customerId);
      } finally {
        await this.release(customerId);
      }
      // An event accepted (by any process) between the last look and the release is ours to send.
      if (!more) {
        const queued = await this.db.eventOutbox.findFirst({ where: { customerId, nextAttemptAt: { lte: new Date() } }, select: { seq: true } });
        if (!queued) return;
      }
    }
  }

  /** Dispatches due events in order; false when the queue is empty or waits for a backoff. */
  private async drain(customerId: string): Promise<boolean> {
    for (;;) {
      if (this.stopped) return false;
      const rows = await this.db.eventOutbox.findMany({ where: { customerId }, orderBy: { seq: 'asc' }, take: PAGE, include: { event: true } });
      if (rows.length === 0) return false;
      for (const row of rows) {
        // Order is the promise: a later event never goes before an earlier one that waits for a retry.
        if (row.nextAttemptAt.getTime() > Date.now()) return false;
        if (!(await this.renew(customerId))) return false;
        await yieldToIo();
        try {
          const result = await dispatchStoredEvent(this.deps, row.event);
          await yieldToIo();
          await this.db.$transaction([
            this.db.event.update({ where: { id: row.eventId }, data: { dispatchedAt: new Date(), ordinal: result.ordinal, dispatchError: null } }),
            this.db.eventOutbox.deleteMany({ where: { seq: row.seq } }),
          ]);
          this.notify({ eventId: row.eventId, dispatched: true, result });
        } catch (err) {
          const attempts = row.attempts + 1;
          const message = ((err as Error)?.message ?? String(err)).split('\n')[0]!.slice(0, 500);
          if (attempts >= MAX_ATTEMPTS && !isConnectivityError(err)) {
            // Set aside: it cannot be dispatched, and must not hold back the customer's later events.
            await this.db.$transaction([
              this.db.event.update({ where: { id: row.eventId }, data: { dispatchError: message } }),
              this.db.eventOutbox.deleteMany({ where: { seq: row.seq } }),
            ]);
            console.error(`event ${row.event.idempotencyKey} set aside after ${attempts} failed dispatch attempts: ${message}`);
            this.notify({ eventId: row.eventId, dispatched: false });
            continue;
          }
          await this.db.eventOutbox.updateMany({
            where: { seq: row.seq },
            data: { attempts, lastError: message, nextAttemptAt: new Date(Date.now() + backoffMs(attempts)) },
          });
          return false;
        }
      }
      // A short page was all there was; what arrived meanwhile the lane finds after its release.
      if (rows.length < PAGE) return false;
    }
  }

  /** Kicks the customers whose queued events are due and not being dispatched here. */
  private sweep(): Promise<void> {
    if (this.sweeping || this.stopped) return this.sweeping ?? Promise.resolve();
    this.sweeping = this.sweepOnce().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    try {
      // The 200 customers with the oldest due events. A GROUP BY with its LIMIT in SQL: `distinct`
      // would be applied in memory after reading every due row, the whole backlog after an outage.
      const due = await this.db.eventOutbox.groupBy({
        by: ['customerId'],
        where: { nextAttemptAt: { lte: new Date() } },
        _min: { seq: true },
        orderBy: { _min: { seq: 'asc' } },
        take: 200,
      });
      for (const { customerId } of due) if (!this.lanes.has(customerId)) this.kick(customerId);
    } catch {
      // The database is unreachable right now: the next sweep tries again.
    }
  }
}
