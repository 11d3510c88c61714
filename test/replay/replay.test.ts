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
// `npx tsx test/replay/record-history.ts` after bumping GENERATIONS (test/replay/manifest.ts);
// the old files stay.
// Re-recording an existing file (--replace) is only for a recording that was wrong in itself.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { workflowBundle } from '../../worker/worker';
import {
  GENERATIONS, PATCH_MARKER, historyFilesOnDisk, patchMarkers, readHistoryJson, readManifest, workflowTypeOf, type HistoryEntry, type HistoryJson,
} from './manifest';

const manifest = readManifest();
const entries = manifest.histories;
const types = [...new Set(entries.map((e) => e.workflowType))].sort();
const NONDETERMINISM = /[Nn]ondeterminism|DeterminismViolation/;

/** The workflow types the worker runs: the exports of the bundle's entry point. */
function workflowTypesOfBundle(): string[] {
  const index = fs.readFileSync(path.join(__dirname, '..', '..', 'workflows', 'index.ts'), 'utf8');
  return [...index.matchAll(/export\s*\{\s*(\w+)\s*\}/g)].map((m) => m[1]).sort();
}

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

  it('covers every workflow type of the bundle', () => {
    expect(types).toEqual(workflowTypesOfBundle());
    expect(Object.keys(GENERATIONS).sort()).toEqual(workflowTypesOfBundle());
  });

  it.each(Object.entries(GENERATIONS))('%s has histories of its current generation, with its patch markers', (type, gen) => {
    const current = entries.filter((e) => e.workflowType === type && e.generation === gen.generation);
    expect(current.length).toBeGreaterThan(0);
    for (const e of current) {
      expect({ file: e.file, prefix: e.file.startsWith(`${gen.prefix}-${gen.generation}-`), unknown: e.patches.filter((p) => !gen.patches.includes(p)), missing: gen.required.filter((p) => !e.patches.includes(p)) })
        .toEqual({ file: e.file, prefix: true, unknown: [], missing: [] });
    }
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

  it('a sequence history whose local-activities marker names another patch fails to replay (patch markers matter)', async () => {
    const e = entries.find((x) => x.workflowType === 'sequenceWorkflow' && x.patches.includes('local-activities'))!;
    expect(e).toBeDefined();
    const h = readHistoryJson(e.file);
    const marker = h.events.find((ev) => ev.markerRecordedEventAttributes?.markerName === PATCH_MARKER)!;
    const payload = marker.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0];
    const data = JSON.parse(Buffer.from(payload.data!, 'base64').toString('utf8')) as { id: string };
    expect(data.id).toBe('local-activities');
    payload.data = Buffer.from(JSON.stringify({ ...data, id: 'some-other-patch' })).toString('base64');
    await expect(replay(h, e.workflowId)).rejects.toThrow(NONDETERMINISM);
  });
});
