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
interface Connection {
  prepare(sql: string): { run(...args: unknown[]): unknown };
  inTransaction: boolean;
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
  // The adapter's own BEGIN becomes a no-op: the wrapper has begun the transaction already.
  client.prepare = (sql: string) => (sql === 'BEGIN' ? { run: () => ({ changes: 0 }) } : prepare(sql));

  let open = false;
  let waiters: Array<() => void> = [];
  const release = () => {
    if (client.inTransaction) {
      try {
        prepare('ROLLBACK').run();
      } catch {
        // Nothing open after all.
      }
    }
    open = false;
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  };
  const turn = () => new Promise<void>((r) => waiters.push(r));

  /**
   * `run` once no transaction is open. It starts synchronously right after the check (no await in
   * between), so its statement never lands inside a transaction that began in the meantime.
   */
  const outsideTransactions = <A, R>(run: (arg: A) => Promise<R>) => async (arg: A): Promise<R> => {
    while (open) await turn();
    return run(arg);
  };
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.queryRaw = outsideTransactions(adapter.queryRaw.bind(adapter));
  adapter.executeRaw = outsideTransactions(adapter.executeRaw.bind(adapter));
  adapter.executeScript = outsideTransactions(adapter.executeScript.bind(adapter));
  adapter.startTransaction = async (isolationLevel) => {
    while (open) await turn();
    open = true;
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
