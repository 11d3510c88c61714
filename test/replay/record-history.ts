// Re-records the histories the replay test checks (test/replay/histories/*.json). Run it only when a
// workflow change is meant to be incompatible and is released as a new workflow type or version:
// otherwise use patched() and keep the old histories, which prove running workflows still replay.
//   npx tsx test/replay/record-history.ts
import fs from 'node:fs';
import path from 'node:path';
import { ensureTools } from '../../worker/support/tools';
import { startTimeSkipping } from '../support/time-skipping';
import { replaySequence } from './fixture';
import { sequenceWorkflow } from '../../workflows/sequence/workflow';
import { eventSignal } from '../../workflows/sequence/messages';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

async function main() {
  const tools = await ensureTools('test-server', { quiet: true });
  process.env.TEMPORAL_TEST_SERVER_PATH = tools.testServer;
  const ts = await startTimeSkipping();
  try {
    await ts.db.customer.create({ data: { id: 'replay-1', email: 'r1@example.com', givenName: 'Rita', locale: 'de', timeZone: 'Europe/Berlin', country: 'DE', attributes: JSON.stringify({ plan: 'pro' }) } });
    await ts.db.customer.create({ data: { id: 'replay-2', email: 'r2@example.com', givenName: 'Ren', locale: 'ja', timeZone: 'Asia/Tokyo', country: 'JP', attributes: '{}' } });
    for (const [customerId, file] of [['replay-1', 'sequence-pro-event.json'], ['replay-2', 'sequence-basic-timeout.json']] as const) {
      const workflowId = `replay-${customerId}`;
      await ts.db.enrollment.create({ data: { workflowId, customerId, sequenceId: replaySequence.id, sequenceVersion: 1, entryKey: 'once' } });
      const trigger = { id: `sig-${customerId}`, name: 'signup', occurredAt: new Date().toISOString(), properties: {} };
      await ts.withWorker(async () => {
        const handle = await ts.env.client.workflow.start(sequenceWorkflow, {
          workflowId, taskQueue: ts.taskQueue, args: [{ definition: replaySequence, customerId, entryKey: 'once', trigger }],
        });
        if (customerId === 'replay-1') {
          await ts.env.sleep('3 days');
          await handle.signal(eventSignal, { id: 'fv-1', name: 'first_value', occurredAt: new Date().toISOString(), properties: {} });
        }
        await handle.result();
      });
      const history = await ts.env.client.workflow.getHandle(workflowId).fetchHistory();
      fs.writeFileSync(path.join(__dirname, 'histories', file), historyToJSON(history));
      console.log(`recorded ${file}: ${history.events?.length} events`);
    }
  } finally {
    await ts.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
