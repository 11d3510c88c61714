// Runs as ops see them, shared by the `outreach runs` CLI and the dashboard's JSON endpoints.
// Everything here reads Temporal's visibility store through the engine's search attributes
// (OutreachSequence, OutreachStep, OutreachState, OutreachNextActionAt: no personal data), scoped to
// the engine's task queue so several deployments (or test stacks) can share one namespace. Details of
// one run come from its `state` query, its history and the send ledger.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { Db } from '../../activities/db/client';
import { OutreachNextActionAt, OutreachSequence, OutreachState, OutreachStep } from '../../domain/search-attributes';
import {
  cancelSignal, cancelUpdate, pauseSignal, pauseUpdate, resumeSignal, resumeUpdate, stateQuery, type EnrollmentState, type NextAction, type OpsState, type StepRecord,
} from '../../workflows/sequence/messages';

export const RUN_STATES: readonly OpsState[] = ['waiting', 'sending', 'paused', 'failed', 'completed'];
export const RUN_ACTIONS = ['pause', 'resume', 'cancel'] as const;
export type RunAction = (typeof RUN_ACTIONS)[number];

/** The workflow type of sequence enrollments (surveys run as its children and show in its timeline). */
export const SEQUENCE_WORKFLOW_TYPE = 'sequenceWorkflow';

/** temporal.api.enums.v1.WorkflowExecutionStatus, by number, as visibility and describe report it. */
const EXECUTION_STATUS = ['Unspecified', 'Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut'] as const;
export type ExecutionStatusName = (typeof EXECUTION_STATUS)[number];
const FAILED_STATUSES: ExecutionStatusName[] = ['Failed', 'TimedOut', 'Terminated'];

export interface RunsContext {
  temporal: Client;
  namespace: string;
  taskQueue: string;
  /** Base of Temporal's Web UI (TEMPORAL_UI_URL) for links to a run. */
  temporalUiUrl: string;
  db?: Db;
}

export interface RunFilter {
  sequence?: string;
  state?: OpsState;
  /** Only runs whose next action is due before this instant. */
  nextBefore?: Date;
  /** Only runs whose next action is due at or after this instant. */
  nextAfter?: Date;
  /** Only open runs (bulk actions). */
  runningOnly?: boolean;
}

export interface RunSummary {
  workflowId: string;
  runId: string;
  sequence: string | null;
  step: string | null;
  state: OpsState;
  executionStatus: ExecutionStatusName;
  /** UTC instant of the next action, from the OutreachNextActionAt search attribute. */
  nextActionAt: string | null;
  /** The same instant in the customer's zone, when the run was asked (running runs only). */
  nextActionLocal?: string | null;
  nextActionZone?: string | null;
  nextActionKind?: string | null;
  startedAt: string | null;
  closedAt: string | null;
  temporalUrl: string;
}

export class RunQueryError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
    this.name = 'RunQueryError';
  }
}

/** Identifiers that go into a visibility query: marketer-defined slugs, nothing that needs escaping. */
const SAFE_VALUE = /^[A-Za-z0-9_.:\-/]{1,200}$/;

export function checkQueryValue(value: string, field: string): string {
  if (!SAFE_VALUE.test(value)) throw new RunQueryError(`${field} "${value}" may only contain letters, digits and _ . : - /`, field);
  return value;
}

export function isRunState(s: string): s is OpsState {
  return (RUN_STATES as readonly string[]).includes(s);
}

/** Parses an ISO-8601 instant with a date and time (a bare date means midnight UTC). */
export function parseInstant(raw: string, field: string): Date {
  const ok = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw);
  const t = ok ? Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw) : NaN;
  if (Number.isNaN(t)) throw new RunQueryError(`${field} "${raw}" is not an ISO-8601 instant, e.g. 2026-12-01T09:00:00Z`, field);
  return new Date(t);
}

export function temporalUiLink(base: string, namespace: string, workflowId: string): string {
  return `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The visibility query (Temporal's SQL-like list filter) of a filter, always within our task queue. */
export function visibilityQuery(ctx: Pick<RunsContext, 'taskQueue'>, f: RunFilter = {}, workflowType = SEQUENCE_WORKFLOW_TYPE): string {
  const q = [`TaskQueue = '${checkQueryValue(ctx.taskQueue, 'taskQueue')}'`, `WorkflowType = '${workflowType}'`];
  // A run that continued as new lives on in its successor (same workflow id): list only that one.
  q.push(`ExecutionStatus != 'ContinuedAsNew'`);
  if (f.sequence) q.push(`${OutreachSequence.name} = '${checkQueryValue(f.sequence, 'sequence')}'`);
  if (f.runningOnly) q.push(`ExecutionStatus = 'Running'`);
  switch (f.state) {
    case undefined:
      break;
    case 'failed':
      q.push(`(ExecutionStatus IN (${FAILED_STATUSES.map((s) => `'${s}'`).join(', ')}) OR ${OutreachState.name} = 'failed')`);
      break;
    case 'completed':
      q.push(`ExecutionStatus IN ('Completed', 'Canceled')`, `${OutreachState.name} != 'failed'`);
      break;
    default:
      q.push(`ExecutionStatus = 'Running'`, `${OutreachState.name} = '${f.state}'`);
  }
  if (f.nextBefore) q.push(`${OutreachNextActionAt.name} < '${f.nextBefore.toISOString()}'`);
  if (f.nextAfter) q.push(`${OutreachNextActionAt.name} >= '${f.nextAfter.toISOString()}'`);
  return q.join(' AND ');
}

/** The ops state of a run from its execution status and its OutreachState attribute. */
export function runState(status: ExecutionStatusName, attr: string | undefined): OpsState {
  if (FAILED_STATUSES.includes(status) || attr === 'failed') return 'failed';
  if (status === 'Running') return attr && isRunState(attr) && attr !== 'completed' ? attr : 'waiting';
  return 'completed';
}

interface RawExecution {
  execution?: { workflowId?: string | null; runId?: string | null } | null;
  status?: number | null;
  startTime?: Parameters<typeof optionalTsToMs>[0];
  closeTime?: Parameters<typeof optionalTsToMs>[0];
  searchAttributes?: { indexedFields?: Parameters<typeof decodeTypedSearchAttributes>[0] } | null;
}

function iso(ts: Parameters<typeof optionalTsToMs>[0]): string | null {
  const ms = optionalTsToMs(ts);
  return ms === undefined ? null : new Date(ms).toISOString();
}

function summarize(ctx: RunsContext, e: RawExecution): RunSummary {
  const attrs = decodeTypedSearchAttributes(e.searchAttributes?.indexedFields);
  const status = EXECUTION_STATUS[e.status ?? 0] ?? 'Unspecified';
  const next = attrs.get(OutreachNextActionAt) as Date | undefined;
  const workflowId = e.execution?.workflowId ?? '';
  const state = runState(status, attrs.get(OutreachState) as string | undefined);
  return {
    workflowId,
    runId: e.execution?.runId ?? '',
    sequence: (attrs.get(OutreachSequence) as string | undefined) ?? null,
    step: (attrs.get(OutreachStep) as string | undefined) ?? null,
    state,
    executionStatus: status,
    nextActionAt: status === 'Running' && next ? next.toISOString() : null,
    startedAt: iso(e.startTime),
    closedAt: iso(e.closeTime),
    temporalUrl: temporalUiLink(ctx.temporalUiUrl, ctx.namespace, workflowId),
  };
}

export interface RunPage {
  runs: RunSummary[];
  /** Opaque token for the next page; absent on the last page. */
  nextPageToken?: string;
}

/** One page of runs, newest first (Temporal's visibility order). */
export async function listRuns(ctx: RunsContext, filter: RunFilter, page: { pageSize?: number; pageToken?: string } = {}): Promise<RunPage> {
  let token: Uint8Array | undefined;
  if (page.pageToken) {
    token = Buffer.from(page.pageToken, 'base64url');
    if (token.length === 0) throw new RunQueryError('pageToken is not a token returned by a previous page', 'pageToken');
  }
  const res = await ctx.temporal.workflowService.listWorkflowExecutions({
    namespace: ctx.namespace,
    query: visibilityQuery(ctx, filter),
    pageSize: Math.max(1, Math.min(page.pageSize ?? 50, 1000)),
    nextPageToken: token,
  });
  const runs = (res.executions ?? []).map((e) => summarize(ctx, e as RawExecution));
  const next = res.nextPageToken && res.nextPageToken.length ? Buffer.from(res.nextPageToken).toString('base64url') : undefined;
  return { runs, ...(next ? { nextPageToken: next } : {}) };
}

/** Every run matching a filter, page by page (bulk actions). */
export async function* allRuns(ctx: RunsContext, filter: RunFilter): AsyncGenerator<RunSummary> {
  let pageToken: string | undefined;
  do {
    const page = await listRuns(ctx, filter, { pageSize: 1000, pageToken });
    yield* page.runs;
    pageToken = page.nextPageToken;
  } while (pageToken);
}

export async function countRuns(ctx: RunsContext, filter: RunFilter): Promise<number> {
  return (await ctx.temporal.workflow.count(visibilityQuery(ctx, filter))).count;
}

/** The run's own state (query), or undefined when no worker answers within `ms`. */
export async function queryState(ctx: RunsContext, workflowId: string, runId?: string, ms = 5000): Promise<EnrollmentState | undefined> {
  try {
    return await ctx.temporal.connection.withDeadline(Date.now() + ms, () => ctx.temporal.workflow.getHandle(workflowId, runId).query(stateQuery));
  } catch {
    return undefined;
  }
}

/** Adds the local time of the next action to running runs, asking each run (a few at a time). */
export async function withLocalTimes(ctx: RunsContext, runs: RunSummary[], concurrency = 8): Promise<RunSummary[]> {
  const queue = runs.filter((r) => r.executionStatus === 'Running');
  async function work() {
    for (let r = queue.shift(); r; r = queue.shift()) {
      const s = await queryState(ctx, r.workflowId, r.runId, 3000);
      if (!s) continue;
      r.nextActionLocal = s.next?.local ?? null;
      r.nextActionZone = s.next?.zone ?? null;
      r.nextActionKind = s.next?.kind ?? null;
      if (s.next?.at && !r.nextActionAt) r.nextActionAt = s.next.at;
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, work));
  return runs;
}

export interface LedgerEntry {
  workflowId: string;
  stepId: string;
  iteration: number;
  templateId: string;
  locale: string;
  category: string;
  status: string;
  attempts: number;
  error: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface TimelineEntry extends Partial<StepRecord> {
  stepId: string;
  /** The email of this step (send ledger), when it sent or tried to send one. */
  email?: LedgerEntry;
  /** True for an email the run tried to send without finishing the step (failed, retrying, ambiguous). */
  unfinished?: boolean;
}

export interface FailureInfo {
  message: string;
  type?: string;
  activityType?: string;
  /** Attempts of the failing activity, when the history shows them. */
  attempts?: number;
  retryState?: string;
}

export interface PendingActivityInfo {
  activityType: string;
  attempt: number;
  state: string;
  lastFailure?: string;
  nextAttemptAt?: string | null;
}

export interface RunDetail extends RunSummary {
  sequenceVersion?: number;
  status?: EnrollmentState['status'];
  exitReason?: string;
  variant?: string;
  next?: NextAction | null;
  timeline: TimelineEntry[];
  failure?: FailureInfo;
  pendingActivities: PendingActivityInfo[];
  historyLength?: number;
  /** Why steps are missing, when the run could not be asked (no worker) and is not completed. */
  note?: string;
}

function ledgerView(r: {
  workflowId: string; stepId: string; iteration: number; templateId: string; locale: string; category: string; status: string;
  attempts: number; error: string | null; createdAt: Date; sentAt: Date | null;
}): LedgerEntry {
  return {
    workflowId: r.workflowId, stepId: r.stepId, iteration: r.iteration, templateId: r.templateId, locale: r.locale, category: r.category,
    status: r.status, attempts: r.attempts, error: r.error, createdAt: r.createdAt.toISOString(), sentAt: r.sentAt?.toISOString() ?? null,
  };
}

/** Send-ledger rows of a run and of its survey children (their ids start with "<run>-survey-"). */
export async function ledgerOf(db: Db, workflowId: string): Promise<LedgerEntry[]> {
  // Narrowed to the run's customer first: a prefix match alone (LIKE 'x%') cannot use an index in a
  // PostgreSQL database with a linguistic collation (the usual default) and scans the whole ledger.
  const owner = await db.enrollment.findUnique({ where: { workflowId }, select: { customerId: true } });
  const ofRun = { OR: [{ workflowId }, { workflowId: { startsWith: `${workflowId}-survey-` } }] };
  const rows = await db.sendLedger.findMany({
    where: owner ? { customerId: owner.customerId, ...ofRun } : ofRun,
    orderBy: { createdAt: 'asc' },
    select: { workflowId: true, stepId: true, iteration: true, templateId: true, locale: true, category: true, status: true, attempts: true, error: true, createdAt: true, sentAt: true },
  });
  return rows.map(ledgerView);
}

/** Steps done joined with their emails; emails of steps not finished come last, flagged. */
export function buildTimeline(stepsDone: StepRecord[], ledger: LedgerEntry[], workflowId: string): TimelineEntry[] {
  const used = new Set<LedgerEntry>();
  const timeline: TimelineEntry[] = stepsDone.map((s) => {
    const email = ledger.find((l) => !used.has(l) && l.workflowId === workflowId && l.stepId === s.stepId && l.iteration === s.iteration)
      // A survey step's emails are its child's (step "survey" of "<run>-survey-<step>-<iteration>").
      ?? ledger.find((l) => !used.has(l) && l.workflowId === `${workflowId}-survey-${s.stepId}-${s.iteration}` && l.stepId === 'survey');
    if (email) used.add(email);
    return { ...s, ...(email ? { email } : {}) };
  });
  for (const l of ledger) {
    if (used.has(l)) continue;
    const surveyChild = l.workflowId !== workflowId;
    timeline.push({ stepId: surveyChild ? `${l.workflowId.slice(workflowId.length + 1)}/${l.stepId}` : l.stepId, iteration: l.iteration, email: l, unfinished: !surveyChild && l.status !== 'sent' });
  }
  return timeline;
}

interface RawFailure {
  message?: string | null;
  cause?: RawFailure | null;
  applicationFailureInfo?: { type?: string | null } | null;
  activityFailureInfo?: { activityType?: { name?: string | null } | null; retryState?: number | null } | null;
  timeoutFailureInfo?: unknown;
  terminatedFailureInfo?: unknown;
}

const RETRY_STATES = ['Unspecified', 'InProgress', 'NonRetryableFailure', 'Timeout', 'MaximumAttemptsReached', 'RetryPolicyNotSet', 'InternalServerError', 'CancelRequested'];

/** The innermost message of a failure chain, with the application error type and failing activity. */
export function describeFailure(f: RawFailure | null | undefined): FailureInfo | undefined {
  if (!f) return undefined;
  const info: FailureInfo = { message: f.message ?? 'failed' };
  for (let c: RawFailure | null | undefined = f; c; c = c.cause) {
    if (c.activityFailureInfo) {
      info.activityType = c.activityFailureInfo.activityType?.name ?? undefined;
      info.retryState = RETRY_STATES[c.activityFailureInfo.retryState ?? 0];
    }
    if (c.applicationFailureInfo?.type) info.type = c.applicationFailureInfo.type;
    if (c.message) info.message = c.message;
  }
  return info;
}

/** Why a closed run failed, from its close event only (one small read, no full history). */
export async function closeFailure(ctx: RunsContext, workflowId: string, runId?: string): Promise<FailureInfo | undefined> {
  const res = await ctx.temporal.workflowService.getWorkflowExecutionHistory({
    namespace: ctx.namespace,
    execution: { workflowId, runId },
    historyEventFilterType: 2, // HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT
  });
  const ev = res.history?.events?.[0];
  if (!ev) return undefined;
  if (ev.workflowExecutionFailedEventAttributes) return describeFailure(ev.workflowExecutionFailedEventAttributes.failure as RawFailure);
  if (ev.workflowExecutionTimedOutEventAttributes) return { message: 'the workflow timed out', type: 'Timeout' };
  if (ev.workflowExecutionTerminatedEventAttributes) {
    const reason = ev.workflowExecutionTerminatedEventAttributes.reason;
    return { message: reason ? `terminated: ${reason}` : 'terminated', type: 'Terminated' };
  }
  return undefined;
}

/** Attempts of the activity that failed last, from the full history (one run's detail only). */
async function failedActivityAttempts(ctx: RunsContext, workflowId: string, runId: string): Promise<number | undefined> {
  const history = await ctx.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
  const started = new Map<string, number>();
  let attempts: number | undefined;
  for (const ev of history.events ?? []) {
    if (ev.activityTaskStartedEventAttributes) started.set(String(ev.activityTaskStartedEventAttributes.scheduledEventId), ev.activityTaskStartedEventAttributes.attempt ?? 1);
    if (ev.activityTaskFailedEventAttributes) attempts = started.get(String(ev.activityTaskFailedEventAttributes.scheduledEventId)) ?? attempts;
  }
  return attempts;
}

const PENDING_STATES = ['Unspecified', 'Scheduled', 'Started', 'CancelRequested', 'Paused', 'PauseRequested'];

/** One run in full: summary, steps done with their emails, next action, failure or retrying activity. */
export async function runDetail(ctx: RunsContext, workflowId: string): Promise<RunDetail | undefined> {
  const handle = ctx.temporal.workflow.getHandle(workflowId);
  let desc;
  try {
    desc = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  const raw = desc.raw;
  const summary = summarize(ctx, raw.workflowExecutionInfo as RawExecution);
  const runId = summary.runId;
  const ledger = ctx.db ? await ledgerOf(ctx.db, workflowId) : [];
  let state = await queryState(ctx, workflowId, runId);
  let note: string | undefined;
  if (!state && summary.executionStatus === 'Completed') {
    state = await handle.result().catch(() => undefined) as EnrollmentState | undefined;
  }
  if (!state) note = 'the run did not answer its state query (is a worker running?): steps are taken from the send ledger only';
  const failure = FAILED_STATUSES.includes(summary.executionStatus) ? await closeFailure(ctx, workflowId, runId).catch(() => undefined) : undefined;
  if (failure?.activityType) failure.attempts = await failedActivityAttempts(ctx, workflowId, runId).catch(() => undefined);
  if (failure && !failure.attempts) {
    const row = ledger.find((l) => l.status !== 'sent' && l.workflowId === workflowId);
    if (row) failure.attempts = row.attempts;
  }
  const pendingActivities: PendingActivityInfo[] = (raw.pendingActivities ?? []).map((p) => ({
    activityType: p.activityType?.name ?? '',
    attempt: p.attempt ?? 1,
    state: PENDING_STATES[p.state ?? 0] ?? String(p.state),
    lastFailure: p.lastFailure ? describeFailure(p.lastFailure as RawFailure)?.message : undefined,
    nextAttemptAt: iso(p.nextAttemptScheduleTime),
  }));
  const next = summary.executionStatus === 'Running' ? state?.next ?? null : null;
  if (state) {
    summary.sequence ??= state.sequenceId;
    summary.step ??= state.currentStep ?? null;
    if (summary.state !== 'failed' && summary.executionStatus === 'Running' && state.status === 'paused') summary.state = 'paused';
  }
  return {
    ...summary,
    nextActionAt: next?.at ?? summary.nextActionAt,
    nextActionLocal: next?.local ?? null,
    nextActionZone: next?.zone ?? null,
    nextActionKind: next?.kind ?? null,
    sequenceVersion: state?.sequenceVersion,
    status: state?.status,
    exitReason: state?.exitReason,
    variant: state?.variant,
    next,
    timeline: buildTimeline(state?.stepsDone ?? [], ledger, workflowId),
    ...(failure ? { failure } : {}),
    pendingActivities,
    historyLength: Number(raw.workflowExecutionInfo?.historyLength ?? 0) || undefined,
    ...(note ? { note } : {}),
  };
}

export interface ActionResult {
  workflowId: string;
  ok: boolean;
  error?: string;
}

/**
 * Signals one run. Pause and resume also mark the Enrollment row (the workflow records only its
 * start and end there); cancel is the workflow's graceful `cancel` signal, after which the workflow
 * records `cancelled` itself through its recordEnrollment activity.
 */
/** How long an ops action waits for the run to accept or refuse it (a worker must be running). */
export const ACTION_TIMEOUT_MS = 20_000;

/**
 * Pause, resume or cancel a run through its Update (the run's validator refuses an action that does
 * not apply, and the caller learns it at once); runs started by releases without these Updates get
 * the signal instead.
 */
export async function actOnRun(ctx: RunsContext, workflowId: string, action: RunAction, reason?: string): Promise<ActionResult> {
  const handle = ctx.temporal.workflow.getHandle(workflowId);
  const update = action === 'pause' ? pauseUpdate : action === 'resume' ? resumeUpdate : cancelUpdate;
  try {
    const call = action === 'cancel'
      ? handle.executeUpdate(cancelUpdate, { args: [{ reason: reason ?? 'cancelled by operator' }] })
      : handle.executeUpdate(update as typeof pauseUpdate);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ACTION_TIMEOUT_MS)));
    const r = await Promise.race([call, late]).finally(() => clearTimeout(timer));
    call.catch(() => undefined);
    if (r === 'late') {
      return { workflowId, ok: false, error: `the run did not answer within ${ACTION_TIMEOUT_MS / 1000} s (is a worker running?); the ${action} may still apply when a worker picks it up` };
    }
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || /not found|already completed|workflow execution.*(closed|completed)/i.test((err as Error).message)) {
      return { workflowId, ok: false, error: 'no running workflow with this id (it may have finished)' };
    }
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause as Error | undefined;
      const message = cause?.message ?? err.message;
      // A run from a release without this Update: fall back to the signal it knows.
      if (/no registered handler|not registered|unknown update|handler.*not found/i.test(message)) return signalRun(ctx, workflowId, action, reason);
      return { workflowId, ok: false, error: message.split('\n')[0]! };
    }
    return { workflowId, ok: false, error: (err as Error).message.split('\n')[0]! };
  }
  await recordAction(ctx, workflowId, action);
  return { workflowId, ok: true };
}

async function signalRun(ctx: RunsContext, workflowId: string, action: RunAction, reason?: string): Promise<ActionResult> {
  const handle = ctx.temporal.workflow.getHandle(workflowId);
  try {
    if (action === 'pause') await handle.signal(pauseSignal);
    else if (action === 'resume') await handle.signal(resumeSignal);
    else await handle.signal(cancelSignal, { reason: reason ?? 'cancelled by operator' });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { workflowId, ok: false, error: 'no running workflow with this id (it may have finished)' };
    return { workflowId, ok: false, error: (err as Error).message.split('\n')[0]! };
  }
  await recordAction(ctx, workflowId, action);
  return { workflowId, ok: true };
}

async function recordAction(ctx: RunsContext, workflowId: string, action: RunAction): Promise<void> {
  if (ctx.db && action !== 'cancel') {
    await ctx.db.enrollment.updateMany({
      where: { workflowId, status: { in: ['running', 'paused'] } },
      data: { status: action === 'pause' ? 'paused' : 'running' },
    });
  }
}

/** Waits (up to `ms`) for a cancelled run to close, so its Enrollment row shows `cancelled`. */
export async function awaitClosed(ctx: RunsContext, workflowId: string, ms = 15_000): Promise<string | undefined> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const d = await ctx.temporal.workflow.getHandle(workflowId).describe().catch(() => undefined);
    if (d && d.status.name !== 'RUNNING') return d.status.name;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}
