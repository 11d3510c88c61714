// `outreach runs ...`: every run of the engine as ops see it, from Temporal's visibility store (search
// attributes only: sequence, step, state, next action time; no personal data), and actions on runs
// through the workflow's own signals (pause, resume, graceful cancel).
import readline from 'node:readline';
import type { Command } from '../command';
import { parseFlags, UsageError } from '../args';
import { loadConfig, type Config } from '../../../domain/config';
import { checkDatabase, createDb, type Db } from '../../../activities/db/client';
import { connectClient } from '../../../worker/temporal-connection';
import {
  actOnRun, allRuns, awaitClosed, checkQueryValue, countRuns, isRunState, listRuns, parseInstant, runDetail, RUN_STATES, RunQueryError,
  withLocalTimes, type RunAction, type RunDetail, type RunFilter, type RunsContext, type RunSummary,
} from '../../dashboard/runs';

async function withRuns<T>(opts: { db: boolean }, fn: (ctx: RunsContext, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  let db: Db | undefined;
  if (opts.db) {
    db = createDb(config.database);
    await checkDatabase(db, config.database);
  }
  const temporal = await connectClient(config.temporal);
  try {
    return await fn({ temporal, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, temporalUiUrl: config.ops.temporalUiUrl, db }, config);
  } finally {
    await temporal.connection.close();
    await db?.$disconnect();
  }
}

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RunQueryError) throw new UsageError(`--${err.field === 'nextBefore' ? 'next-before' : err.field} ${err.message.replace(/^\S+ /, '')}`);
    throw err;
  }
}

/** "2026-11-25T09:00:00.000+01:00" -> "2026-11-25 09:00 +01:00". */
function shortLocal(local: string | null | undefined, zone?: string | null): string {
  if (!local) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?/.exec(local);
  const text = m ? `${m[1]} ${m[2]}${m[3] && m[3] !== 'Z' ? ` ${m[3]}` : ''}` : local;
  return zone ? `${text} ${zone}` : text;
}

function shortUtc(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')}Z` : '';
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

const STATE_HELP = RUN_STATES.join('|');

export const runsListCommand: Command = {
  name: 'runs list',
  summary: 'List runs from Temporal visibility: sequence, step, state and next action (local and UTC).',
  usage: `outreach runs list [--sequence <id>] [--state <${STATE_HELP}>] [--next-before <ISO instant>] [--limit <n>] [--page-token <token>] [--json]`,
  async run(argv) {
    const { values } = parseFlags(argv, {
      sequence: { type: 'string' }, state: { type: 'string' }, 'next-before': { type: 'string' },
      limit: { type: 'string' }, 'page-token': { type: 'string' }, json: { type: 'boolean' },
    });
    const filter: RunFilter = usage(() => {
      const f: RunFilter = {};
      if (values.sequence !== undefined) f.sequence = checkQueryValue(values.sequence, 'sequence');
      if (values.state !== undefined) {
        if (!isRunState(values.state)) throw new UsageError(`--state must be one of ${RUN_STATES.join(', ')} (got "${values.state}")`);
        f.state = values.state;
      }
      if (values['next-before'] !== undefined) f.nextBefore = parseInstant(values['next-before'], 'next-before');
      return f;
    });
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit must be an integer from 1 to 1000 (got "${values.limit}")`);
    const pageToken = values['page-token'];
    if (pageToken !== undefined && !/^[A-Za-z0-9_-]+$/.test(pageToken)) throw new UsageError('--page-token is not a token printed by a previous `runs list`');

    return withRuns({ db: false }, async (ctx) => {
      const page = await listRuns(ctx, filter, { pageSize: limit, pageToken });
      await withLocalTimes(ctx, page.runs);
      if (values.json) {
        process.stdout.write(JSON.stringify(page.runs, null, 2) + '\n');
        if (page.nextPageToken) process.stderr.write(`more runs: --page-token ${page.nextPageToken}\n`);
        return 0;
      }
      if (page.runs.length === 0) {
        process.stderr.write('no runs match\n');
        return 0;
      }
      process.stdout.write(formatTable(
        ['WORKFLOW ID', 'SEQUENCE', 'STEP', 'STATE', 'NEXT (LOCAL)', 'NEXT (UTC)'],
        page.runs.map((r) => [r.workflowId, r.sequence ?? '', r.step ?? '', r.state, shortLocal(r.nextActionLocal, r.nextActionZone), shortUtc(r.nextActionAt)]),
      ));
      if (page.nextPageToken) {
        const total = await countRuns(ctx, filter);
        process.stderr.write(`showing ${page.runs.length} of ${total}; next page: outreach runs list ${argv.filter((a, i) => a !== '--page-token' && argv[i - 1] !== '--page-token').join(' ')} --page-token ${page.nextPageToken}\n`);
      }
      return 0;
    });
  },
};

function describeEmail(e: NonNullable<RunDetail['timeline'][number]['email']>): string {
  const parts = [`${e.status}`, e.templateId, e.locale];
  if (e.attempts > 1 || e.status !== 'sent') parts.push(`attempts ${e.attempts}`);
  if (e.error) parts.push(e.error);
  return parts.join(' · ');
}

export function formatRun(d: RunDetail): string {
  const out: string[] = [];
  const kv = (k: string, v: string) => out.push(`${k.padEnd(10)} ${v}`);
  kv('workflow', `${d.workflowId} (run ${d.runId})`);
  kv('sequence', `${d.sequence ?? '?'}${d.sequenceVersion !== undefined ? ` v${d.sequenceVersion}` : ''}${d.variant ? ` (variant ${d.variant})` : ''}`);
  kv('state', `${d.state} (${d.executionStatus}${d.status ? `, ${d.status}` : ''})${d.step ? ` at step ${d.step}` : ''}`);
  kv('started', shortUtc(d.startedAt));
  if (d.closedAt) kv('closed', shortUtc(d.closedAt));
  if (d.exitReason) kv('reason', d.exitReason);
  if (d.next) {
    const when = d.next.at ? `${shortLocal(d.next.local, d.next.zone) || '(local time unknown)'}  =  ${shortUtc(d.next.at)}` : '(waiting for an outcome)';
    kv('next', `${d.next.kind} "${d.next.stepId}" at ${when}`);
  } else if (d.nextActionAt) {
    kv('next', `at ${shortUtc(d.nextActionAt)}`);
  }
  if (d.failure) {
    const f = d.failure;
    kv('failure', `${f.type ? `${f.type}: ` : ''}${f.message}${f.activityType ? ` (activity ${f.activityType}${f.attempts ? `, ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}` : ''}${f.retryState ? `, ${f.retryState}` : ''})` : ''}`);
  }
  for (const p of d.pendingActivities) {
    kv('retrying', `${p.activityType} attempt ${p.attempt} (${p.state})${p.lastFailure ? `: ${p.lastFailure}` : ''}${p.nextAttemptAt ? `; next attempt ${shortUtc(p.nextAttemptAt)}` : ''}`);
  }
  if (d.note) kv('note', d.note);
  out.push('');
  if (d.timeline.length === 0) {
    out.push('no steps done yet');
  } else {
    out.push(formatTable(
      ['#', 'STEP', 'TYPE', 'STARTED (UTC)', 'FINISHED (UTC)', 'OUTCOME', 'EMAIL'],
      d.timeline.map((t, i) => [
        String(i + 1), `${t.stepId}${t.iteration ? `#${t.iteration}` : ''}`, t.type ?? (t.unfinished ? '(unfinished)' : ''),
        shortUtc(t.startedAt), shortUtc(t.finishedAt), t.outcome ?? '', t.email ? describeEmail(t.email) : '',
      ]),
    ).trimEnd());
  }
  out.push('');
  kv('temporal', d.temporalUrl);
  return out.join('\n') + '\n';
}

export const runsShowCommand: Command = {
  name: 'runs show',
  summary: 'Show one run: steps done with their emails (send ledger), failure, and the next action in local time and UTC.',
  usage: 'outreach runs show <workflow id> [--json]',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, 1);
    const id = positionals[0];
    if (!id) throw new UsageError('missing the workflow id (see `outreach runs list`)');
    return withRuns({ db: true }, async (ctx) => {
      const d = await runDetail(ctx, id);
      if (!d) {
        process.stderr.write(`no run "${id}" in namespace ${ctx.namespace}\n`);
        return 1;
      }
      process.stdout.write(values.json ? JSON.stringify(d, null, 2) + '\n' : formatRun(d));
      return 0;
    });
  },
};

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function actionCommand(action: RunAction, summary: string): Command {
  const verb = action;
  return {
    name: `runs ${action}`,
    summary,
    usage: `outreach runs ${action} (<workflow id> | --sequence <id>) [--yes]${action === 'cancel' ? ' [--reason <text>]' : ''}`,
    async run(argv) {
      const { values, positionals } = parseFlags(argv, {
        sequence: { type: 'string' }, yes: { type: 'boolean', short: 'y' }, ...(action === 'cancel' ? { reason: { type: 'string' } } : {}),
      }, 1);
      const id = positionals[0];
      const sequence = values.sequence as string | undefined;
      if (id && sequence !== undefined) throw new UsageError('give either a workflow id or --sequence, not both');
      if (!id && sequence === undefined) throw new UsageError(`missing the workflow id, or --sequence <id> to ${verb} every running run of a sequence`);
      if (sequence !== undefined) usage(() => checkQueryValue(sequence, 'sequence'));
      const reason = values.reason as string | undefined;
      if (!values.yes && !process.stdin.isTTY) {
        throw new UsageError(`refusing to ${verb} without confirmation: standard input is not a terminal, pass --yes`);
      }

      return withRuns({ db: true }, async (ctx) => {
        const targets: Array<RunSummary | string> = [];
        if (id) {
          targets.push(id);
        } else {
          const filter: RunFilter = action === 'resume' ? { sequence, state: 'paused' } : { sequence, runningOnly: true };
          for await (const r of allRuns(ctx, filter)) if (action !== 'pause' || r.state !== 'paused') targets.push(r);
          if (targets.length === 0) {
            process.stderr.write(`no ${action === 'resume' ? 'paused' : 'running'} runs of sequence "${sequence}"\n`);
            return 0;
          }
        }
        const ids = targets.map((t) => (typeof t === 'string' ? t : t.workflowId));
        if (!values.yes) {
          const what = id ? `run ${id}` : `${ids.length} run${ids.length === 1 ? '' : 's'} of sequence "${sequence}"`;
          if (!(await confirm(`${verb[0].toUpperCase()}${verb.slice(1)} ${what}?`))) {
            process.stderr.write('nothing done\n');
            return 1;
          }
        }
        let failed = 0;
        const done: string[] = [];
        // A few signals at a time: bulk actions on thousands of runs should not flood the frontend.
        const queue = [...ids];
        await Promise.all(Array.from({ length: Math.min(8, queue.length) }, async () => {
          for (let w = queue.shift(); w; w = queue.shift()) {
            const r = await actOnRun(ctx, w, action, reason);
            if (r.ok) done.push(w);
            else {
              failed += 1;
              process.stderr.write(`${w}: ${r.error}\n`);
            }
          }
        }));
        if (action === 'cancel' && done.length) {
          // The workflow finishes its current step, records `cancelled` and closes: wait for that.
          const closing = [...done];
          let open = 0;
          await Promise.all(Array.from({ length: Math.min(8, closing.length) }, async () => {
            for (let w = closing.shift(); w; w = closing.shift()) if (!(await awaitClosed(ctx, w, 15_000))) open += 1;
          }));
          if (open) process.stderr.write(`${open} run${open === 1 ? ' has' : 's have'} not closed yet (a step in progress finishes first)\n`);
        }
        const past = action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'cancelled';
        process.stdout.write(id ? (failed ? '' : `${past} ${id}\n`) : `${past} ${done.length} of ${ids.length} runs of sequence "${sequence}"\n`);
        return failed ? 1 : 0;
      });
    },
  };
}

export const runsPauseCommand = actionCommand('pause', 'Pause a run (or every running run of --sequence): waits keep counting, sends hold until resumed.');
export const runsResumeCommand = actionCommand('resume', 'Resume a paused run (or every paused run of --sequence); a held send is rescheduled from now.');
export const runsCancelCommand = actionCommand('cancel', 'Cancel a run (or every running run of --sequence) gracefully: it ends as "cancelled".');
