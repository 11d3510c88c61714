// A PostgreSQL server of our own, for the tests, benchmarks and `outreach cluster`: initdb into a
// folder and start it on a loopback port with trust auth. It needs only the PostgreSQL server
// binaries (Debian: apt-get install postgresql), not a configured system cluster.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

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

export async function initCluster(prefix: string, missingBinaries: string, opts: { dir?: string; port?: number } = {}): Promise<PgCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error(missingBinaries);
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(dir, { recursive: true });
  const dataDir = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const exec = (cmd: string, args: string[]) => {
    execFileSync(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'pipe', cwd: dir });
  };
  const port = opts.port ?? (await freePort());
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) exec(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'outreach', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  return { bin, dir, dataDir, port, exec };
}

