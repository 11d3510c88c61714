// `outreach sequence migrate`: moves running enrollments of a sequence to the version in a file.
// The default is to keep the old version; this command is the explicit choice, with a step map
// that says where each old step continues. Applied by each workflow at its next step boundary.
import fs from 'node:fs';
import readline from 'node:readline/promises';
import type { Command } from '../command';
import { parseFlags, UsageError } from '../args';
import { loadConfig } from '../../../domain/config';
import { parseSequence, SequenceError } from '../../../domain/sequence/parse';
import { createDb } from '../../../activities/db/client';
import { connectClient } from '../../../worker/temporal-connection';
import { migrateSignal, migrateUpdate, stateQuery, type MigrateRunRequest } from '../../../workflows/sequence/messages';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Db } from '../../../activities/db/client';
import type { SequenceDefinition } from '../../../domain/sequence/types';
import { TemplateRenderer } from '../../../activities/render';
import { templateCatalog } from '../../../domain/sequence/validate';
import { DEFAULT_TEMPLATES_DIR } from '../../../worker/runtime';

export function parseStepMap(raw: string | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  if (!raw) return map;
  for (const pair of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9_-]+)=([A-Za-z0-9_-]+)$/.exec(pair);
    if (!m) throw new UsageError(`--map: "${pair}" is not old-step=new-step`);
    map[m[1]] = m[2];
  }
  return map;
}

export const sequenceMigrateCommand: Command = {
  name: 'sequence migrate',
  summary: 'Move running enrollments of a sequence to the version in a file, mapping old steps to new ones.',
  usage: 'outreach sequence migrate <file> [--map old=new,...] [--from-version N] [--dry-run] [--yes]',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      map: { type: 'string' }, 'from-version': { type: 'string' }, 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' },
    }, 1);
    const file = positionals[0];
    if (!file) throw new UsageError('missing the sequence file of the new version');
    if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file`);
    const fromRaw = values['from-version'] as string | undefined;
    const fromVersion = fromRaw === undefined ? undefined : Number(fromRaw);
    if (fromVersion !== undefined && (!Number.isInteger(fromVersion) || fromVersion < 1)) throw new UsageError(`--from-version must be a positive integer (got "${fromRaw}")`);
    const stepMap = parseStepMap(values.map as string | undefined);

    let def;
    try {
      def = parseSequence(fs.readFileSync(file, 'utf8'), file, { templates: templateCatalog(new TemplateRenderer({ templatesDir: process.env.TEMPLATES_DIR ?? DEFAULT_TEMPLATES_DIR })) });
    } catch (err) {
      if (err instanceof SequenceError) {
        process.stderr.write(err.problems.join('\n') + '\n');
        return 1;
      }
      throw err;
    }
    const missing = Object.entries(stepMap).filter(([, to]) => !def.steps.some((s) => s.id === to));
    if (missing.length) throw new UsageError(`--map: ${missing.map(([f, t]) => `${f}=${t}`).join(', ')} points at steps that version ${def.version} of ${def.id} does not have`);

    const config = loadConfig();
    const db = createDb(config.database);
    const temporal = await connectClient(config.temporal);
    try {
      // The runs to move, with the step each one is really at (their own state, not a stored copy).
      const ids = new Set((await db.enrollment.findMany({ where: { sequenceId: def.id, status: { in: ['running', 'paused'] } }, select: { workflowId: true } })).map((r) => r.workflowId));
      for await (const w of temporal.workflow.list({ query: `OutreachSequence = ${JSON.stringify(def.id)} AND ExecutionStatus = 'Running'` })) ids.add(w.workflowId);
      const runs: Array<{ workflowId: string; step?: string; version: number }> = [];
      await inBatches([...ids], async (workflowId) => {
        try {
          const st = await temporal.workflow.getHandle(workflowId).query(stateQuery);
          if (st.status !== 'running' && st.status !== 'paused') return;
          if (fromVersion !== undefined ? st.sequenceVersion !== fromVersion : st.sequenceVersion >= def.version) return;
          runs.push({ workflowId, step: st.currentStep, version: st.sequenceVersion });
        } catch {
          // Closed meanwhile, or no worker to answer: its Update below says which.
        }
      });
      const unmapped = [...new Set(runs.map((r) => r.step).filter((s): s is string => !!s && !stepMap[s] && !def.steps.some((x) => x.id === s)))];
      if (unmapped.length) {
        process.stderr.write(`enrollments are at step(s) ${unmapped.join(', ')} which version ${def.version} lacks: add them to --map (old=new)\n`);
        return 1;
      }
      process.stdout.write(`${runs.length} running enrollment(s) of ${def.id} to move to version ${def.version}${Object.keys(stepMap).length ? ` with ${Object.entries(stepMap).map(([a, b]) => `${a}->${b}`).join(', ')}` : ''}\n`);
      if (values['dry-run'] || runs.length === 0) return 0;
      if (!values.yes) {
        if (!process.stdin.isTTY) throw new UsageError('refusing to migrate without confirmation: pass --yes');
        const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
        const answer = await rl.question('Proceed? [y/N] ');
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) return 1;
      }
      // Stored once; each run loads it by (id, version) when it accepts the Update.
      await storeVersion(db, def);
      const request: MigrateRunRequest = { sequenceId: def.id, version: def.version, stepIds: def.steps.map((s) => s.id), stepMap };
      let accepted = 0;
      await inBatches(runs.map((r) => r.workflowId), async (workflowId) => {
        try {
          await temporal.workflow.getHandle(workflowId).executeUpdate(migrateUpdate, { args: [request] });
          accepted += 1;
        } catch (err) {
          const e = err as Error & { cause?: Error };
          const message = (e instanceof WorkflowUpdateFailedError && e.cause ? e.cause.message : e.message).split('\n')[0];
          if (/no registered handler|not registered|unknown update/i.test(message)) {
            // A run from a release without the Update: the signal carries the definition itself.
            await temporal.workflow.getHandle(workflowId).signal(migrateSignal, { definition: def, stepMap });
            accepted += 1;
            return;
          }
          process.stderr.write(`${workflowId}: refused: ${message}\n`);
        }
      });
      process.stdout.write(`migration requested for ${accepted} enrollment(s) (${accepted} of ${runs.length} accepted); each applies it at its next step boundary\n`);
      return accepted === runs.length ? 0 : 1;
    } finally {
      await temporal.connection.close();
      await db.$disconnect();
    }
  },
};

/** Runs `fn` over `items`, 16 at a time: thousands of runs move without flooding the frontend. */
async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(16, queue.length) }, async () => {
    for (let x = queue.shift(); x !== undefined; x = queue.shift()) await fn(x);
  }));
}

/** Stores the version (once); the same version with another content is refused. */
async function storeVersion(db: Db, def: SequenceDefinition): Promise<void> {
  const definition = JSON.stringify(def);
  const key = { sequenceId_version: { sequenceId: def.id, version: def.version } };
  const existing = await db.sequenceVersion.findUnique({ where: key });
  if (existing && existing.definition !== definition) {
    throw new UsageError(`version ${def.version} of ${def.id} was stored before with other content: give the changed file a new version number`);
  }
  if (!existing) {
    try {
      await db.sequenceVersion.create({ data: { sequenceId: def.id, version: def.version, definition } });
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err;
    }
  }
}
