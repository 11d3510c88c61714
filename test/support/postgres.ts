// A throwaway PostgreSQL server for the test run: initdb into a temp folder, start it on a free
// loopback port with trust auth, stop and delete it afterwards. Self-contained: it needs only the
// PostgreSQL server binaries (Debian: apt-get install postgresql), not a configured system cluster.
// TEST_POSTGRES_URL, when set, is used instead (an existing server; the role needs CREATEDB).
import fs from 'node:fs';
import path from 'node:path';
import { initCluster } from '../../worker/support/postgres';

export { findPgBin, freePort, initCluster, type PgCluster } from '../../worker/support/postgres';

export interface TestPostgres {
  url: string;
  stop(): void;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  if (process.env.TEST_POSTGRES_URL) return { url: process.env.TEST_POSTGRES_URL, stop: () => undefined };
  const { bin, dir, dataDir, port, exec } = await initCluster('outreach-pg-',
    'PostgreSQL server binaries not found under /usr/lib/postgresql: install them (Debian: apt-get install postgresql) or set TEST_POSTGRES_URL to a server whose role has CREATEDB');
  exec(path.join(bin, 'pg_ctl'), [
    '-D', dataDir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start',
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
  ]);
  return {
    url: `postgresql://outreach@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        exec(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
