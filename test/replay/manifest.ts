// The recorded histories and their manifest (test/replay/histories/manifest.json): what each file
// is (workflow type, scenario, patch generation), which code recorded it, which patch markers it
// holds and how many events. Shared by the recorder (record-history.ts) and the replay test.
import fs from 'node:fs';
import path from 'node:path';

export const HISTORIES_DIR = path.join(__dirname, 'histories');
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_PATH = path.join(HISTORIES_DIR, MANIFEST_FILE);

/**
 * The current patch generation of each workflow type: its name in file names and the patch ids its
 * new runs may record (`required`: every new run records them). A patched() id that is not listed
 * stops the recording: add a generation (v3, ...) for it instead of recording under the old name.
 * The replay test requires histories of every type's current generation, so bumping a generation
 * here without recording it fails.
 */
export const GENERATIONS: Record<string, { prefix: string; generation: string; patches: string[]; required: string[] }> = {
  // v1: before both patches (sequence-v1-*, recorded at c1b042a). v2: local activities for calendar,
  // profile and enrollment look-ups, plus the exit.when check before every step (only when the
  // definition has exit.when).
  // v3: the state-machine interpreter (domain/sequence/machine.ts); v1 and v2 runs replay on the
  // frozen code of workflows/sequence/legacy.
  sequenceWorkflow: { prefix: 'sequence', generation: 'v3', patches: ['interpreter-v2'], required: ['interpreter-v2'] },
  // v2: the profile version is read before a send slot is computed (only runs that reach a send record it).
  checkinWorkflow: { prefix: 'checkin', generation: 'v2', patches: ['slot-version-first'], required: [] },
  // v2: reports its outcome to the enrollment, hears profile changes (v1 runs replay workflows/survey/legacy.ts).
  surveyWorkflow: { prefix: 'survey', generation: 'v2', patches: ['survey-v2'], required: ['survey-v2'] },
  helpRequestWorkflow: { prefix: 'help', generation: 'v1', patches: [], required: [] },
};

export interface HistoryEntry {
  /** File name in test/replay/histories/: `<type>-<generation>-<scenario>.json`. */
  file: string;
  /** The workflow type, as in the history's first event. */
  workflowType: string;
  /** The workflow id it ran under; replay uses it (an A/B split buckets by workflow id). */
  workflowId: string;
  /** Patch generation of this workflow type, e.g. "v2" (see GENERATIONS). */
  generation: string;
  /** What the run went through, in a sentence. */
  scenario: string;
  /** The commit whose workflow code recorded it (the last commit touching the recorded code). */
  commit: string;
  /** patched() ids found in the history's MarkerRecorded events, sorted. */
  patches: string[];
  /** Number of events in the history. */
  events: number;
  /** For a run of a chain of continueAsNew runs: its place in the chain (1-based) and the chain's length. */
  chain?: { run: number; of: number };
}

export interface Manifest {
  note: string;
  histories: HistoryEntry[];
}

export function readManifest(): Manifest {
  return JSON.parse(fs.readFileSync(MANIFEST_PATH, 'utf8')) as Manifest;
}

export function writeManifest(m: Manifest): void {
  const histories = [...m.histories].sort((a, b) => a.file.localeCompare(b.file));
  fs.writeFileSync(MANIFEST_PATH, `${JSON.stringify({ ...m, histories }, null, 2)}\n`);
}

/** The history files on disk (every *.json of the folder except the manifest), sorted. */
export function historyFilesOnDisk(): string[] {
  return fs
    .readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json') && f !== MANIFEST_FILE)
    .sort();
}

/** A history as historyToJSON writes it (the subset read here). */
export interface HistoryJson {
  events: Array<{
    eventType?: string;
    workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string }; continuedExecutionRunId?: string };
    markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: Array<{ data?: string }> }> };
    activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  }>;
}

export function readHistoryJson(file: string): HistoryJson {
  return JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as HistoryJson;
}

export function workflowTypeOf(h: HistoryJson): string | undefined {
  return h.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
}

/** Marker name of patched() calls in Temporal's core SDK. */
export const PATCH_MARKER = 'core_patch';

/**
 * The patch ids recorded by patched()/deprecatePatch(): MarkerRecorded events named `core_patch`
 * whose `patch-data` payload is the JSON `{"id": ..., "deprecated": ...}` (Temporal's core SDK;
 * older cores wrote the id as plain bytes under `patch_id`, read too).
 */
export function patchMarkers(h: HistoryJson): string[] {
  const ids = new Set<string>();
  for (const e of h.events) {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== PATCH_MARKER) continue;
    const json = m.details?.['patch-data']?.payloads?.[0]?.data;
    const plain = m.details?.patch_id?.payloads?.[0]?.data;
    let id: unknown;
    if (json) id = (JSON.parse(Buffer.from(json, 'base64').toString('utf8')) as { id?: unknown }).id;
    else if (plain) id = Buffer.from(plain, 'base64').toString('utf8');
    if (typeof id !== 'string' || !id) throw new Error(`a ${PATCH_MARKER} marker without a patch id: ${JSON.stringify(m.details)}`);
    ids.add(id);
  }
  return [...ids].sort();
}
