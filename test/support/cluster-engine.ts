// The engine as deployed, on a TemporalCluster (worker/support/cluster.ts): PostgreSQL as its own
// database (migrated), `outreach worker` and `outreach api` processes, sequences from a folder, email
// to a sink of the caller's. Shared by the cluster test and `bench/e2e.ts --cluster`.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { TemporalCluster } from '../../worker/support/cluster';
import { migrateDatabase } from '../../activities/db/migrate';
import { createDb, type Db } from '../../activities/db/client';
import { createApiKey } from '../../client/api/auth';
import type { SequenceDefinition } from '../../domain/sequence/types';
import { freePort } from './postgres';
import { spawnReady, type Spawned } from './spawn';
import { http } from './stack';

export interface EngineOnCluster {
  db: Db;
  /** Base URLs of the API processes. */
  apis: string[];
  /** An API key with the ingest and ops scopes. */
  key: string;
  workers: Spawned[];
  apiProcesses: Spawned[];
  /** JSON over HTTP to API process `i % apis.length`. */
  call(i: number, method: string, url: string, body?: unknown): ReturnType<typeof http>;
  stop(): Promise<void>;
}

export async function startEngineOnCluster(opts: {
  cluster: TemporalCluster;
  /** A folder of ours: sequences/ is written there. */
  dir: string;
  sequences: SequenceDefinition[];
  smtpUrl: string;
  env?: Record<string, string>;
  workers?: number;
  apis?: number;
  /** Node flags for the worker processes (e.g. --cpu-prof). */
  workerNodeArgs?: string[];
}): Promise<EngineOnCluster> {
  const { cluster } = opts;
  await migrateDatabase(cluster.engineDatabaseUrl, { quiet: true });
  const db = createDb(cluster.engineDatabaseUrl);
  const key = (await createApiKey(db, 'cluster', ['ingest', 'ops'])).key;
  const sequences = path.join(opts.dir, 'sequences');
  fs.mkdirSync(sequences, { recursive: true });
  for (const s of opts.sequences) fs.writeFileSync(path.join(sequences, `${s.id}.yaml`), YAML.stringify(s));
  const env = {
    ...process.env, ...opts.env,
    TEMPORAL_ADDRESS: cluster.address, DATABASE_URL: cluster.engineDatabaseUrl, SMTP_URL: opts.smtpUrl,
    SEQUENCES_DIR: sequences, OUTREACH_SECRET: process.env.OUTREACH_SECRET ?? 'cluster-secret-0123456789abcdef',
  };
  const bin = path.join(__dirname, '..', '..', 'bin', 'outreach.js');
  const apis: string[] = [];
  const ports = await Promise.all(Array.from({ length: opts.apis ?? 2 }, () => freePort()));
  for (const port of ports) apis.push(`http://127.0.0.1:${port}`);
  const workers = await Promise.all(Array.from({ length: opts.workers ?? 2 }, () => spawnReady(bin, ['worker'], env, /^worker polling/, opts.workerNodeArgs)));
  const apiProcesses = await Promise.all(ports.map((port) => spawnReady(bin, ['api'], { ...env, API_PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }, /^API listening/)));
  return {
    db, apis, key, workers, apiProcesses,
    call: (i, method, url, body) => http(apis[i % apis.length], method, url, body, { authorization: `Bearer ${key}` }),
    async stop() {
      await Promise.all([...apiProcesses, ...workers].map((p) => p.stop()));
      await db.$disconnect();
    },
  };
}
