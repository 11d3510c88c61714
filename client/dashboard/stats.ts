// Aggregates for the dashboard and /metrics, computed where the data lives so they stay cheap with
// tens of thousands of runs: Temporal's CountWorkflowExecutions over the search attributes (its
// GROUP BY supports ExecutionStatus only, so per-state and per-step figures are one count each; the
// number of queries grows with the number of steps, never with the number of runs) and SQL GROUP BY
// on the send ledger, enrollments and survey answers. Results are cached for a few seconds so a
// dashboard left open and a Prometheus scrape share the work.
import type { Db } from '../../activities/db/client';
import type { SequenceRegistry } from '../../domain/sequence/registry';
import type { OpsState } from '../../workflows/sequence/messages';
import { OutreachNextActionAt, OutreachSequence, OutreachState, OutreachStep } from '../../domain/search-attributes';
import { closeFailure, listRuns, visibilityQuery, type FailureInfo, type RunsContext, type RunSummary } from './runs';

export interface StepCounts {
  stepId: string;
  type: string;
  waiting: number;
  sending: number;
  paused: number;
}

export interface SequenceCounts {
  sequenceId: string;
  /** False for a sequence that only old enrollments still know (no longer in sequences/). */
  defined: boolean;
  running: number;
  waiting: number;
  sending: number;
  paused: number;
  failed: number;
  completed: number;
  steps: StepCounts[];
}

export interface Overview {
  generatedAt: string;
  totals: Record<OpsState, number> & { running: number };
  sequences: SequenceCounts[];
}

export interface DueBucket {
  /** Start of the hour, UTC ISO. */
  hour: string;
  sends: number;
  other: number;
}

export interface DueTimeline {
  generatedAt: string;
  /** Next actions already due (sends being made, or held by a pause). */
  overdue: number;
  buckets: DueBucket[];
}

export interface SendHour {
  hour: string;
  sent: number;
  failed: number;
  suppressed: number;
  ambiguous: number;
}

export interface SendStats {
  generatedAt: string;
  hours: SendHour[];
  byStatus: Record<string, number>;
  byTemplate: Array<{ template: string; locale: string; category: string; status: string; count: number }>;
  byLocale: Array<{ locale: string; sent: number; failed: number; suppressed: number; ambiguous: number }>;
  byCountry: Array<{ country: string; sent: number; failed: number; suppressed: number; ambiguous: number }>;
}

export interface SurveyFigures {
  sent: number;
  answered: number;
  /** answered / sent, 0..1; null when nothing was sent. */
  responseRate: number | null;
  /** Net Promoter Score (-100..100) for NPS, share of 4-5 answers (0..100) for CSAT, mean for CES. */
  score: number | null;
}

export interface SurveyStats {
  generatedAt: string;
  days: number;
  kinds: Array<SurveyFigures & { kind: string; distribution: Record<string, number> }>;
  trend: Array<{ day: string; kind: string } & SurveyFigures>;
  byLocale: Array<SurveyFigures & { kind: string; locale: string }>;
  byCountry: Array<SurveyFigures & { kind: string; country: string }>;
}

export interface FailureRow {
  workflowId: string;
  stepId: string;
  iteration: number;
  template: string;
  locale: string;
  category: string;
  status: string;
  attempts: number;
  error: string | null;
  at: string;
}

export interface Failures {
  generatedAt: string;
  ledgerCounts: Record<string, number>;
  ledger: FailureRow[];
  workflows: Array<RunSummary & { failure?: FailureInfo }>;
  nextPageToken?: string;
  failedWorkflows: number;
}

/** Ledger statuses that need an operator's eye: definite failures, unknown outcomes, retries pending. */
export const PROBLEM_STATUSES = ['failed', 'ambiguous', 'retry'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OPEN_STATES = ['waiting', 'sending', 'paused'] as const;

function hourStart(t: number): number {
  return Math.floor(t / HOUR) * HOUR;
}

/** Runs `fn` over items, `n` at a time. */
async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k]);
    }
  }));
  return out;
}

function nps(scores: Record<number, number>): number | null {
  let n = 0, pro = 0, det = 0;
  for (const [s, c] of Object.entries(scores)) {
    n += c;
    if (Number(s) >= 9) pro += c;
    else if (Number(s) <= 6) det += c;
  }
  return n ? Math.round((100 * (pro - det)) / n) : null;
}

function csat(scores: Record<number, number>): number | null {
  let n = 0, ok = 0;
  for (const [s, c] of Object.entries(scores)) {
    n += c;
    if (Number(s) >= 4) ok += c;
  }
  return n ? Math.round((100 * ok) / n) : null;
}

function mean(scores: Record<number, number>): number | null {
  let n = 0, sum = 0;
  for (const [s, c] of Object.entries(scores)) {
    n += c;
    sum += Number(s) * c;
  }
  return n ? Math.round((10 * sum) / n) / 10 : null;
}

export function surveyScore(kind: string, scores: Record<number, number>): number | null {
  return kind === 'nps' ? nps(scores) : kind === 'csat' ? csat(scores) : mean(scores);
}

export class OpsStats {
  private readonly cache = new Map<string, { until: number; value: Promise<unknown> }>();

  constructor(
    private readonly ctx: RunsContext & { db: Db },
    private readonly registry?: SequenceRegistry,
    private readonly ttlMs = 10_000,
    /** For the costlier figures (per-step counts, the due timeline): a count per step or hour. */
    private readonly slowTtlMs = 60_000,
  ) {}

  private cached<T>(key: string, fn: () => Promise<T>, ttlMs = this.ttlMs): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.value as Promise<T>;
    const value = fn();
    this.cache.set(key, { until: Date.now() + ttlMs, value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  private count(query: string): Promise<number> {
    return this.ctx.temporal.workflow.count(query).then((r) => r.count);
  }

  /** Sequence ids worth counting: the defined ones and any that enrollments still carry. */
  private async sequenceIds(): Promise<Array<{ id: string; defined: boolean }>> {
    const defined = new Set((this.registry?.all() ?? []).map((d) => d.id));
    const stored = await this.ctx.db.enrollment.groupBy({ by: ['sequenceId'], _count: { _all: true } });
    const ids = new Set([...defined, ...stored.map((s) => s.sequenceId)]);
    return [...ids].sort().map((id) => ({ id, defined: defined.has(id) }));
  }

  /** Runs by sequence, step and state. */
  overview(): Promise<Overview> {
    return this.cached('overview', async () => {
      const seqs = await this.sequenceIds();
      const sequences = await pool(seqs, 4, async ({ id, defined }): Promise<SequenceCounts> => {
        const base = visibilityQuery(this.ctx, { sequence: id });
        const byStatus = await this.ctx.temporal.workflow.count(`${base} GROUP BY ExecutionStatus`);
        const st: Record<string, number> = {};
        for (const g of byStatus.groups) st[String(g.groupValues[0])] = g.count;
        const running = st.Running ?? 0;
        const c: SequenceCounts = {
          sequenceId: id, defined, running, waiting: 0, sending: 0, paused: 0,
          failed: (st.Failed ?? 0) + (st.TimedOut ?? 0) + (st.Terminated ?? 0),
          completed: (st.Completed ?? 0) + (st.Canceled ?? 0),
          steps: [],
        };
        if (running === 0) return c;
        const open = `${base} AND ExecutionStatus = 'Running'`;
        const [w, s, p] = await Promise.all(OPEN_STATES.map((x) => this.count(`${open} AND ${OutreachState.name} = '${x}'`)));
        Object.assign(c, { waiting: w, sending: s, paused: p });
        const def = this.registry?.get(id);
        if (def) c.steps = await this.stepCounts(id, open, def.steps, c);
        return c;
      });
      const totals = { waiting: 0, sending: 0, paused: 0, failed: 0, completed: 0, running: 0 };
      for (const s of sequences) for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += s[k];
      return { generatedAt: new Date().toISOString(), totals, sequences };
    });
  }

  /**
   * Running runs of one sequence by step and state, refreshed less often than the totals (every
   * the slower TTL, 60 s): Temporal's count GROUP BY takes ExecutionStatus only, so every figure is one
   * count, and a sequence of many steps must not cost a count per step and state on every refresh.
   * Only the states the sequence has runs in are asked, and the last of them is the step's total
   * less the others: a step costs one count when it has no runs or the sequence's running runs are
   * all in one state (the usual case: waiting), at most one per non-empty state otherwise.
   */
  private stepCounts(id: string, open: string, steps: Array<{ id: string; type: string }>, totals: Record<(typeof OPEN_STATES)[number], number>): Promise<StepCounts[]> {
    const present = OPEN_STATES.filter((x) => totals[x] > 0);
    const key = `steps:${id}:${steps.map((s) => s.id).join(',')}:${present.join(',')}`;
    return this.cached(key, () => pool(steps, 6, async (step): Promise<StepCounts> => {
      const row: StepCounts = { stepId: step.id, type: step.type, waiting: 0, sending: 0, paused: 0 };
      if (present.length === 0) return row;
      const q = `${open} AND ${OutreachStep.name} = '${step.id}'`;
      const inState = (xs: readonly string[]) => `${OutreachState.name} ${xs.length === 1 ? `= '${xs[0]}'` : `IN (${xs.map((x) => `'${x}'`).join(', ')})`}`;
      const total = await this.count(`${q} AND ${inState(present)}`);
      if (total === 0) return row;
      const asked = present.slice(0, -1);
      const got = await Promise.all(asked.map((x) => this.count(`${q} AND ${inState([x])}`)));
      asked.forEach((x, i) => { row[x] = got[i]; });
      row[present[present.length - 1]] = total - got.reduce((a, b) => a + b, 0);
      return row;
    }), this.slowTtlMs);
  }

  /** The visibility clause matching runs whose current step is a send step. */
  private sendStepsClause(): string | undefined {
    const parts = (this.registry?.all() ?? []).map((d) => {
      const ids = d.steps.filter((s) => s.type === 'send').map((s) => `'${s.id}'`);
      return ids.length ? `(${OutreachSequence.name} = '${d.id}' AND ${OutreachStep.name} IN (${ids.join(', ')}))` : undefined;
    }).filter(Boolean);
    return parts.length ? `(${parts.join(' OR ')})` : undefined;
  }

  /** Next actions due per hour over the next `hours`: sends (a send step's scheduled time) and other waits ending. */
  due(hours = 24): Promise<DueTimeline> {
    return this.cached(`due:${hours}`, async () => {
      const now = Date.now();
      const open = `${visibilityQuery(this.ctx, { runningOnly: true })}`;
      const sends = this.sendStepsClause();
      const start = hourStart(now);
      const slots = Array.from({ length: hours + 1 }, (_, i) => start + i * HOUR);
      const range = (a: number, b: number) => `${OutreachNextActionAt.name} >= '${new Date(a).toISOString()}' AND ${OutreachNextActionAt.name} < '${new Date(b).toISOString()}'`;
      const overdue = this.count(`${open} AND ${OutreachNextActionAt.name} < '${new Date(now).toISOString()}'`);
      const buckets = await pool(slots.slice(0, hours), 8, async (a): Promise<DueBucket> => {
        const from = Math.max(a, now);
        const q = `${open} AND ${range(from, a + HOUR)}`;
        const all = await this.count(q);
        const s = all && sends ? await this.count(`${q} AND ${sends}`) : 0;
        return { hour: new Date(a).toISOString(), sends: s, other: all - s };
      });
      return { generatedAt: new Date(now).toISOString(), overdue: await overdue, buckets };
    }, this.slowTtlMs);
  }

  /** Ledger problems (failed, ambiguous, retrying: with error and attempts) and failed workflows with their reasons. */
  async failures(opts: { pageToken?: string; pageSize?: number } = {}): Promise<Failures> {
    const { db } = this.ctx;
    const [counts, rows, page, failedWorkflows] = await Promise.all([
      db.sendLedger.groupBy({ by: ['status'], _count: { _all: true } }),
      // One query per status, merged: `status IN (...) ORDER BY createdAt LIMIT 50` reads and sorts
      // every problem row there ever was, while each of these reads 50 rows of the (status, createdAt) index.
      Promise.all(PROBLEM_STATUSES.map((status) => db.sendLedger.findMany({ where: { status }, orderBy: { createdAt: 'desc' }, take: 50 })))
        .then((lists) => lists.flat().sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, 50)),
      listRuns(this.ctx, { state: 'failed' }, { pageSize: opts.pageSize ?? 20, pageToken: opts.pageToken }),
      this.count(visibilityQuery(this.ctx, { state: 'failed' })),
    ]);
    const workflows = await pool(page.runs, 8, async (r) => ({
      ...r,
      failure: r.executionStatus === 'Running' ? undefined : await closeFailure(this.ctx, r.workflowId, r.runId).catch(() => undefined),
    }));
    return {
      generatedAt: new Date().toISOString(),
      ledgerCounts: Object.fromEntries(counts.map((c) => [c.status, c._count._all])),
      ledger: rows.map((r) => ({
        workflowId: r.workflowId, stepId: r.stepId, iteration: r.iteration, template: r.templateId, locale: r.locale, category: r.category,
        status: r.status, attempts: r.attempts, error: r.error, at: r.createdAt.toISOString(),
      })),
      workflows,
      failedWorkflows,
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    };
  }

  /** Ledger rows by status, template, locale and category (all time). */
  ledgerBreakdown(): Promise<SendStats['byTemplate']> {
    // All time: a scan of the whole ledger (no index helps), so refreshed at the slower pace.
    return this.cached('ledger', async () => {
      const rows = await this.ctx.db.sendLedger.groupBy({ by: ['status', 'templateId', 'locale', 'category'], _count: { _all: true } });
      return rows.map((r) => ({ template: r.templateId, locale: r.locale, category: r.category, status: r.status, count: r._count._all }));
    }, this.slowTtlMs);
  }

  /** Emails per hour over the last `hours`, and breakdowns by status, template, locale and country. */
  sends(hours = 48): Promise<SendStats> {
    return this.cached(`sends:${hours}`, async () => {
      const { db } = this.ctx;
      const now = Date.now();
      const since = new Date(hourStart(now) - (hours - 1) * HOUR);
      const [recent, byTemplate, byCountryRaw] = await Promise.all([
        db.sendLedger.findMany({
          where: { OR: [{ sentAt: { gte: since } }, { createdAt: { gte: since }, status: { in: ['failed', 'suppressed', 'ambiguous'] } }] },
          select: { status: true, sentAt: true, createdAt: true },
        }),
        this.ledgerBreakdown(),
        // Country lives on the customer: one grouped join (erased customers count as unknown).
        db.$queryRawUnsafe<Array<{ country: string | null; status: string; n: number | bigint }>>(
          'SELECT c."country" AS "country", l."status" AS "status", COUNT(*) AS "n" FROM "SendLedger" l LEFT JOIN "Customer" c ON c."id" = l."customerId" GROUP BY c."country", l."status"',
        ),
      ]);
      const slots = new Map<number, SendHour>();
      for (let i = 0; i < hours; i++) {
        const t = since.getTime() + i * HOUR;
        slots.set(t, { hour: new Date(t).toISOString(), sent: 0, failed: 0, suppressed: 0, ambiguous: 0 });
      }
      for (const r of recent) {
        const at = r.status === 'sent' ? r.sentAt : r.createdAt;
        const slot = at && slots.get(hourStart(at.getTime()));
        if (slot && (r.status === 'sent' || r.status === 'failed' || r.status === 'suppressed' || r.status === 'ambiguous')) slot[r.status] += 1;
      }
      const byStatus: Record<string, number> = {};
      const locales = new Map<string, SendStats['byLocale'][number]>();
      for (const r of byTemplate) {
        byStatus[r.status] = (byStatus[r.status] ?? 0) + r.count;
        const l = locales.get(r.locale) ?? { locale: r.locale, sent: 0, failed: 0, suppressed: 0, ambiguous: 0 };
        if (r.status === 'sent' || r.status === 'failed' || r.status === 'suppressed' || r.status === 'ambiguous') l[r.status] += r.count;
        locales.set(r.locale, l);
      }
      const countries = new Map<string, SendStats['byCountry'][number]>();
      for (const r of byCountryRaw) {
        const key = r.country ?? 'unknown';
        const c = countries.get(key) ?? { country: key, sent: 0, failed: 0, suppressed: 0, ambiguous: 0 };
        if (r.status === 'sent' || r.status === 'failed' || r.status === 'suppressed' || r.status === 'ambiguous') c[r.status] += Number(r.n);
        countries.set(key, c);
      }
      const bySent = <T extends { sent: number }>(a: T, b: T) => b.sent - a.sent;
      return {
        generatedAt: new Date(now).toISOString(),
        hours: [...slots.values()],
        byStatus,
        byTemplate,
        byLocale: [...locales.values()].sort(bySent),
        byCountry: [...countries.values()].sort(bySent),
      };
    });
  }

  /** NPS, CSAT (and CES) over the last `days`: figures, daily trend, breakdowns by locale and country. */
  surveys(days = 30): Promise<SurveyStats> {
    return this.cached(`surveys:${days}`, async () => {
      const now = Date.now();
      const since = new Date(Math.floor(now / DAY) * DAY - (days - 1) * DAY);
      const where = { sentAt: { gte: since } };
      const [groups, rows] = await Promise.all([
        this.ctx.db.surveyResponse.groupBy({ by: ['kind', 'locale', 'country', 'score'], where, _count: { _all: true } }),
        this.ctx.db.surveyResponse.findMany({ where, select: { kind: true, score: true, sentAt: true, answeredAt: true } }),
      ]);
      type Acc = { sent: number; answered: number; scores: Record<number, number> };
      const acc = () => ({ sent: 0, answered: 0, scores: {} as Record<number, number> });
      const add = (a: Acc, score: number | null, answered: boolean, n: number) => {
        a.sent += n;
        if (answered && score !== null) {
          a.answered += n;
          a.scores[score] = (a.scores[score] ?? 0) + n;
        }
      };
      const figures = (kind: string, a: Acc): SurveyFigures => ({
        sent: a.sent, answered: a.answered, responseRate: a.sent ? Math.round((1000 * a.answered) / a.sent) / 1000 : null, score: surveyScore(kind, a.scores),
      });
      const kinds = new Map<string, Acc>();
      const locales = new Map<string, Acc>();
      const countries = new Map<string, Acc>();
      for (const g of groups) {
        // A row is one survey sent; it is answered once it has a score (answeredAt is set with it).
        const answered = g.score !== null;
        for (const [m, key] of [[kinds, g.kind], [locales, `${g.kind}\u0000${g.locale}`], [countries, `${g.kind}\u0000${g.country ?? 'unknown'}`]] as const) {
          const a = m.get(key) ?? acc();
          add(a, g.score, answered, g._count._all);
          m.set(key, a);
        }
      }
      const daily = new Map<string, Acc>();
      for (const r of rows) {
        const sentDay = new Date(Math.floor(r.sentAt.getTime() / DAY) * DAY).toISOString().slice(0, 10);
        const a = daily.get(`${r.kind}\u0000${sentDay}`) ?? acc();
        add(a, r.score, r.answeredAt !== null && r.score !== null, 1);
        daily.set(`${r.kind}\u0000${sentDay}`, a);
      }
      const trend: SurveyStats['trend'] = [];
      for (const kind of [...kinds.keys()].sort()) {
        for (let i = 0; i < days; i++) {
          const day = new Date(since.getTime() + i * DAY).toISOString().slice(0, 10);
          trend.push({ day, kind, ...figures(kind, daily.get(`${kind}\u0000${day}`) ?? acc()) });
        }
      }
      const split = (key: string) => key.split('\u0000');
      return {
        generatedAt: new Date(now).toISOString(),
        days,
        kinds: [...kinds.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([kind, a]) => ({ kind, ...figures(kind, a), distribution: Object.fromEntries(Object.entries(a.scores)) })),
        trend,
        byLocale: [...locales.entries()].map(([k, a]) => ({ kind: split(k)[0], locale: split(k)[1], ...figures(split(k)[0], a) })).sort((x, y) => y.sent - x.sent),
        byCountry: [...countries.entries()].map(([k, a]) => ({ kind: split(k)[0], country: split(k)[1], ...figures(split(k)[0], a) })).sort((x, y) => y.sent - x.sent),
      };
    });
  }

  /** Survey rows by kind, locale, country and score, all time (for /metrics). */
  surveyTotals(): Promise<Array<{ kind: string; locale: string; country: string; score: number | null; count: number }>> {
    return this.cached('surveyTotals', async () => {
      const rows = await this.ctx.db.surveyResponse.groupBy({ by: ['kind', 'locale', 'country', 'score'], _count: { _all: true } });
      return rows.map((r) => ({ kind: r.kind, locale: r.locale, country: r.country ?? 'unknown', score: r.score, count: r._count._all }));
    });
  }

  /** Enrollments by sequence and stored status (the database's view, including closed ones). */
  enrollments(): Promise<Array<{ sequence: string; status: string; count: number }>> {
    return this.cached('enrollments', async () => {
      const rows = await this.ctx.db.enrollment.groupBy({ by: ['sequenceId', 'status'], _count: { _all: true } });
      return rows.map((r) => ({ sequence: r.sequenceId, status: r.status, count: r._count._all }));
    });
  }
}
