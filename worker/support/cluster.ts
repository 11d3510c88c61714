// A real multi-service Temporal cluster on loopback, the production shape in miniature: PostgreSQL
// for persistence and (SQL) visibility, and the frontend, history (two processes by default),
// matching and worker services as separate `temporal-server` processes that find each other through
// the membership table. Used by `outreach cluster`, the cluster test and `bench/e2e.ts --cluster`.
//
// Everything lives in one folder (default .data/cluster): postgres/ (the data), one config file and
// one log per process. Starting again on the same folder reuses the data (schemas are brought up to
// date, the namespace and search attributes are kept). The binaries come from ensure-tools.sh
// (`outreach tools --only server`), built once from the Go module proxy.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { Client as PgClient } from 'pg';
import YAML from 'yaml';
import { searchAttributeRegistration } from '../../domain/search-attributes';
import { initCluster, type PgCluster } from './postgres';

const run = promisify(execFile);

export interface ClusterOptions {
  /** State folder: PostgreSQL data, config files and logs. */
  dir: string;
  /** Folder holding temporal-server and temporal-sql-tool (ensureTools('server')). */
  serverDir: string;
  /** The frontend's gRPC port (default: a free port). */
  frontendPort?: number;
  /** PostgreSQL's port (default: a free port). */
  postgresPort?: number;
  /** History service processes (default 2). */
  historyProcesses?: number;
  /** History shards, fixed for the life of the cluster's data (default 16). */
  historyShards?: number;
  namespace?: string;
  /** Retention of closed workflows in the namespace (default 3 days). */
  retentionDays?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface ClusterProcess {
  /** frontend, history-1, history-2, matching, worker */
  name: string;
  service: 'frontend' | 'history' | 'matching' | 'worker';
  configFile: string;
  logFile: string;
  child?: ChildProcess;
}

/**
 * A free loopback port below 32768: Temporal stores membership ports in a PostgreSQL smallint, and
 * the kernel's ephemeral ports (what port 0 gives) are above it.
 */
async function lowFreePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    const ok = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free loopback port found between 10000 and 32000');
}

const SQL_DATABASES = [
  { db: 'temporal', schema: 'postgresql/v12/temporal' },
  { db: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
];

/** Dynamic config: search attributes visible at once (tests and a fresh cluster), updates on. */
const DYNAMIC_CONFIG = {
  'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true, constraints: {} }],
  'frontend.enableUpdateWorkflowExecution': [{ value: true, constraints: {} }],
  'limit.maxIDLength': [{ value: 255, constraints: {} }],
};

export class TemporalCluster {
  readonly processes: ClusterProcess[] = [];
  /** host:port of the frontend, for TEMPORAL_ADDRESS. */
  address = '';
  /** The engine's own database on the cluster's PostgreSQL (created empty: run migrations on it). */
  engineDatabaseUrl = '';
  /** The PostgreSQL server itself (role outreach, trust auth), for creating more databases. */
  postgresUrl = '';
  private pg?: PgCluster;
  private stopping = false;

  private constructor(private readonly opts: ClusterOptions) {}

  static async start(opts: ClusterOptions): Promise<TemporalCluster> {
    const c = new TemporalCluster(opts);
    try {
      await c.startPostgres();
      await c.setUpSchemas();
      await c.writeConfigs();
      for (const p of c.processes) c.spawn(p);
      await c.waitForFrontend();
      await c.setUpNamespace();
      return c;
    } catch (err) {
      await c.stop().catch(() => undefined);
      throw err;
    }
  }

  private say(line: string): void {
    this.opts.log?.(line);
  }

  private get serverBin(): string {
    return path.join(this.opts.serverDir, 'temporal-server');
  }

  private async startPostgres(): Promise<void> {
    fs.mkdirSync(this.opts.dir, { recursive: true });
    // PostgreSQL runs as its own user when we are root: it must be able to enter the folder.
    if (process.getuid?.() === 0) fs.chmodSync(this.opts.dir, 0o755);
    const pgDir = path.join(this.opts.dir, 'postgres');
    const pg = await initCluster('outreach-cluster-pg-', 'PostgreSQL server binaries not found under /usr/lib/postgresql: install them (Debian: apt-get install postgresql)', {
      dir: pgDir,
      port: this.opts.postgresPort,
    });
    this.say(`PostgreSQL: starting on 127.0.0.1:${pg.port} (${pg.dataDir})`);
    // Temporal's own pools: 5 processes x (20 persistence + 2..10 visibility) connections.
    pg.exec(path.join(pg.bin, 'pg_ctl'), [
      '-D', pg.dataDir, '-l', path.join(pgDir, 'server.log'), '-w', '-t', '60', 'start',
      // pg_stat_statements: statements per database, for the capacity figures (bench/e2e.ts --cluster).
      '-o', `-p ${pg.port} -k ${pgDir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB -c shared_preload_libraries=pg_stat_statements`,
    ]);
    this.pg = pg;
    this.postgresUrl = `postgresql://outreach@127.0.0.1:${pg.port}/postgres`;
    this.engineDatabaseUrl = `postgresql://outreach@127.0.0.1:${pg.port}/outreach`;
    const admin = new PgClient({ connectionString: this.postgresUrl });
    await admin.connect();
    try {
      const have = new Set((await admin.query('SELECT datname FROM pg_database')).rows.map((r) => r.datname as string));
      if (!have.has('outreach')) await admin.query('CREATE DATABASE outreach');
      await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    } finally {
      await admin.end();
    }
  }

  private async setUpSchemas(): Promise<void> {
    const tool = path.join(this.opts.serverDir, 'temporal-sql-tool');
    const common = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(this.pg!.port), '-u', 'outreach'];
    for (const { db, schema } of SQL_DATABASES) {
      const sql = (args: string[]) => run(tool, [...common, '--db', db, ...args], { timeout: 120_000 });
      await sql(['create-database']).catch((err: { stderr?: string }) => {
        if (!/already exists/.test(err.stderr ?? '')) throw err;
      });
      // setup-schema -v 0.0 creates the version table once; update-schema applies what is missing.
      await sql(['setup-schema', '-v', '0.0']).catch((err: { stderr?: string }) => {
        if (!/already exists/i.test(err.stderr ?? '')) throw err;
      });
      await sql(['update-schema', '--schema-name', schema]);
      this.say(`schema: ${db} up to date (${schema})`);
    }
  }

  private async writeConfigs(): Promise<void> {
    const { dir } = this.opts;
    const frontendPort = this.opts.frontendPort ?? (await lowFreePort());
    this.address = `127.0.0.1:${frontendPort}`;
    const dynamicConfig = path.join(dir, 'dynamicconfig.yaml');
    fs.writeFileSync(dynamicConfig, YAML.stringify(DYNAMIC_CONFIG));
    const store = (db: string, maxConns: number) => ({
      sql: {
        pluginName: 'postgres12', databaseName: db, connectAddr: `127.0.0.1:${this.pg!.port}`, connectProtocol: 'tcp',
        user: 'outreach', password: '', maxConns, maxIdleConns: maxConns, maxConnLifetime: '1h',
      },
    });
    const names: Array<[string, ClusterProcess['service']]> = [['frontend', 'frontend']];
    for (let i = 1; i <= (this.opts.historyProcesses ?? 2); i++) names.push([`history-${i}`, 'history']);
    names.push(['matching', 'matching'], ['worker', 'worker']);
    // Ports of every process first: each config lists every service (the membership monitor only
    // tracks services its config names), with the process's own service on its own ports.
    const rpcOf = new Map<string, Record<string, unknown>>();
    for (const [name, service] of names) {
      rpcOf.set(name, {
        grpcPort: service === 'frontend' ? frontendPort : await lowFreePort(),
        membershipPort: await lowFreePort(),
        bindOnLocalHost: true,
        ...(service === 'frontend' ? { httpPort: await lowFreePort() } : {}),
      });
    }
    const firstOf = (service: string) => rpcOf.get(names.find(([, s]) => s === service)![0])!;
    for (const [name, service] of names) {
      const services = Object.fromEntries((['frontend', 'history', 'matching', 'worker'] as const).map((x) => [x, { rpc: x === service ? rpcOf.get(name)! : firstOf(x) }]));
      const config = {
        log: { stdout: true, level: 'warn' },
        persistence: {
          defaultStore: 'default', visibilityStore: 'visibility', numHistoryShards: this.opts.historyShards ?? 16,
          datastores: { default: store('temporal', 20), visibility: store('temporal_visibility', 10) },
        },
        global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
        services,
        clusterMetadata: {
          enableGlobalNamespace: false, failoverVersionIncrement: 10, masterClusterName: 'active', currentClusterName: 'active',
          clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: this.address } },
        },
        dcRedirectionPolicy: { policy: 'noop' },
        publicClient: { hostPort: this.address },
        dynamicConfigClient: { filepath: dynamicConfig, pollInterval: '10s' },
      };
      const configFile = path.join(dir, `${name}.yaml`);
      fs.writeFileSync(configFile, YAML.stringify(config));
      this.processes.push({ name, service, configFile, logFile: path.join(dir, `${name}.log`) });
    }
  }

  private spawn(p: ClusterProcess): void {
    const out = fs.openSync(p.logFile, 'a');
    const child = spawn(this.serverBin, ['--config-file', p.configFile, '--allow-no-auth', 'start', '--service', p.service], {
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    p.child = child;
    child.once('exit', (code, signal) => {
      if (p.child === child) p.child = undefined;
      if (!this.stopping) this.say(`${p.name} exited (${signal ?? `code ${code}`}); log: ${p.logFile}`);
    });
    this.say(`${p.name}: pid ${child.pid} (log ${p.logFile})`);
  }

  private process(name: string): ClusterProcess {
    const p = this.processes.find((x) => x.name === name);
    if (!p) throw new Error(`no cluster process named ${name}: use one of ${this.processes.map((x) => x.name).join(', ')}`);
    return p;
  }

  /** Statements executed so far per database (pg_stat_statements), e.g. { outreach: 1234, temporal: 5678 }. */
  async statementsByDatabase(): Promise<Record<string, number>> {
    const c = new PgClient({ connectionString: this.postgresUrl });
    await c.connect();
    try {
      const rows = (await c.query('SELECT d.datname AS db, sum(s.calls)::bigint AS calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid GROUP BY d.datname')).rows;
      return Object.fromEntries(rows.map((r) => [r.db as string, Number(r.calls)]));
    } finally {
      await c.end();
    }
  }

  /** Kills one service process (SIGKILL by default: no graceful hand-off) and waits for it to exit. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.process(name);
    const child = p.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Starts a stopped or killed service process again with its config. */
  restart(name: string): void {
    const p = this.process(name);
    if (p.child) throw new Error(`${name} is running (pid ${p.child.pid}): kill it first`);
    this.spawn(p);
  }

  /** A connection to the frontend; the caller closes it. */
  connect(): Promise<Connection> {
    return Connection.connect({ address: this.address, connectTimeout: 10_000 });
  }

  private async waitForFrontend(timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < until) {
      const dead = this.processes.find((p) => !p.child);
      if (dead) throw new Error(`cluster process ${dead.name} exited during start-up: see ${dead.logFile}`);
      try {
        const conn = await this.connect();
        try {
          await conn.workflowService.getSystemInfo({});
          this.say(`frontend: ${this.address} ready`);
          return;
        } finally {
          await conn.close();
        }
      } catch (err) {
        last = err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    throw new Error(`the cluster's frontend did not answer within ${timeoutMs / 1000} s (${(last as Error)?.message}): see ${this.processes[0]?.logFile}`);
  }

  /** Registers the namespace and the engine's search attributes (idempotent), then waits for both. */
  private async setUpNamespace(timeoutMs = 120_000): Promise<void> {
    const namespace = this.opts.namespace ?? 'default';
    const conn = await this.connect();
    try {
      const until = Date.now() + timeoutMs;
      const retry = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
        for (;;) {
          try {
            return await fn();
          } catch (err) {
            if (Date.now() > until) throw new Error(`cluster set-up: ${what} failed: ${(err as Error).message}`);
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      };
      await retry('registering the namespace', async () => {
        try {
          await conn.workflowService.registerNamespace({
            namespace, workflowExecutionRetentionPeriod: msToTs(`${this.opts.retentionDays ?? 3} days`),
          });
        } catch (err) {
          if (!/already exists|AlreadyExists/i.test((err as Error).message)) throw err;
        }
      });
      await retry('reading the namespace', () => conn.workflowService.describeNamespace({ namespace }));
      const wanted = searchAttributeRegistration();
      await retry('registering search attributes', async () => {
        const have = (await conn.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
        const missing = Object.fromEntries(Object.entries(wanted).filter(([k]) => !(k in have)));
        if (Object.keys(missing).length) await conn.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
        const now = (await conn.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
        const still = Object.keys(wanted).filter((k) => !(k in now));
        if (still.length) throw new Error(`not yet visible: ${still.join(', ')}`);
      });
      this.say(`namespace ${namespace}: ready with search attributes ${Object.keys(wanted).join(', ')}`);
    } finally {
      await conn.close();
    }
  }

  /** Stops every service process (SIGTERM, then SIGKILL after 20 s) and PostgreSQL; keeps the data. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.processes.map(async (p) => {
      const child = p.child;
      if (!child) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }));
    if (this.pg) {
      try {
        this.pg.exec(path.join(this.pg.bin, 'pg_ctl'), ['-D', this.pg.dataDir, '-m', 'fast', '-w', 'stop']);
      } catch {
        // Not running (start-up failed before it started).
      }
    }
  }
}
