// Prisma's better-sqlite3 adapter (7.x) gives a process one SQLite connection, and two things go wrong
// on it once another process (the worker, a second API) writes to the same file:
//   1. Transactions begin DEFERRED. A transaction that reads before it writes holds a read snapshot;
//      when another process has written meanwhile, its first write fails at once with
//      SQLITE_BUSY_SNAPSHOT (busy_timeout cannot help), reported as "Operation has timed out".
//   2. Queries issued outside a transaction run on the same connection while another caller's
//      transaction is open, so they become part of it: their reads make (1) likely, and a write
//      acknowledged to its caller disappears if that transaction then rolls back or fails to commit
//      (prisma/orm#29933 describes the adapter's side of it).
// This wraps the adapter so that every transaction begins IMMEDIATE (it takes the write lock up
// front, waiting through busy_timeout, so nothing after it can be refused), and so that nothing else
// runs on the connection while a transaction is open: statements outside transactions wait for it
// to end, and transactions take turns. better-sqlite3 runs each statement synchronously, so turns
// cost no throughput; they only order the work. A connection left inside a transaction by a failed
// COMMIT is rolled back before the next caller gets it (that caller's work was never acknowledged).
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';

type Adapter = Awaited<ReturnType<PrismaBetterSqlite3['connect']>>;
type Tx = Awaited<ReturnType<Adapter['startTransaction']>>;
interface Statement {
  readonly reader: boolean;
  run(...args: unknown[]): unknown;
  all(...args: unknown[]): unknown[];
  raw(on?: boolean): Statement;
  columns(): unknown[];
}
interface Connection {
  prepare(sql: string): Statement;
  inTransaction: boolean;
}

/** Distinct SQL texts whose prepared statements are kept (Prisma sends a few hundred at most). */
const STATEMENT_CACHE = 1_000;

/**
 * The adapter prepares every statement anew for every query (a ninth of the API's CPU while it
 * ingests events). better-sqlite3 statements can be reused, but `bind()` fixes a statement's
 * parameters for good, so the adapter's `prepare(sql).bind(args)` gets a view of the cached
 * statement that passes `args` to each call instead. Statements run synchronously, one at a time
 * on this connection, so a cached statement is never used by two callers at once.
 */
function cachingPrepare(prepare: (sql: string) => Statement): (sql: string) => unknown {
  const cache = new Map<string, Statement>();
  return (sql: string) => {
    let st = cache.get(sql);
    if (st) {
      cache.delete(sql); // most recently used last
    } else {
      st = prepare(sql);
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, st);
    const stmt = st;
    return {
      get reader() { return stmt.reader; },
      run: (...args: unknown[]) => stmt.run(...args),
      bind: (args: unknown[]) => ({
        get reader() { return stmt.reader; },
        run: () => stmt.run(args),
        columns: () => stmt.columns(),
        raw: () => ({ all: () => stmt.raw(true).all(args) }),
      }),
    };
  };
}

/** How often BEGIN IMMEDIATE is tried again after busy_timeout ran out (another process held the lock throughout). */
const BEGIN_ATTEMPTS = 6;

export class SerializedSqliteAdapterFactory extends PrismaBetterSqlite3 {
  override async connect(): Promise<Adapter> {
    return serialize(await super.connect());
  }
}

function isBusy(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (typeof e?.code === 'string' && e.code.startsWith('SQLITE_BUSY')) || /database is locked/i.test(e?.message ?? '');
}

function serialize(adapter: Adapter): Adapter {
  const client = (adapter as unknown as { client: Connection }).client;
  if (!client || typeof client.prepare !== 'function') return adapter; // not the adapter this was written for: leave it as it is
  const prepare = client.prepare.bind(client);
  const cached = cachingPrepare(prepare);
  // The adapter's own BEGIN becomes a no-op: the wrapper has begun the transaction already.
  client.prepare = ((sql: string) => (sql === 'BEGIN' ? { run: () => ({ changes: 0 }) } : cached(sql))) as Connection['prepare'];

  // Who may use the connection next, first come first served: a statement outside transactions runs
  // when no transaction is open, a transaction waits for the one before it. Waking every waiter at
  // once and letting them race would send the losers to the back of the line, where a request that
  // only has to store one row could wait behind dispatch transactions for seconds.
  let open = false;
  const waiters: Array<{ tx: boolean; wake: () => void }> = [];
  const wait = (tx: boolean) => new Promise<void>((wake) => waiters.push({ tx, wake }));
  /** Wakes waiters in order up to and including the first transaction, which now owns the connection. */
  const handOff = () => {
    while (!open && waiters.length) {
      const w = waiters.shift()!;
      if (w.tx) open = true; // before it runs: its BEGIN comes after the statements woken ahead of it
      w.wake();
    }
  };
  const release = () => {
    if (client.inTransaction) {
      try {
        prepare('ROLLBACK').run();
      } catch {
        // Nothing open after all.
      }
    }
    open = false;
    handOff();
  };

  /**
   * `run` once no transaction is open and nobody waits ahead of it. It starts synchronously right
   * after it is woken (no await in between), so its statement never lands inside a transaction: the
   * transaction woken after it begins in a later continuation.
   */
  const outsideTransactions = <A, R>(run: (arg: A) => Promise<R>) => async (arg: A): Promise<R> => {
    if (open || waiters.length) await wait(false);
    return run(arg);
  };
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.queryRaw = outsideTransactions(adapter.queryRaw.bind(adapter));
  adapter.executeRaw = outsideTransactions(adapter.executeRaw.bind(adapter));
  adapter.executeScript = outsideTransactions(adapter.executeScript.bind(adapter));
  adapter.startTransaction = async (isolationLevel) => {
    if (open || waiters.length) await wait(true); // woken owning the connection (handOff set `open`)
    else open = true;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          prepare('BEGIN IMMEDIATE').run();
          break;
        } catch (err) {
          if (!isBusy(err) || attempt >= BEGIN_ATTEMPTS) throw err;
          await new Promise((r) => setTimeout(r, 50 * attempt));
        }
      }
      const tx: Tx = await startTransaction(isolationLevel);
      const commit = tx.commit.bind(tx);
      const rollback = tx.rollback.bind(tx);
      tx.commit = async () => {
        try {
          await commit();
        } finally {
          release();
        }
      };
      tx.rollback = async () => {
        try {
          await rollback();
        } finally {
          release();
        }
      };
      return tx;
    } catch (err) {
      release();
      throw err;
    }
  };
  return adapter;
}
