// Customer profiles: create/update (signalling running enrollments when the calendar changed),
// listing enrollments, and erasure.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../activities/db/client';
import type { Config } from '../../domain/config';
import { canonicalCountry, canonicalRegion, canonicalTimeZone } from '../../domain/calendar/validation';
import { opaqueId } from '../../domain/signed-links';
import { helpRequestPrefix } from './routes/help';
import { identityKey } from './identity';
import { profileChangedSignal, stateQuery, type EnrollmentState } from '../../workflows/sequence/messages';
import type { CustomerInput } from './schemas';

export interface CustomerDeps {
  db: Db;
  temporal: Client;
  config: Config;
}

export async function upsertCustomer(deps: CustomerDeps, id: string, b: CustomerInput): Promise<{ id: string; created: boolean }> {
  const { db, config } = deps;
  const before = await db.customer.findUnique({ where: { id } });
  const country = b.country ? canonicalCountry(b.country) ?? b.country : null;
  const data = {
    email: b.email.trim(),
    givenName: b.givenName ?? null,
    familyName: b.familyName ?? null,
    title: b.title ?? null,
    gender: b.gender ?? null,
    locale: b.locale ? Intl.getCanonicalLocales(b.locale)[0] : before?.locale ?? config.defaultLocale,
    timeZone: b.timeZone ? canonicalTimeZone(b.timeZone) ?? b.timeZone : null,
    country,
    region: b.region && country ? canonicalRegion(country, b.region) ?? b.region : null,
    formality: b.formality ?? null,
    attributes: JSON.stringify(b.attributes ?? {}),
    ...(b.consent?.marketing !== undefined ? { consentMarketing: b.consent.marketing, consentUpdatedAt: new Date() } : {}),
  };
  const saved = await db.customer.upsert({ where: { id }, create: { id, ...data }, update: data });
  const calendarChanged = before && (before.timeZone !== saved.timeZone || before.country !== saved.country || before.region !== saved.region);
  if (calendarChanged) {
    // Waits in progress move with the customer's calendar (updatable timers in the workflow).
    const running = await db.enrollment.findMany({ where: { customerId: id, status: { in: ['running', 'paused'] } } });
    const version = saved.updatedAt.getTime();
    await Promise.all(
      running.map((e) =>
        deps.temporal.workflow
          .getHandle(e.workflowId)
          .signal(profileChangedSignal, { timeZone: saved.timeZone, country: saved.country, region: saved.region, version })
          .catch((err) => {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }),
      ),
    );
  }
  if (config.checkins.autoStart && saved.consentMarketing) {
    // Periodic check-ins start with the first save that has marketing consent (CHECKIN_AUTO_START; client/api/checkins.ts).
    await (require('./checkins') as typeof import('./checkins')).autoStartCheckin(deps, id);
  }
  return { id, created: !before };
}

export interface EnrollmentView {
  workflowId: string;
  sequenceId: string;
  sequenceVersion: number;
  entryKey: string;
  status: string;
  currentStep: string | null;
  startedAt: string;
  endedAt: string | null;
  next?: EnrollmentState['next'];
  stepsDone?: EnrollmentState['stepsDone'];
}

export async function listEnrollments(deps: CustomerDeps, customerId: string): Promise<EnrollmentView[] | undefined> {
  const customer = await deps.db.customer.findUnique({ where: { id: customerId } });
  if (!customer) return undefined;
  const rows = await deps.db.enrollment.findMany({ where: { customerId }, orderBy: { startedAt: 'asc' } });
  return Promise.all(
    rows.map(async (r) => {
      const view: EnrollmentView = {
        workflowId: r.workflowId, sequenceId: r.sequenceId, sequenceVersion: r.sequenceVersion, entryKey: r.entryKey,
        status: r.status, currentStep: r.currentStep, startedAt: r.startedAt.toISOString(), endedAt: r.endedAt?.toISOString() ?? null,
      };
      if (r.status === 'running' || r.status === 'paused') {
        // Live state from the workflow itself: where it waits and until when.
        try {
          const s = await deps.temporal.workflow.getHandle(r.workflowId).query(stateQuery);
          Object.assign(view, { status: s.status, currentStep: s.currentStep ?? null, next: s.next, stepsDone: s.stepsDone });
        } catch {
          // A workflow that cannot answer right now is shown with its stored state.
        }
      }
      return view;
    }),
  );
}

/** A visibility-query string literal. */
const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * Erasure: terminates and deletes every workflow execution that holds the customer's data, deletes
 * the profile and events, anonymizes the send ledger and survey answers (kept for counts), and
 * writes an audit record that holds no personal data. The executions are each enrollment (every run
 * of a continued-as-new chain), its survey children, and the customer's help requests: all found in
 * Temporal's visibility store by workflow id, plus any other workflow the ledger says emailed them.
 */
export async function eraseCustomer(deps: CustomerDeps, customerId: string): Promise<{ erased: boolean; workflows: number }> {
  const { db, temporal, config } = deps;
  const customer = await db.customer.findUnique({ where: { id: customerId } });
  if (!customer) return { erased: false, workflows: 0 };
  const key = await identityKey(db, config);
  const subject = `erased-${opaqueId(key, customerId)}`;
  const enrollments = await db.enrollment.findMany({ where: { customerId } });
  const ledgerWorkflows = await db.sendLedger.findMany({ where: { customerId }, select: { workflowId: true }, distinct: ['workflowId'] });
  const roots = [...new Set([...enrollments.map((e) => e.workflowId), ...ledgerWorkflows.map((l) => l.workflowId)])];
  const namespace = config.temporal.namespace;
  const deleted = new Set<string>();
  const remove = async (workflowId: string, runId?: string) => {
    // Deleting a running execution terminates it and removes its history at once; for a closed one
    // Temporal removes the history shortly after. Either way nothing of the customer stays there.
    try {
      await temporal.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId, ...(runId ? { runId } : {}) } });
      deleted.add(workflowId);
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
    }
  };
  // Every run visibility knows of (earlier runs, survey children, help requests), listed before
  // anything is deleted; then deleted children first, so no parent-close policy races a deletion.
  const clauses = [
    ...roots.flatMap((id) => [`WorkflowId = ${quote(id)}`, `WorkflowId STARTS_WITH ${quote(`${id}-survey-`)}`]),
    `WorkflowId STARTS_WITH ${quote(helpRequestPrefix(key, customerId))}`,
  ];
  const runs: Array<{ workflowId: string; runId: string }> = [];
  for (let i = 0; i < clauses.length; i += 50) {
    for await (const run of temporal.workflow.list({ query: clauses.slice(i, i + 50).join(' OR ') })) runs.push({ workflowId: run.workflowId, runId: run.runId });
  }
  const childFirst = (id: string) => (id.includes('-survey-') ? 0 : 1);
  runs.sort((a, b) => childFirst(a.workflowId) - childFirst(b.workflowId));
  for (const run of runs) await remove(run.workflowId, run.runId);
  // Then the latest run of each one by id: it may be too new for visibility to list it yet.
  for (const id of [...roots].sort((a, b) => childFirst(a) - childFirst(b))) await remove(id);
  const workflows = deleted.size;
  await db.$transaction([
    // The stored send request may hold event properties: it goes too.
    db.sendLedger.updateMany({ where: { customerId }, data: { customerId: subject, request: null } }),
    db.surveyResponse.updateMany({ where: { customerId }, data: { customerId: subject, comment: null } }),
    db.customer.delete({ where: { id: customerId } }), // events and enrollments cascade
    db.auditLog.create({ data: { action: 'customer.erased', subject, details: JSON.stringify({ workflows, enrollments: enrollments.length }) } }),
  ]);
  return { erased: true, workflows };
}
