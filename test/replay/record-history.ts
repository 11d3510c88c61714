// Records the histories the replay test checks (test/replay/histories/*.json + manifest.json).
//
//   npx tsx test/replay/record-history.ts [--out <dir>] [--replace]
//
// It runs real scenarios on Temporal's time-skipping test server with the real worker, activities,
// SQLite database, SMTP sink, HTTP API and a local webhook receiver (nothing mocked), one per
// behaviour a running workflow can be in (two more on the Temporal dev server, in real time, where
// the test server does not behave like production: see devServerScenarios), about two minutes in
// all, and writes one file per workflow run, named
// `<type>-<generation>-<scenario>.json`, plus its manifest entry (type, workflow id, scenario, the
// commit of the recorded code, the patch markers found in the history, the event count).
//
// When to run it
// - The recorded histories are the contract of running workflows: any new workflow code must replay
//   all of them. NEVER re-record to make a failing replay pass: a failure means running workflows
//   would break. Guard the change with patched() instead, keep every old file.
// - Run it when a workflow type gets a new patch generation (a new patched() id): bump that type's
//   entry in GENERATIONS (manifest.ts) first. The new files are added next to the old generations'
//   files, which stay (workflows of every generation may still be running). The recorder never
//   overwrites a recorded file: it adds the files that are missing (the new generation) and keeps
//   the others as they are. `--replace` overwrites, and is only for a recording that was wrong
//   (say, a scenario that did not do what its name says), never for a code change.
// - `--out <dir>` records into another folder (no manifest change): to look at histories first.
// - The code that shapes a history (workflows/, domain/, activities/, worker/, client/, templates,
//   sequences, dependencies) must be committed: the manifest names the commit that recorded each file.
//
// The scenarios move time only through env.sleep (skipUntil), in steps, so that every signal lands
// where the scenario says; results are read with a plain client (see Recorder.finish).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { ensureTools } from '../../worker/support/tools';
import { startDevServer } from '../../worker/support/dev-server';
import { startStack } from '../support/stack';
import { workflowIdFor } from '../../client/api/enrollments';
import { identityKey } from '../../client/api/identity';
import { checkinWorkflowId, startCheckin } from '../../client/api/checkins';
import { helpRequestPrefix } from '../../client/api/routes/help';
import { OutreachSequence, OutreachState } from '../../domain/search-attributes';
import type { SequenceDefinition, SequenceEvent } from '../../domain/sequence/types';
import { validateDefinition } from '../../domain/sequence/parse';
import { templateCatalog } from '../../domain/sequence/validate';
import { TemplateRenderer } from '../../activities/render';
import type { sequenceWorkflow } from '../../workflows/sequence/workflow';
import { cancelSignal, eventSignal, migrateSignal, pauseSignal, resumeSignal, stateQuery, type EnrollmentState } from '../../workflows/sequence/messages';
import { checkinStateQuery } from '../../workflows/checkin/messages';
import type { helpRequestWorkflow } from '../../workflows/checkin/help';
import { surveyWorkflowId } from '../../workflows/survey/messages';
import { eventually, header, linkIn, scoreLinks, startFeedbackStack, startWebhookReceiver, type FeedbackStack } from '../surveys/support';
import { shipped } from '../engine/helpers';
import { runChain } from '../support/run-chain';
import {
  apiSequences, cancelSequence, capSequence, contactSequence, everyStepSequence, exitDuringSurveySequence, exitEventSequence, exitWhenSequence,
  fatigueSequence, surveyTerminatedSequence, migrationV1, migrationV2, pauseSequence, profileChangeSequence, temporalCancelSequence,
} from './fixture';
import {
  GENERATIONS, HISTORIES_DIR, patchMarkers, readManifest, workflowTypeOf, writeManifest, type HistoryEntry, type HistoryJson, type Manifest,
} from './manifest';

const ROOT = path.join(__dirname, '..', '..');
/** Low, to hand over several times in one enrollment (the default is 2,000 events). */
const EVERY_STEP_HISTORY_LIMIT = 40;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

/**
 * The commit of the code that records: the last commit touching what shapes a history (workflow
 * code, what the bundle imports, activities, the API that starts and signals, templates, shipped
 * sequences, dependencies), which must have no uncommitted changes.
 */
function recordedCodeCommit(): string {
  const paths = ['workflows', 'domain', 'activities', 'worker', 'client', 'templates', 'sequences', 'package.json', 'package-lock.json'];
  const dirty = git('status', '--porcelain', '--', ...paths);
  if (dirty) throw new Error(`commit the workflow code first; uncommitted changes:\n${dirty}`);
  return git('log', '-1', '--format=%h', '--', ...paths);
}

interface Recorded {
  entry: HistoryEntry;
  json: string;
}

function parseArgs(argv: string[]): { out?: string; replace: boolean } {
  const opts: { out?: string; replace: boolean } = { replace: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--replace') opts.replace = true;
    else if (argv[i] === '--out') opts.out = path.resolve(argv[++i] ?? '');
    else throw new Error(`unknown argument ${argv[i]} (usage: record-history.ts [--out <dir>] [--replace])`);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const commit = recordedCodeCommit();
  const catalog = templateCatalog(new TemplateRenderer());
  for (const d of [everyStepSequence, ...apiSequences, migrationV2]) {
    const problems = validateDefinition(d, { templates: catalog });
    if (problems.length) throw new Error(`fixture sequence ${d.id} v${d.version} does not validate: ${JSON.stringify(problems)}`);
  }

  const tools = await ensureTools('all', { quiet: true });
  process.env.TEMPORAL_TEST_SERVER_PATH = tools.testServer;
  const recorded: Recorded[] = [];
  try {
    // The time-skipping test server: everything but the survey children that end without an outcome.
    const hook = await startWebhookReceiver();
    const s = await startFeedbackStack({ env: { ALERT_WEBHOOK_URL: hook.url }, sequences: [...apiSequences, shipped('onboarding')] });
    try {
      const r = new Recorder(s, hook, commit, recorded);
      r.key = await identityKey(s.db, s.config);
      await s.withWorker(async () => {
        await r.everyStep();
        await r.smallSequences();
        await r.shippedOnboarding();
        await r.checkins();
        await r.helpRequests();
      });
    } finally {
      await s.stopAll();
      await hook.close();
    }
    await devServerScenarios(tools.temporal!, commit, recorded);
  } catch (err) {
    // A trial recording keeps what it recorded before the failure, to look at.
    if (opts.out) write(recorded, opts);
    throw err;
  }
  write(recorded, opts);
}

function write(recorded: Recorded[], opts: { out?: string; replace: boolean }) {
  const files = recorded.map((r) => r.entry.file);
  const dup = files.find((f, i) => files.indexOf(f) !== i);
  if (dup) throw new Error(`two recordings named ${dup}`);
  if (opts.out) {
    fs.mkdirSync(opts.out, { recursive: true });
    for (const r of recorded) fs.writeFileSync(path.join(opts.out, r.entry.file), r.json);
    fs.writeFileSync(path.join(opts.out, 'manifest.json'), `${JSON.stringify({ note: 'a trial recording', histories: recorded.map((r) => r.entry) }, null, 2)}\n`);
    console.log(`wrote ${recorded.length} histories to ${opts.out}`);
    return;
  }
  // Files already recorded are kept as they are (they stand for running workflows); only missing
  // ones are added, e.g. the new generation of one workflow type while the others stay recorded.
  const manifest: Manifest = readManifest();
  const existing = new Set([...manifest.histories.map((h) => h.file), ...fs.readdirSync(HISTORIES_DIR)]);
  const kept = recorded.filter((r) => existing.has(r.entry.file) && !opts.replace);
  const added = recorded.filter((r) => !kept.includes(r));
  for (const r of added) fs.writeFileSync(path.join(HISTORIES_DIR, r.entry.file), r.json);
  const byFile = new Map(manifest.histories.map((h) => [h.file, h]));
  for (const r of added) byFile.set(r.entry.file, r.entry);
  writeManifest({ ...manifest, histories: [...byFile.values()] });
  for (const r of added) console.log(`${existing.has(r.entry.file) ? 'REPLACED' : 'recorded'} ${r.entry.file}: ${r.entry.events} events, patches [${r.entry.patches.join(', ')}]`);
  if (kept.length) console.log(`kept ${kept.length} histories already recorded (never overwritten without --replace): ${kept.map((r) => r.entry.file).join(', ')}`);
}

/** Fetches one run's history and files it under its workflow type's current generation. */
async function recordRun(
  client: Client,
  out: Recorded[],
  commit: string,
  r: { workflowId: string; runId?: string; scenarioName: string; scenario: string; chain?: HistoryEntry['chain'] },
): Promise<HistoryJson> {
  const { workflowId } = r;
  const json = historyToJSON(await client.workflow.getHandle(workflowId, r.runId).fetchHistory());
  const parsed = JSON.parse(json) as HistoryJson;
  const type = workflowTypeOf(parsed);
  const gen = type ? GENERATIONS[type] : undefined;
  if (!type || !gen) throw new Error(`${workflowId}: unknown workflow type ${type}: add it to GENERATIONS`);
  const patches = patchMarkers(parsed);
  const unknown = patches.filter((p) => !gen.patches.includes(p));
  if (unknown.length) throw new Error(`${workflowId}: patch ${unknown.join(', ')} is not in ${type} ${gen.generation}: add a new generation to GENERATIONS`);
  const missing = gen.required.filter((p) => !patches.includes(p));
  if (missing.length) throw new Error(`${workflowId}: ${type} ${gen.generation} runs record ${missing.join(', ')}, this one does not`);
  const file = `${gen.prefix}-${gen.generation}-${r.scenarioName}.json`;
  out.push({
    entry: { file, workflowType: type, workflowId, generation: gen.generation, scenario: r.scenario, commit, patches, events: parsed.events.length, ...(r.chain ? { chain: r.chain } : {}) },
    json,
  });
  console.log(`  ${file}: ${parsed.events.length} events [${patches.join(', ')}]`);
  return parsed;
}

/**
 * Survey children that end without an outcome, on the real Temporal dev server in real time: the
 * time-skipping test server neither tells a parent that its child was terminated nor applies the
 * default parent close policy (the child outlives its parent there), so these runs would not be
 * what production records. Send windows cover the whole week so nothing waits.
 */
async function devServerScenarios(temporalCli: string, commit: string, out: Recorded[]): Promise<void> {
  console.log('on the Temporal dev server: survey children ending without an outcome');
  const dev = await startDevServer({ executable: temporalCli });
  process.env.TEMPORAL_TEST_ADDRESS = dev.address;
  const stack = await startStack({
    sequences: [exitDuringSurveySequence, surveyTerminatedSequence],
    env: { SEND_WINDOWS: '00:00-24:00', WORKING_DAYS: '1,2,3,4,5,6,7', SPREAD_SENDS: 'false' },
  });
  const closed = async (id: string) => (await stack.temporal.workflow.getHandle(id).describe()).status.name !== 'RUNNING';
  const surveySent = (id: string) => stack.db.sendLedger.count({ where: { workflowId: id, status: 'sent' } });
  // No time zone or country: the account calendar above applies (no public holiday can delay a send).
  const customer = async (id: string, locale: string) => {
    const res = await stack.call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, givenName: 'Kim', locale });
    if (res.status !== 200) throw new Error(`PUT customer ${id}: ${res.status}`);
  };
  const event = async (customerId: string, name: string, n: number) => {
    const res = await stack.call('POST', '/v1/events', { id: `${name}-${customerId}-${n}`, customerId, name, occurredAt: new Date().toISOString() });
    if (res.status !== 202 && res.status !== 200) throw new Error(`POST event ${name}: ${res.status}`);
  };
  try {
    {
      const C = 'replay-exit-during-survey';
      await customer(C, 'ar');
      await event(C, exitDuringSurveySequence.trigger.event, 1);
      const id = workflowIdFor(await identityKey(stack.db, stack.config), exitDuringSurveySequence.id, C, 'once');
      const childId = surveyWorkflowId(id, 'csat', 0);
      await eventually(async () => (await surveySent(childId)) > 0, 'the survey email', 30_000);
      await event(C, 'unsubscribed', 2);
      await eventually(async () => (await closed(id)) && (await closed(childId)), 'the sequence and its survey to close', 30_000);
      const r = await stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(id).result();
      const child = (await stack.temporal.workflow.getHandle(childId).describe()).status.name;
      if (r.status !== 'exited' || r.stepsDone.length !== 0 || (child !== 'TERMINATED' && child !== 'CANCELLED')) throw new Error(`exit during survey: ${r.status}, child ${child}`);
      await recordRun(stack.temporal, out, commit, {
        workflowId: id, scenarioName: 'exit-during-survey',
        scenario: 'A survey step (CSAT child) interrupted by the exit event `unsubscribed` while the survey window is open: the step is left unfinished, the sequence exits and cancels the child before it closes (generation v2 left it to the default parent close policy, which terminated it). Dev server, real time.',
      });
      await recordRun(stack.temporal, out, commit, {
        workflowId: childId, scenarioName: 'terminated-with-parent',
        scenario: 'Child of the exit-during-survey sequence run: survey email sent, window open, cancelled by its enrollment as it exited (survey v1: terminated by the server when its parent closed). Dev server, real time.',
      });
    }
    {
      const C = 'replay-survey-terminated';
      await customer(C, 'zh-CN');
      await event(C, surveyTerminatedSequence.trigger.event, 1);
      const id = workflowIdFor(await identityKey(stack.db, stack.config), surveyTerminatedSequence.id, C, 'once');
      const childId = surveyWorkflowId(id, 'ces', 0);
      await eventually(async () => (await surveySent(childId)) > 0, 'the survey email', 30_000);
      await stack.temporal.workflow.getHandle(childId).terminate('operator stopped this survey');
      await eventually(() => closed(id), 'the sequence to end', 30_000);
      const r = await stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(id).result();
      const outcomes = r.stepsDone.map((d) => `${d.stepId}:${d.outcome}`).join(' ');
      if (r.status !== 'completed' || !/^ces:failed:.*after:sent( done:end)?$/.test(outcomes)) throw new Error(`survey terminated: ${outcomes}`);
      await recordRun(stack.temporal, out, commit, {
        workflowId: id, scenarioName: 'survey-child-terminated',
        scenario: 'A CES survey child terminated by an operator while its window is open: the survey step ends failed:<reason> and the sequence goes on (a send, end). Dev server, real time.',
      });
    }
  } finally {
    await stack.stop();
    await dev.teardown();
  }
}

type Hook = Awaited<ReturnType<typeof startWebhookReceiver>>;

class Recorder {
  private n = 0;
  /** A client without time skipping, for results. */
  private plain: Client;
  /** The identity key workflow ids are built from (client/api/identity.ts); set by `start`. */
  key = '';

  constructor(private s: FeedbackStack, private hook: Hook, private commit: string, private out: Recorded[]) {
    this.plain = new Client({ connection: s.env.connection });
  }

  // ---- helpers -------------------------------------------------------------------------------

  private async customer(id: string, profile: { locale: string; timeZone: string; country: string; attributes?: Record<string, unknown> }) {
    const res = await this.s.call('PUT', `/v1/customers/${id}`, {
      email: `${id}@example.com`, givenName: 'Kim', familyName: 'Lee', consent: { marketing: true }, ...profile,
    });
    if (res.status !== 200) throw new Error(`PUT customer ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** An event through the API: stored, signalled to the customer's running enrollments, starting matching sequences. */
  private async event(customerId: string, name: string, properties: Record<string, unknown> = {}): Promise<void> {
    const res = await this.s.call('POST', '/v1/events', {
      id: `${name}-${customerId}-${++this.n}`, customerId, name, occurredAt: new Date().toISOString(), properties,
    });
    if (res.status !== 202 && res.status !== 200) throw new Error(`POST event ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  private handle(workflowId: string): WorkflowHandle<typeof sequenceWorkflow> {
    return this.s.env.client.workflow.getHandle<typeof sequenceWorkflow>(workflowId);
  }

  private seqId(def: SequenceDefinition, customerId: string, entryKey = 'once'): string {
    return workflowIdFor(this.key, def.id, customerId, entryKey);
  }

  private mailTo(customerId: string, template?: string) {
    return this.s.sink.messages.filter((m) => m.envelope.to[0] === `${customerId}@example.com` && (!template || header(m, 'x-outreach-template') === template));
  }

  private ownerMail() {
    return this.s.sink.messages.filter((m) => m.envelope.to[0] === 'owner@acme.example');
  }

  private state(workflowId: string): Promise<EnrollmentState> {
    return this.handle(workflowId).query(stateQuery);
  }

  private async status(workflowId: string): Promise<string> {
    return (await this.s.env.client.workflow.getHandle(workflowId).describe()).status.name;
  }

  private closed(workflowId: string): Promise<boolean> {
    return this.status(workflowId).then((st) => st !== 'RUNNING');
  }

  /** Real-time poll (no time skipping) for work that needs no timer. */
  private until<T>(fn: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
    return eventually(fn, what, 30_000);
  }

  /** Lets test-server time pass in steps until `pred` holds. */
  private skip(pred: () => boolean | Promise<boolean>, what: string, step = '1 hour', max = 400): Promise<void> {
    return this.s.skipUntil(pred, { step, max, what });
  }

  /**
   * Lets time pass in steps until the workflow closes, then returns its result. Never through the
   * time-skipping client's result(): it unlocks time skipping, and once nothing is left to run the
   * test server jumps its clock about ten years ahead.
   */
  private async finish<R = EnrollmentState>(workflowId: string, what: string, step = '1 hour', max = 400): Promise<R> {
    await this.skip(() => this.closed(workflowId), what, step, max);
    return this.plain.workflow.getHandle(workflowId).result() as Promise<R>;
  }

  /** Moves the server clock to the next Monday-Thursday 10:00 UTC (evening in Tokyo, before dawn in New York). */
  private async alignTo10Utc(): Promise<void> {
    const now = DateTime.fromMillis(await this.s.env.currentTimeMs(), { zone: 'UTC' });
    let target = now.set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
    if (target <= now) target = target.plus({ days: 1 });
    while (target.weekday > 4) target = target.plus({ days: 1 });
    await this.s.env.sleep(target.toMillis() - now.toMillis());
  }

  /** Fetches one run's history and files it under its workflow type's current generation. */
  private async record(workflowId: string, runId: string | undefined, scenarioName: string, scenario: string, chain?: HistoryEntry['chain']): Promise<HistoryJson> {
    return recordRun(this.s.env.client, this.out, this.commit, { workflowId, runId, scenarioName, scenario, chain });
  }

  /** Records every run of a continueAsNew chain, oldest first, as `<scenario>-run<N>`. */
  private async recordChain(workflowId: string, scenarioName: string, describeRun: (run: number, of: number) => string): Promise<number> {
    const runIds = (await runChain(this.s.env.client, workflowId)).map((r) => r.runId).reverse();
    for (let i = 0; i < runIds.length; i++) {
      await this.record(workflowId, runIds[i], `${scenarioName}-run${i + 1}`, describeRun(i + 1, runIds.length), { run: i + 1, of: runIds.length });
    }
    return runIds.length;
  }

  // ---- sequenceWorkflow: every step kind, continueAsNew, surveys ------------------------------

  async everyStep(): Promise<void> {
    console.log('every step kind, continued as new');
    const E = 'replay-every';
    await this.customer(E, { locale: 'de', timeZone: 'Europe/Berlin', country: 'DE', attributes: { plan: 'pro' } });
    const def = everyStepSequence;
    const workflowId = this.seqId(def, E);
    // As the API starts an enrollment (client/api/enrollments.ts), plus a low historyLimit.
    await this.s.db.enrollment.create({ data: { workflowId, customerId: E, sequenceId: def.id, sequenceVersion: def.version, entryKey: 'once' } });
    const trigger: SequenceEvent = { id: `start-${E}`, name: def.trigger.event, occurredAt: new Date().toISOString(), properties: {} };
    await this.s.env.client.workflow.signalWithStart<typeof sequenceWorkflow, [SequenceEvent]>('sequenceWorkflow', {
      workflowId,
      taskQueue: this.s.taskQueue,
      args: [{ definition: def, customerId: E, entryKey: 'once', trigger, historyLimit: EVERY_STEP_HISTORY_LIMIT }],
      signal: eventSignal,
      signalArgs: [trigger],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [{ key: OutreachSequence, value: def.id }, { key: OutreachState, value: 'waiting' }] as never,
    });
    await this.until(async () => this.mailTo(E, 'onboarding-welcome').length === 1, 'the welcome (send now)');
    await this.until(async () => (await this.state(workflowId)).currentStep === 'settle', 'the business-day wait');
    // Arrives during the wait, is kept in the inbox (across continueAsNew) until `team` consumes it.
    await this.event(E, 'invited_team');
    await this.skip(async () => (await this.state(workflowId)).currentStep === 'value', 'the waitForEvent first_value', '2 hours');
    await this.s.env.sleep('1 hour');
    await this.event(E, 'first_value');
    await this.skip(async () => this.mailTo(E, 'csat-survey').length === 1, 'the CSAT survey email', '2 hours');

    // The customer clicks the lowest score; the alert waits for a comment during the grace period.
    const csatId = surveyWorkflowId(workflowId, 'csat', 0);
    const link = scoreLinks(this.mailTo(E, 'csat-survey')[0]).get(1);
    if (!link) throw new Error('no score-1 link in the CSAT email');
    const click = await this.s.click(link);
    if (click.status !== 200) throw new Error(`score click: ${click.status}`);
    const owner0 = this.ownerMail().length;
    await this.s.env.sleep('11 minutes'); // past ALERT_COMMENT_GRACE_MINUTES: the alert goes out without a comment
    await this.until(async () => this.ownerMail().length >= owner0 + 1, 'the low-score alert');
    // A comment after the alert: one follow-up alert.
    const comment = await this.s.fetch(link, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ score: '1', comment: 'Niemand hat geantwortet.' }).toString(),
    });
    if (comment.status !== 200) throw new Error(`comment: ${comment.status}`);
    await this.until(async () => this.ownerMail().length >= owner0 + 2 && this.hook.calls.length >= 2, 'the follow-up alert and both webhooks');
    await this.skip(async () => (await this.state(workflowId)).currentStep === 'month', 'the month wait after the survey', '2 hours');

    // A ticket closed within the fatigue period: another sequence's survey is skipped.
    await this.event(E, 'ticket_closed', { ticketId: 'T-1' });
    const fatigueId = this.seqId(fatigueSequence, E, 'key:T-1');
    await this.until(() => this.closed(fatigueId), 'the fatigue sequence to end');

    // The month, the NPS survey (unanswered, with its reminder) and the last steps.
    const result = await this.finish(workflowId, 'the end of the every-step enrollment', '6 hours');
    if (result.status !== 'completed') throw new Error(`every-step ended ${result.status}`);
    const outcomes = result.stepsDone.map((d) => `${d.stepId}:${d.outcome}`).join(' ');
    console.log(`  steps: ${outcomes}`);
    for (const expected of ['value:event', 'team:event', 'feature:timeout', 'csat:answered:1', 'low:case:1', 'nps:unanswered']) {
      if (!outcomes.includes(expected)) throw new Error(`every-step did not go through ${expected}: ${outcomes}`);
    }
    if (this.mailTo(E, 'survey-reminder').length !== 1) throw new Error('expected one survey reminder (the NPS one)');

    const runs = await this.recordChain(workflowId, 'every-step', (run, of) =>
      `Every step kind in one enrollment (exit.when checked before each step, never true), handed over by continueAsNew (historyLimit ${EVERY_STEP_HISTORY_LIMIT}): run ${run} of ${of}. ` +
      'Send now, 2-business-day wait (invited_team arrives into the inbox), send in business hours, waitForEvent met by a signal (first_value, goal), ' +
      'waitForEvent met from the carried inbox, waitForEvent timed out (business day), waitUntil Wednesday 10:00, CSAT survey child answered 1 with a later comment, ' +
      'branch on survey.score, send, split, 31-day wait (ticket_closed arrives into the inbox), NPS survey child unanswered, branch on survey.score (still the CSAT answer), send, end.');
    if (runs < 3) throw new Error(`expected several continued runs, got ${runs}`);
    await this.record(csatId, undefined, 'low-score-comment-follow-up',
      'Child of sequence-v2-every-step: CSAT answered 1 by a link click; no comment within the grace period, so the alert (email + webhook) goes out alone; the comment arrives later and raises one follow-up alert; window closes, answered.');
    await this.record(surveyWorkflowId(workflowId, 'nps', 0), undefined, 'unanswered-reminder',
      'Child of sequence-v2-every-step: NPS survey in business hours, unanswered; one reminder after 2 business days; the 5-day window closes unanswered.');
    await this.record(fatigueId, undefined, 'survey-skipped-fatigue',
      'Started by a ticket_closed event (oncePerKey ticketId) days after the customer answered a survey: the survey child is skipped (fatigue), branch otherwise, end.');
    await this.record(surveyWorkflowId(fatigueId, 'csat', 0), undefined, 'skipped-fatigue',
      'Child of sequence-v2-survey-skipped-fatigue: the fatigue gate is held by a survey 30 days ago at most, so the survey ends at once as skipped (fatigue).');
  }

  // ---- sequenceWorkflow: one behaviour each -------------------------------------------------

  async smallSequences(): Promise<void> {
    const trig = (def: SequenceDefinition) => def.trigger.event;

    console.log('exit by event');
    {
      const C = 'replay-exit-event';
      await this.customer(C, { locale: 'en', timeZone: 'America/New_York', country: 'US' });
      await this.event(C, trig(exitEventSequence));
      const id = this.seqId(exitEventSequence, C);
      await this.until(async () => this.mailTo(C).length === 1, 'the first email');
      await this.s.env.sleep('1 day');
      await this.event(C, 'purchase');
      const r = await this.finish(id, 'the exit');
      if (r.status !== 'exited' || r.exitReason !== 'event:purchase') throw new Error(`exit-event ended ${r.status} ${r.exitReason}`);
      await this.record(id, undefined, 'exit-event', 'Started by the API (signal-with-start); send now, then a 3-day wait during which the exit event `purchase` arrives: exited, nothing more sent.');
    }

    console.log('exit by attribute (exit.when)');
    {
      const C = 'replay-exit-when';
      const profile = { locale: 'en', timeZone: 'Europe/London', country: 'GB' };
      await this.customer(C, { ...profile, attributes: { plan: 'pro' } });
      await this.event(C, trig(exitWhenSequence));
      const id = this.seqId(exitWhenSequence, C);
      await this.until(async () => this.mailTo(C).length === 1, 'the first email');
      await this.s.env.sleep('1 day');
      await this.customer(C, { ...profile, attributes: { plan: 'cancelled' } });
      const r = await this.finish(id, 'the exit.when check');
      if (r.status !== 'exited' || r.exitReason !== 'condition') throw new Error(`exit-when ended ${r.status} ${r.exitReason}`);
      await this.record(id, undefined, 'exit-when', 'exit.when on customer.plan, checked before every step: send now, 3-day wait during which the profile changes to plan=cancelled; the check before the next step exits.');
    }

    console.log('pause and resume during a wait');
    {
      const C = 'replay-pause';
      await this.customer(C, { locale: 'ja', timeZone: 'Asia/Tokyo', country: 'JP' });
      await this.event(C, trig(pauseSequence));
      const id = this.seqId(pauseSequence, C);
      await this.until(async () => this.mailTo(C).length === 1 && (await this.state(id)).currentStep === 'wait', 'the wait');
      await this.handle(id).signal(pauseSignal);
      await this.s.env.sleep('6 days'); // the 2-business-day wait ends while paused
      const paused = await this.state(id);
      if (paused.status !== 'paused' || this.mailTo(C).length !== 1) throw new Error(`pause: ${JSON.stringify(paused)}`);
      await this.handle(id).signal(resumeSignal);
      const r = await this.finish(id, 'the send after the resume');
      if (r.status !== 'completed' || this.mailTo(C).length !== 2) throw new Error(`pause ended ${r.status}`);
      await this.record(id, undefined, 'pause-resume', 'Send now, paused during a 2-business-day wait that runs out while paused (the clock keeps running), held 6 days, resumed: the next send is scheduled from the resume, sent in business hours.');
    }

    console.log('cancel signal');
    {
      const C = 'replay-cancel';
      await this.customer(C, { locale: 'es', timeZone: 'America/Mexico_City', country: 'MX' });
      await this.event(C, trig(cancelSequence));
      const id = this.seqId(cancelSequence, C);
      await this.until(async () => this.mailTo(C).length === 1, 'the first email');
      await this.s.env.sleep('1 day');
      await this.handle(id).signal(cancelSignal, { reason: 'cancelled by operator' });
      const r = await this.finish(id, 'the cancel');
      if (r.status !== 'cancelled') throw new Error(`cancel ended ${r.status}`);
      await this.record(id, undefined, 'cancel-signal', 'Send now, then the ops `cancel` signal (as `outreach runs cancel` sends it) during a 3-day wait: cancelled, nothing more sent.');
    }

    console.log('cancelled through Temporal');
    {
      const C = 'replay-temporal-cancel';
      await this.customer(C, { locale: 'pt-BR', timeZone: 'America/Sao_Paulo', country: 'BR' });
      await this.event(C, trig(temporalCancelSequence));
      const id = this.seqId(temporalCancelSequence, C);
      await this.until(async () => this.mailTo(C).length === 1, 'the first email');
      await this.s.env.sleep('1 day');
      await this.handle(id).cancel();
      const r = await this.finish(id, 'the cancellation');
      if (r.status !== 'cancelled') throw new Error(`temporal cancel ended ${r.status}`);
      await this.record(id, undefined, 'temporal-cancel', 'Send now, then a Temporal cancellation request (`temporal workflow cancel`) during a 3-day wait: the workflow records the enrollment as cancelled in a non-cancellable scope and completes.');
    }

    console.log('profile change (time zone) during the wait for a send slot');
    {
      const C = 'replay-profile-change';
      const profile = { locale: 'en', timeZone: 'Asia/Tokyo', country: 'JP' };
      await this.customer(C, profile);
      await this.alignTo10Utc(); // 19:00 in Tokyo: the send waits for the next morning there
      await this.event(C, trig(profileChangeSequence));
      const id = this.seqId(profileChangeSequence, C);
      const before = await this.until(async () => {
        const st = await this.state(id);
        return st.next?.kind === 'send' && st.next.at ? st : undefined;
      }, 'the send slot');
      await this.customer(C, { ...profile, timeZone: 'America/New_York', country: 'US' }); // the API signals profileChanged
      const r = await this.finish(id, 'the send in New York');
      const sentAt = r.stepsDone.find((d) => d.stepId === 'hello')?.finishedAt;
      if (r.status !== 'completed' || sentAt === before.next!.at) throw new Error(`profile change: ${r.status} ${sentAt}`);
      await this.record(id, undefined, 'profile-change-send-slot', 'A send in business hours starting at 19:00 Tokyo time; while it waits for the Tokyo morning the customer moves to New York (PUT /v1/customers signals profileChanged): the slot is computed again and the email goes out in New York business hours.');
    }

    console.log('frequency cap deferral');
    {
      const C = 'replay-cap';
      await this.customer(C, { locale: 'en', timeZone: 'Europe/London', country: 'GB' });
      await this.event(C, trig(capSequence));
      const id = this.seqId(capSequence, C);
      const r = await this.finish(id, 'the deferred send');
      const m4 = r.stepsDone.find((d) => d.stepId === 'm4');
      if (r.status !== 'completed' || m4?.outcome !== 'sent' || this.mailTo(C).length !== 4) throw new Error(`cap: ${JSON.stringify(r.stepsDone)}`);
      if (Date.parse(m4.finishedAt) - Date.parse(r.stepsDone[0].finishedAt) < 5 * 86_400_000) throw new Error('the fourth email was not deferred');
      await this.record(id, undefined, 'frequency-cap-deferral', 'Four marketing emails `at: now` under MARKETING_CAP 3/7d: three go out at once, the fourth is deferred by the send activity (status deferred, retryAt) and sent at the next allowed slot about a week later.');
    }

    console.log('migration at a step boundary');
    {
      const C = 'replay-migration';
      await this.customer(C, { locale: 'en', timeZone: 'UTC', country: 'GB' });
      await this.event(C, trig(migrationV1));
      const id = this.seqId(migrationV1, C);
      await this.until(async () => {
        const st = await this.state(id);
        return st.currentStep === 'w1' && !!st.next;
      }, 'the first wait');
      // As `outreach sequence migrate --map old-send=wait-more` signals it.
      await this.handle(id).signal(migrateSignal, { definition: migrationV2, stepMap: { 'old-send': 'wait-more' } });
      const r = await this.finish(id, 'the migrated steps');
      const steps = r.stepsDone.map((d) => `${d.type}:${d.stepId}`).join(' ');
      if (r.sequenceVersion !== 2 || steps !== 'wait:w1 migration:old-send wait:wait-more send:new-send') throw new Error(`migration: ${steps}`);
      await this.record(id, undefined, 'migration', 'Version 1 (1-day wait, send) migrated during the wait to version 2 with stepMap old-send -> wait-more: the migration applies at the step boundary after the wait; version 2 goes on with its new wait and send.');
    }
  }

  // ---- the shipped onboarding, as production runs it ------------------------------------------

  async shippedOnboarding(): Promise<void> {
    console.log('shipped onboarding with an NPS promoter');
    const C = 'replay-onboarding';
    await this.customer(C, { locale: 'de', timeZone: 'Europe/Berlin', country: 'DE' });
    await this.event(C, 'signup');
    const def = shipped('onboarding');
    const id = this.seqId(def, C);
    await this.skip(async () => this.mailTo(C, 'nps-survey').length === 1, 'the NPS survey email', '6 hours');
    const link = scoreLinks(this.mailTo(C, 'nps-survey')[0]).get(9);
    if (!link || (await this.s.click(link)).status !== 200) throw new Error('NPS score click failed');
    const r = await this.finish(id, 'the end of the onboarding', '6 hours');
    const outcomes = r.stepsDone.map((d) => `${d.stepId}:${d.outcome}`).join(' ');
    if (r.status !== 'completed' || !outcomes.includes('nps:answered:9') || !outcomes.includes('thanks:sent')) throw new Error(`onboarding: ${outcomes}`);
    await this.record(id, undefined, 'onboarding-shipped', 'The shipped sequences/onboarding.yaml started by a signup event through the API: welcome, business-day waits, marketing tips, the 1-minute first_value check timing out into the nudge, check-in, NPS survey answered 9, thank-you.');
    await this.record(surveyWorkflowId(id, 'nps', 0), undefined, 'answered-promoter', 'Child of sequence-v2-onboarding-shipped: NPS answered 9 before the reminder was due: no reminder, no alert; window closes, answered.');
  }

  // ---- checkinWorkflow: one cycle per run ------------------------------------------------------

  async checkins(): Promise<void> {
    console.log('check-ins');
    const K = 'replay-checkin';
    const profile = { locale: 'ja', timeZone: 'Asia/Tokyo', country: 'JP' };
    await this.customer(K, profile);
    await this.alignTo10Utc(); // every cycle comes due at 19:00 in Tokyo and waits for a send slot
    const started = await startCheckin({ db: this.s.db, temporal: this.s.env.client, config: this.s.config, taskQueue: this.s.taskQueue }, K);
    if (!started.started) throw new Error(`check-in not started: ${started.reason}`);
    const id = checkinWorkflowId(this.key, K);
    const st = () => this.s.env.client.workflow.getHandle(id).query(checkinStateQuery);

    // Cycle 1: sent.
    await this.skip(async () => (await st()).cycle >= 1, 'the first check-in', '1 day', 40);
    if ((await st()).sent !== 1) throw new Error('first check-in not sent');

    // Cycle 2: another sequence emails the customer 4 days before the check-in is due.
    const due2 = Date.parse((await st()).nextAt!);
    await this.s.env.sleep(due2 - 4 * 86_400_000 - (await this.s.env.currentTimeMs()));
    await this.event(K, contactSequence.trigger.event);
    await this.until(async () => this.mailTo(K, 'onboarding-checkin').length === 1, 'the other email');
    await this.skip(async () => (await st()).cycle >= 2, 'the skipped check-in', '1 day', 10);
    if ((await st()).history[1]?.outcome !== 'skipped:recent-contact') throw new Error(`cycle 2: ${JSON.stringify((await st()).history)}`);

    // Cycle 3: paused before it is due, resumed three days after.
    const h = this.s.env.client.workflow.getHandle(id);
    await h.signal(pauseSignal);
    const due3 = Date.parse((await st()).nextAt!);
    await this.s.env.sleep(due3 + 3 * 86_400_000 - (await this.s.env.currentTimeMs()));
    if ((await st()).status !== 'paused' || (await st()).cycle !== 2) throw new Error('cycle 3 not held while paused');
    await h.signal(resumeSignal);
    await this.skip(async () => (await st()).cycle >= 3, 'the check-in after the resume', '2 hours', 40);
    if ((await st()).history[2]?.outcome !== 'sent') throw new Error('cycle 3 not sent');

    // Cycle 4: the customer moves while the check-in waits for its send slot.
    const due4 = Date.parse((await st()).nextAt!);
    await this.s.env.sleep(due4 + 3_600_000 - (await this.s.env.currentTimeMs()));
    const waiting = await h.query(stateQuery);
    if (waiting.currentStep !== 'wait' || waiting.next?.kind !== 'send') throw new Error(`cycle 4 not waiting for a slot: ${JSON.stringify(waiting.next)}`);
    await this.customer(K, { ...profile, timeZone: 'America/New_York', country: 'US' });
    await this.skip(async () => (await st()).cycle >= 4, 'the check-in after the move', '2 hours', 40);
    const sent4 = await this.s.db.sendLedger.findFirst({ where: { workflowId: id, iteration: 3 } });
    const local = DateTime.fromJSDate(sent4!.sentAt!, { zone: 'America/New_York' });
    if (local.hour < 9 || local.hour >= 17) throw new Error(`cycle 4 sent outside New York hours: ${local.toISO()}`);

    // Cycle 5: a stop event during the wait.
    await this.s.env.sleep('3 days');
    await this.event(K, 'churned');
    await this.until(() => this.closed(id), 'the check-ins to stop');
    const final = await st();
    if (final.status !== 'exited' || final.cycle !== 4 || final.sent !== 3 || final.skipped !== 1) throw new Error(`check-in end: ${JSON.stringify(final)}`);

    const names = ['cycle-sent', 'skip-recent-contact', 'pause-resume', 'profile-change-send-slot', 'stop-event'];
    const scenarios = [
      'First run: records the enrollment, plans the first check-in (28 days), waits, plans again, waits for the send slot (19:00 in Tokyo -> next morning), sends, continues as new.',
      'Second cycle: another sequence emailed the customer 4 days before the check-in is due, so it is skipped (recent contact); continues as new.',
      'Third cycle: paused before it is due and resumed 3 days after; the check-in goes out after the resume in business hours; continues as new.',
      'Fourth cycle: due at 19:00 in Tokyo, and while it waits for the send slot the customer moves to New York (profileChanged): the slot is computed again; sent; continues as new.',
      'Fifth cycle: a churned event (a stop event) arrives during the wait: the check-ins end (exited).',
    ];
    const runs = await this.recordChain(id, 'chain', (run) => scenarios[run - 1] ?? 'unexpected run');
    if (runs !== names.length) throw new Error(`expected ${names.length} check-in runs, got ${runs}`);
    // recordChain named them chain-runN: rename to what each cycle shows.
    const mine = this.out.filter((r) => r.entry.workflowId === id);
    mine.forEach((r, i) => (r.entry.file = `checkin-${GENERATIONS.checkinWorkflow!.generation}-${i + 1}-${names[i]}.json`));
  }

  // ---- helpRequestWorkflow --------------------------------------------------------------------

  async helpRequests(): Promise<void> {
    console.log('help requests');
    const prefix = (customerId: string) => helpRequestPrefix(this.key, customerId);
    const helpIdOf = async (customerId: string) =>
      (await this.s.db.sendLedger.findFirst({ where: { workflowId: { startsWith: prefix(customerId) } } }))?.workflowId;

    // From the first check-in email: the alert email and the webhook both go through.
    const K = 'replay-checkin';
    const help = linkIn(this.mailTo(K, 'periodic-checkin')[0], /\/h\//);
    if ((await this.s.click(help)).status !== 200) throw new Error('help click failed');
    const okId = await this.until(() => helpIdOf(K), 'the help alert');
    await this.until(() => this.closed(okId), 'the help request to end');
    const ok = await this.plain.workflow.getHandle<typeof helpRequestWorkflow>(okId).result();
    if (ok.email !== 'sent' || ok.webhook !== 'posted') throw new Error(`help: ${JSON.stringify(ok)}`);
    await this.record(okId, undefined, 'email-webhook', 'The "I need help" link of a check-in email (GET /h/<token>): the alert email to the account owner is sent and the webhook posted.');

    // From the frequency-cap customer's email, while the webhook receiver answers 503 to everything:
    // Temporal retries it for about a day, then the workflow gives up on it.
    const C = 'replay-cap';
    this.hook.failNext(1_000_000);
    try {
      const link = linkIn(this.mailTo(C, 'periodic-checkin')[0], /\/h\//);
      if ((await this.s.click(link)).status !== 200) throw new Error('help click failed');
      const failId = await this.until(() => helpIdOf(C), 'the second help alert');
      const failed = await this.finish<Awaited<ReturnType<typeof helpRequestWorkflow>>>(failId, 'the webhook to give up', '1 hour', 60);
      if (failed.email !== 'sent' || failed.webhook !== 'failed') throw new Error(`help: ${JSON.stringify(failed)}`);
      await this.record(failId, undefined, 'webhook-gives-up', 'The "I need help" link of a sequence email while the webhook receiver answers HTTP 503: the alert email is sent; the webhook activity is retried by Temporal (30 attempts, up to an hour apart) and fails; the workflow completes with webhook "failed".');
    } finally {
      this.hook.failNext(0);
    }
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
