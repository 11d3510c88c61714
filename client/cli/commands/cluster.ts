// `outreach cluster`: a real multi-service Temporal cluster on this machine (PostgreSQL persistence
// and SQL visibility; frontend, two history processes, matching and worker as separate processes),
// the production shape to try the engine on before your own cluster. Runs in the foreground until
// Ctrl-C; the data stays in --dir for the next start. worker/support/cluster.ts does the work.
import path from 'node:path';
import type { Command } from '../command';
import { parseFlags, UsageError } from '../args';
import { DATA_DIR } from '../../../domain/config';
import { ensureTools } from '../../../worker/support/tools';
import { TemporalCluster } from '../../../worker/support/cluster';
import { onShutdown } from './serve';

function intFlag(values: Record<string, unknown>, name: string, fallback: number | undefined, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  return n;
}

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'Run a multi-service Temporal cluster on PostgreSQL here (frontend, 2 history, matching, worker processes) until Ctrl-C.',
  usage: 'outreach cluster [--dir .data/cluster] [--port 7233] [--postgres-port 5433] [--history 2] [--shards 16]',
  async run(argv) {
    const { values } = parseFlags(argv, {
      dir: { type: 'string' }, port: { type: 'string' }, 'postgres-port': { type: 'string' }, history: { type: 'string' }, shards: { type: 'string' },
    });
    const frontendPort = intFlag(values, 'port', 7233, 1, 65535);
    const postgresPort = intFlag(values, 'postgres-port', 5433, 1, 65535);
    const historyProcesses = intFlag(values, 'history', 2, 1, 8);
    const historyShards = intFlag(values, 'shards', 16, 1, 16384);
    const dir = path.resolve(typeof values.dir === 'string' ? values.dir : path.join(DATA_DIR, 'cluster'));
    const say = (m: string) => process.stdout.write(m + '\n');
    say('outreach cluster: starting (the first run builds the Temporal server, several minutes)...');
    const tools = await ensureTools('server');
    const cluster = await TemporalCluster.start({ dir, serverDir: tools.server!, frontendPort, postgresPort, historyProcesses, historyShards, log: (l) => say(`  ${l}`) });
    const stopped = onShutdown([() => cluster.stop()]);
    say('');
    say('The cluster is running. Point the engine at it (each in its own terminal, as many as you like):');
    say(`  export TEMPORAL_ADDRESS=${cluster.address} DATABASE_URL=${cluster.engineDatabaseUrl}`);
    say('  npx outreach migrate && npx outreach worker');
    say('  npx outreach api');
    say(`Data, configs and logs: ${dir}. Press Ctrl-C to stop (the data stays).`);
    await stopped;
    return 0;
  },
};
