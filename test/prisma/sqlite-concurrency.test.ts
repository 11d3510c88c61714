// The embedded SQLite database is one connection per process (Prisma's better-sqlite3 adapter) and is
// shared with other processes (the worker, a second API). Two things must hold under that load, as
// they do on PostgreSQL:
//   - a transaction never fails because another process wrote meanwhile (a deferred BEGIN that read
//     first cannot upgrade to a writer: SQLITE_BUSY_SNAPSHOT, at once, whatever busy_timeout says);
//   - a write that was acknowledged stays written: a statement issued outside a transaction must not
//     run inside another caller's open transaction on the shared connection (where a failed COMMIT or
//     a rollback would silently take it away).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createDb, tuneSqlite, type Db } from '../../activities/db/client';
import { freshDatabase } from '../support/stack';

const ROOT = path.join(__dirname, '..', '..');

/** Another process writing to the same file in short transactions, as the worker does. */
function otherWriter(file: string): ChildProcess {
  const script = `
    const db = require('better-sqlite3')(process.argv[1], { timeout: 10000 });
    db.pragma('journal_mode = WAL');
    const put = db.prepare("INSERT OR REPLACE INTO Setting (key, value) VALUES (?, ?)");
    const tx = db.transaction((i) => { for (let j = 0; j < 20; j++) put.run('other-' + ((i * 20 + j) % 500), String(i)); });
    let i = 0;
    const tick = () => { tx.immediate(i++); setImmediate(tick); };
    tick();
  `;
  return spawn(process.execPath, ['-e', script, file], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

describe('SQLite shared by several processes', () => {
  let db: Db;
  let file: string;
  let drop: () => Promise<void>;
  let other: ChildProcess | undefined;
  beforeAll(async () => {
    const d = await freshDatabase('sqlite');
    drop = d.drop;
    file = d.url.slice('file:'.length);
    db = createDb(d.url);
    await tuneSqlite(db);
    await db.customer.create({ data: { id: 'shared', email: 'shared@example.com' } });
  });
  afterAll(async () => {
    other?.kill('SIGKILL');
    await db?.$disconnect();
    await drop?.();
  });

  it('transactions, reads and acknowledged writes of one process all succeed and persist while another process writes', async () => {
    other = otherWriter(file);
    await new Promise((r) => setTimeout(r, 300));
    const acknowledged: string[] = [];
    const failures: string[] = [];
    const lane = async (kind: number, lane: number) => {
      for (let i = 0; i < 40; i++) {
        const id = `l${lane}-${i}`;
        try {
          if (kind === 0) {
            // A batch transaction, as the dispatcher marks an event dispatched.
            const ev = await db.event.create({ data: { idempotencyKey: id, customerId: 'shared', name: 'x', occurredAt: new Date(), properties: '{}', outbox: { create: { customerId: 'shared' } } } });
            await db.$transaction([
              db.event.update({ where: { id: ev.id }, data: { dispatchedAt: new Date() } }),
              db.eventOutbox.deleteMany({ where: { eventId: ev.id } }),
            ]);
            acknowledged.push(`event:${id}`);
          } else if (kind === 1) {
            // An interactive transaction that reads, then writes.
            await db.$transaction(async (tx) => {
              await tx.setting.findMany({ take: 5 });
              await tx.setting.upsert({ where: { key: id }, create: { key: id, value: 'tx' }, update: { value: 'tx' } });
            });
            acknowledged.push(`setting:${id}`);
          } else {
            // Reads and single writes outside any transaction.
            await db.setting.findMany({ take: 20 });
            await db.setting.create({ data: { key: id, value: 'plain' } });
            acknowledged.push(`setting:${id}`);
          }
        } catch (err) {
          failures.push(`${id}: ${(err as Error).message.split('\n').filter(Boolean).pop()}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, n) => lane(n % 3, n)));
    other.kill('SIGKILL');
    other = undefined;

    expect(failures.slice(0, 5)).toEqual([]);
    // What was acknowledged is there, read through a connection of its own.
    const check = createDb(`file:${file}`);
    try {
      const events = new Set((await check.event.findMany({ where: { dispatchedAt: { not: null } }, select: { idempotencyKey: true } })).map((r) => `event:${r.idempotencyKey}`));
      const settings = new Set((await check.setting.findMany({ select: { key: true } })).map((r) => `setting:${r.key}`));
      const missing = acknowledged.filter((a) => !events.has(a) && !settings.has(a));
      expect({ acknowledged: acknowledged.length, missing: missing.slice(0, 5) }).toEqual({ acknowledged: 12 * 40, missing: [] });
    } finally {
      await check.$disconnect();
    }
  });
});
