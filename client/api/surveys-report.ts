// Survey metrics over a time range, grouped by survey, sequence, template, kind, locale and/or
// country: the API's GET /v1/surveys/report and `outreach surveys report`.
//
// A survey belongs to the period in which its email was sent (SurveyResponse.sentAt in
// [since, until)); its answer counts whenever it arrived (always within the survey's window).
//   response rate  answered / sent, in percent
//   NPS            % promoters (9-10) minus % detractors (0-6) of the NPS answers, -100..100
//   CSAT           % of CSAT answers that are 4 or 5 ("satisfied")
//   CES            average of the CES answers (1-7), and % that are 5-7 ("easy")
// Percentages are rounded to one decimal; the counts beside them let a reader recompute them. A
// metric without answers is null, never 0.
import type { Db } from '../../activities/db/client';
import { FieldErrors } from './schemas';
import { npsBucket } from '../../workflows/survey/scores';

export const REPORT_DIMENSIONS = ['survey', 'sequence', 'template', 'kind', 'locale', 'country'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export interface ReportQuery {
  since: Date;
  until: Date;
  groupBy: ReportDimension[];
}

export interface KindMetrics {
  sent: number;
  answered: number;
  responseRate: number | null;
}
export interface NpsMetrics extends KindMetrics {
  promoters: number;
  passives: number;
  detractors: number;
  /** -100..100 */
  nps: number | null;
}
export interface CsatMetrics extends KindMetrics {
  satisfied: number;
  /** % of answers that are 4 or 5 */
  csat: number | null;
  average: number | null;
}
export interface CesMetrics extends KindMetrics {
  easy: number;
  average: number | null;
  /** % of answers that are 5-7 */
  easyRate: number | null;
}

export interface ReportRow {
  /** The group's values (absent dimensions are not listed; unknown values are null). */
  group: Partial<Record<ReportDimension, string | null>>;
  sent: number;
  answered: number;
  responseRate: number | null;
  nps: NpsMetrics | null;
  csat: CsatMetrics | null;
  ces: CesMetrics | null;
}

export interface SurveyReport {
  since: string;
  until: string;
  groupBy: ReportDimension[];
  total: ReportRow;
  groups: ReportRow[];
}

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;

/** A date (YYYY-MM-DD, UTC; as `until`, the whole day is included) or an ISO-8601 instant. */
function parseInstant(raw: string, field: string, endOfDay: boolean): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (day) {
    const d = new Date(`${raw}T00:00:00.000Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== raw) throw new FieldErrors([{ field, message: `"${raw}" is not a calendar date` }]);
    return endOfDay ? new Date(d.getTime() + DAY_MS) : d;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const d = new Date(raw);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new FieldErrors([{ field, message: `must be a date (2026-03-01) or an ISO-8601 instant (2026-03-01T00:00:00Z), got "${raw}"` }]);
}

/** Parses the query string; defaults: until = now, since = until - 30 days, groupBy = survey. */
export function parseReportQuery(q: { since?: unknown; until?: unknown; groupBy?: unknown }, now = Date.now()): ReportQuery {
  const str = (v: unknown, field: string) => {
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw new FieldErrors([{ field, message: 'must be given once' }]);
    return v;
  };
  const untilRaw = str(q.until, 'until');
  const sinceRaw = str(q.since, 'since');
  const until = untilRaw ? parseInstant(untilRaw, 'until', true) : new Date(now);
  const since = sinceRaw ? parseInstant(sinceRaw, 'since', false) : new Date(until.getTime() - DEFAULT_DAYS * DAY_MS);
  if (since.getTime() >= until.getTime()) throw new FieldErrors([{ field: 'since', message: `must be before until (${until.toISOString()})` }]);
  const groupRaw = str(q.groupBy, 'groupBy') ?? 'survey';
  const parts = groupRaw.split(',').map((s) => s.trim()).filter(Boolean);
  const groupBy: ReportDimension[] = [];
  if (!(parts.length === 1 && parts[0] === 'none')) {
    for (const p of parts) {
      if (!(REPORT_DIMENSIONS as readonly string[]).includes(p)) {
        throw new FieldErrors([{ field: 'groupBy', message: `unknown dimension "${p}": use none or a comma-separated list of ${REPORT_DIMENSIONS.join(', ')}` }]);
      }
      if (!groupBy.includes(p as ReportDimension)) groupBy.push(p as ReportDimension);
    }
  }
  return { since, until, groupBy };
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 10);
const avg = (sum: number, d: number) => (d === 0 ? null : Math.round((sum / d) * 100) / 100);

interface Acc {
  group: Partial<Record<ReportDimension, string | null>>;
  sent: number;
  answered: number;
  byKind: Record<string, { sent: number; answered: number; sum: number; counts: Map<number, number> }>;
}

function newAcc(group: Acc['group']): Acc {
  return { group, sent: 0, answered: 0, byKind: {} };
}

function add(acc: Acc, kind: string, score: number | null, count: number) {
  acc.sent += count;
  const k = (acc.byKind[kind] ??= { sent: 0, answered: 0, sum: 0, counts: new Map() });
  k.sent += count;
  if (score === null) return;
  acc.answered += count;
  k.answered += count;
  k.sum += score * count;
  k.counts.set(score, (k.counts.get(score) ?? 0) + count);
}

function finish(acc: Acc): ReportRow {
  const count = (kind: string, pred: (s: number) => boolean) => [...(acc.byKind[kind]?.counts ?? [])].reduce((n, [s, c]) => n + (pred(s) ? c : 0), 0);
  const base = (kind: string): KindMetrics => {
    const k = acc.byKind[kind];
    return { sent: k.sent, answered: k.answered, responseRate: pct(k.answered, k.sent) };
  };
  let nps: NpsMetrics | null = null;
  if (acc.byKind.nps) {
    const promoters = count('nps', (s) => npsBucket(s) === 'promoter');
    const passives = count('nps', (s) => npsBucket(s) === 'passive');
    const detractors = count('nps', (s) => npsBucket(s) === 'detractor');
    const n = acc.byKind.nps.answered;
    nps = { ...base('nps'), promoters, passives, detractors, nps: n === 0 ? null : Math.round(((promoters - detractors) / n) * 1000) / 10 };
  }
  let csat: CsatMetrics | null = null;
  if (acc.byKind.csat) {
    const satisfied = count('csat', (s) => s >= 4);
    const k = acc.byKind.csat;
    csat = { ...base('csat'), satisfied, csat: pct(satisfied, k.answered), average: avg(k.sum, k.answered) };
  }
  let ces: CesMetrics | null = null;
  if (acc.byKind.ces) {
    const easy = count('ces', (s) => s >= 5);
    const k = acc.byKind.ces;
    ces = { ...base('ces'), easy, average: avg(k.sum, k.answered), easyRate: pct(easy, k.answered) };
  }
  return { group: acc.group, sent: acc.sent, answered: acc.answered, responseRate: pct(acc.answered, acc.sent), nps, csat, ces };
}

export async function surveyReport(db: Db, q: ReportQuery): Promise<SurveyReport> {
  // One grouped count per (source, kind, locale, country, score): small however many surveys there are.
  const rows = await db.surveyResponse.groupBy({
    by: ['sequenceId', 'stepId', 'template', 'kind', 'locale', 'country', 'score'],
    where: { sentAt: { gte: q.since, lt: q.until } },
    _count: { _all: true },
  });
  const total = newAcc({});
  const groups = new Map<string, Acc>();
  for (const r of rows) {
    const values: Record<ReportDimension, string | null> = {
      survey: r.sequenceId ? (r.stepId ? `${r.sequenceId}/${r.stepId}` : r.sequenceId) : null,
      sequence: r.sequenceId,
      template: r.template,
      kind: r.kind,
      locale: r.locale,
      country: r.country,
    };
    const group = Object.fromEntries(q.groupBy.map((d) => [d, values[d]])) as Acc['group'];
    const key = JSON.stringify(q.groupBy.map((d) => values[d]));
    const acc = groups.get(key) ?? newAcc(group);
    groups.set(key, acc);
    add(acc, r.kind, r.score, r._count._all);
    add(total, r.kind, r.score, r._count._all);
  }
  const sorted = [...groups.values()].sort((a, b) => b.sent - a.sent || JSON.stringify(a.group).localeCompare(JSON.stringify(b.group)));
  return {
    since: q.since.toISOString(),
    until: q.until.toISOString(),
    groupBy: q.groupBy,
    total: finish(total),
    groups: q.groupBy.length ? sorted.map(finish) : [],
  };
}

/** The report as a plain-text table (the CLI's default output). */
export function formatReport(r: SurveyReport): string {
  const show = (v: number | null, suffix = '') => (v === null ? '–' : `${v}${suffix}`);
  const header = [...r.groupBy, 'sent', 'answered', 'response', 'NPS', 'CSAT', 'CES avg'];
  const line = (row: ReportRow, label?: string) => [
    ...(label !== undefined ? [label, ...r.groupBy.slice(1).map(() => '')] : r.groupBy.map((d) => row.group[d] ?? '(none)')),
    String(row.sent), String(row.answered), show(row.responseRate, '%'),
    row.nps ? `${show(row.nps.nps)} (n=${row.nps.answered})` : '–',
    row.csat ? `${show(row.csat.csat, '%')} (n=${row.csat.answered})` : '–',
    row.ces ? `${show(row.ces.average)} (n=${row.ces.answered})` : '–',
  ];
  const table = [header, ...r.groups.map((g) => line(g)), line(r.total, r.groupBy.length ? 'total' : undefined)];
  const widths = header.map((_, i) => Math.max(...table.map((row) => [...row[i]].length)));
  const text = table.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
  return `Surveys sent from ${r.since} until ${r.until}\n\n${text}\n`;
}
