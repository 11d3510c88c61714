// A throwaway PostgreSQL server for the test run: initdb into a temp folder, start it on a free
// loopback port with trust auth, stop and delete it afterwards. Self-contained: it needs only the
// PostgreSQL server binaries (Debian: apt-get install postgresql), not a configured system cluster.
// TEST_POSTGRES_URL, when set, is used instead (an existing server; the role needs CREATEDB).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestPostgres {
  url: string;
  stop(): void;
}

/** The newest PostgreSQL server bin folder under /usr/lib/postgresql (Debian layout), if any. */
export function findPgBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], 'bin') : undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh, stopped cluster in a temp folder: initdb done, trust auth for the role `outreach`. */
export interface PgCluster {
  bin: string;
  dir: string;
  dataDir: string;
  port: number;
  /** Runs a PostgreSQL program (as the `postgres` system user when we are root: PostgreSQL refuses root). */
  exec(cmd: string, args: string[]): void;
}

export async function initCluster(prefix: string, missingBinaries: string): Promise<PgCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error(missingBinaries);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dataDir = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const exec = (cmd: string, args: string[]) => {
    execFileSync(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'pipe', cwd: dir });
  };
  const port = await freePort();
  exec(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'outreach', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  return { bin, dir, dataDir, port, exec };
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
