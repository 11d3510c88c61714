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
import { migrateSignal } from '../../../workflows/sequence/messages';
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
    try {
      const rows = await db.enrollment.findMany({
        where: { sequenceId: def.id, status: { in: ['running', 'paused'] }, sequenceVersion: fromVersion ?? { lt: def.version } },
        orderBy: { startedAt: 'asc' },
      });
      // Enrollments waiting at a step the new version lacks, with no mapping, would be refused by
      // the workflow: say so now.
      const unmapped = [...new Set(rows.map((r) => r.currentStep).filter((s): s is string => !!s && !stepMap[s] && !def.steps.some((x) => x.id === s)))];
      if (unmapped.length) {
        process.stderr.write(`enrollments are at step(s) ${unmapped.join(', ')} which version ${def.version} lacks: add them to --map (old=new)\n`);
        return 1;
      }
      process.stdout.write(`${rows.length} running enrollment(s) of ${def.id} to move to version ${def.version}${Object.keys(stepMap).length ? ` with ${Object.entries(stepMap).map(([a, b]) => `${a}->${b}`).join(', ')}` : ''}\n`);
      if (values['dry-run'] || rows.length === 0) return 0;
      if (!values.yes) {
        if (!process.stdin.isTTY) throw new UsageError('refusing to migrate without confirmation: pass --yes');
        const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
        const answer = await rl.question('Proceed? [y/N] ');
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) return 1;
      }
      const temporal = await connectClient(config.temporal);
      let sent = 0;
      try {
        for (const r of rows) {
          try {
            await temporal.workflow.getHandle(r.workflowId).signal(migrateSignal, { definition: def, stepMap });
            sent += 1;
          } catch (err) {
            process.stderr.write(`${r.workflowId}: ${(err as Error).message.split('\n')[0]}\n`);
          }
        }
      } finally {
        await temporal.connection.close();
      }
      process.stdout.write(`migration requested for ${sent} enrollment(s); each applies it at its next step boundary\n`);
      return sent === rows.length ? 0 : 1;
    } finally {
      await db.$disconnect();
    }
  },
};
