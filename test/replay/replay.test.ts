// Determinism guard: histories recorded from real runs (test/replay/record-history.ts) must replay
// against the current workflow code. A change that would break running workflows fails here and
// needs patched() (see workflows/sequence/workflow.ts) instead of re-recording.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { workflowBundle } from '../../worker/worker';

const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('replay of recorded sequence histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
    expect(history.events!.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-${file}`);
  });

  it('detects a workflow change that would break running workflows', async () => {
    // Tamper with a recorded activity type: replay must refuse, proving the check has teeth.
    const json = JSON.parse(fs.readFileSync(path.join(dir, files[0]), 'utf8'));
    const ev = json.events.find((e: { activityTaskScheduledEventAttributes?: unknown }) => e.activityTaskScheduledEventAttributes);
    ev.activityTaskScheduledEventAttributes.activityType.name = 'someOtherActivity';
    const history = historyFromJSON(json);
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, 'tampered')).rejects.toThrow(/[Nn]ondeterminism|DeterminismViolation/);
  });
});
