// `outreach checkins start|stop --customer <id>`: a customer's periodic check-ins (workflows/checkin).
// Pause and resume them like any enrollment (the pause/resume signals of the ops tooling).
import type { Command } from '../command';
import { parseFlags, requireFlag } from '../args';
import { loadConfig } from '../../../domain/config';
import { createDb } from '../../../activities/db/client';
import { connectClient } from '../../../worker/temporal-connection';
import { startCheckin, stopCheckin } from '../../api/checkins';

async function withDeps<T>(fn: (deps: Parameters<typeof startCheckin>[0]) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = createDb(config.database);
  try {
    const temporal = await connectClient(config.temporal);
    try {
      return await fn({ db, temporal, config });
    } finally {
      await temporal.connection.close();
    }
  } finally {
    await db.$disconnect();
  }
}

export const checkinsStartCommand: Command = {
  name: 'checkins start',
  summary: "Start a customer's periodic check-ins (every CHECKIN_CADENCE_DAYS, or their plan's cadence).",
  usage: 'outreach checkins start --customer <id> [--restart]',
  async run(argv) {
    const { values } = parseFlags(argv, { customer: { type: 'string' }, restart: { type: 'boolean' } });
    const customerId = requireFlag(values, 'customer');
    const r = await withDeps((deps) => startCheckin(deps, customerId, { restart: !!values.restart }));
    if (r.started) {
      process.stdout.write(`started ${r.workflowId}\n`);
      return 0;
    }
    const why = {
      running: 'already running',
      stopped: 'stopped earlier (churn, unsubscribe or an operator); pass --restart to start again',
      'no-customer': `no customer "${customerId}"`,
    }[r.reason];
    process.stderr.write(`not started: ${why} (${r.workflowId})\n`);
    return r.reason === 'running' ? 0 : 1;
  },
};

export const checkinsStopCommand: Command = {
  name: 'checkins stop',
  summary: "Stop a customer's periodic check-ins.",
  usage: 'outreach checkins stop --customer <id> [--reason <text>]',
  async run(argv) {
    const { values } = parseFlags(argv, { customer: { type: 'string' }, reason: { type: 'string' } });
    const customerId = requireFlag(values, 'customer');
    const ok = await withDeps((deps) => stopCheckin(deps, customerId, (values.reason as string | undefined) ?? 'stopped by operator'));
    process.stderr.write(ok ? `stopping the check-ins of ${customerId}\n` : `no running check-ins for ${customerId}\n`);
    return ok ? 0 : 1;
  },
};
