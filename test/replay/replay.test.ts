// Determinism guard: histories recorded from real runs must replay against the current workflow code.
//
// test/replay/histories/ holds one JSON history per recorded workflow run, for every workflow type
// and every patch generation (`<type>-<generation>-<scenario>.json`), listed in manifest.json with
// the workflow id, scenario, recording commit, patch markers and event count. They stand for the
// workflows running in production right now: a change to workflows/ (or to anything the bundle
// imports) that fails here would break them on their next replay.
//
// When it fails: do NOT re-record or edit the histories. Guard the change with patched() (old
// branch for old histories, new branch for new runs), then record the new generation with
// `npx tsx test/replay/record-history.ts` after bumping GENERATIONS there; the old files stay.
// Re-recording an existing file (--replace) is only for a recording that was wrong in itself.
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { workflowBundle } from '../../worker/worker';
import {
  historyFilesOnDisk, patchMarkers, readHistoryJson, readManifest, workflowTypeOf, type HistoryEntry, type HistoryJson,
} from './manifest';

const manifest = readManifest();
const entries = manifest.histories;
const types = [...new Set(entries.map((e) => e.workflowType))].sort();
const NONDETERMINISM = /[Nn]ondeterminism|DeterminismViolation/;

function replay(history: HistoryJson, workflowId: string): Promise<void> {
  return workflowBundle().then((bundle) => Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(history), workflowId));
}

describe('the recorded histories and their manifest', () => {
  it('lists every history file, and every listed file exists', () => {
    const listed = entries.map((e) => e.file);
    const onDisk = historyFilesOnDisk();
    expect({ unlisted: onDisk.filter((f) => !listed.includes(f)), missing: listed.filter((f) => !onDisk.includes(f)) }).toEqual({ unlisted: [], missing: [] });
    expect(new Set(listed).size).toBe(listed.length);
  });

  it.each(entries.map((e) => [e.file, e] as const))('%s is what its entry says (type, patch markers, events, name)', (_file, e: HistoryEntry) => {
    const h = readHistoryJson(e.file);
    expect({ workflowType: workflowTypeOf(h), patches: patchMarkers(h), events: h.events.length }).toEqual({ workflowType: e.workflowType, patches: e.patches, events: e.events });
    expect(e.file).toMatch(new RegExp(`^[a-z]+-${e.generation}-[a-z0-9-]+\\.json$`));
    expect(e.workflowId).toBeTruthy();
    expect(e.commit).toMatch(/^[0-9a-f]{7,40}$/);
    if (e.chain) {
      const runs = entries.filter((o) => o.workflowId === e.workflowId && o.chain).map((o) => o.chain!);
      expect(runs.map((r) => r.run).sort((a, b) => a - b)).toEqual([...Array(e.chain.of).keys()].map((i) => i + 1));
      // Every run but the last hands over by continueAsNew.
      const last = h.events[h.events.length - 1].eventType;
      expect(last).toEqual(e.chain.run < e.chain.of ? 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW' : expect.not.stringMatching(/CONTINUED_AS_NEW/));
    }
  });
});

describe.each(types)('%s histories replay against the current workflow code', (type) => {
  const mine = entries.filter((e) => e.workflowType === type);
  it.each(mine.map((e) => [e.file, e] as const))('%s', async (_file, e: HistoryEntry) => {
    await replay(readHistoryJson(e.file), e.workflowId);
  });
});

describe('the replay check has teeth', () => {
  // A history of each type with a scheduled activity: renaming the activity is a change replay must refuse.
  it.each(types)('%s: a history whose workflow scheduled another activity fails to replay', async (type) => {
    const e = entries.find((x) => x.workflowType === type && readHistoryJson(x.file).events.some((ev) => ev.activityTaskScheduledEventAttributes))!;
    expect(e).toBeDefined();
    const h = readHistoryJson(e.file);
    const ev = h.events.find((x) => x.activityTaskScheduledEventAttributes)!;
    ev.activityTaskScheduledEventAttributes!.activityType!.name = 'someOtherActivity';
    await expect(replay(h, e.workflowId)).rejects.toThrow(NONDETERMINISM);
  });

});
