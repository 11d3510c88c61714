// DATABASE_POOL_SIZE bounds the PostgreSQL connections one process opens, however many queries a
// burst of activities makes at once; the queries beyond it wait for a connection and all succeed.
import { Client as PgClient } from 'pg';
import { createDb } from '../../activities/db/client';
import { loadConfig } from '../../domain/config';
import { dropPgDatabase, requirePostgresUrl, uniqueDatabaseName, withDatabase } from './support';

async function connectionsTo(admin: string, database: string): Promise<number> {
  const c = new PgClient({ connectionString: admin });
  await c.connect();
  try {
    return Number((await c.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [database])).rows[0].n);
  } finally {
    await c.end();
  }
}

describe('DATABASE_POOL_SIZE', () => {
  let admin: string;
  let name: string;

  beforeAll(async () => {
    admin = requirePostgresUrl();
    name = uniqueDatabaseName('pool_test');
    const c = new PgClient({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
  });

  afterAll(async () => {
    if (admin) await dropPgDatabase(admin, name);
  });

  it.each([[3], [7]])('with a pool of %i, 40 concurrent queries all succeed over at most that many connections', async (size) => {
    const config = loadConfig({ DATABASE_URL: withDatabase(admin, name), DATABASE_POOL_SIZE: String(size) });
    const db = createDb(config.database);
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await connectionsTo(admin, name));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => db.$queryRawUnsafe<Array<{ i: number }>>(`SELECT ${i} AS i, pg_sleep(0.05)::text AS slept`)));
      expect(results.map((r) => Number(r[0].i))).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(peak).toBe(size);
    } finally {
      sampling = false;
      await sampler;
      await db.$disconnect();
    }
  });
});
