// `outreach sequence lint` and `outreach sequence simulate`: the marketer's tools for sequence files.
// Thin on purpose: parsing and validation live in domain/sequence/parse.ts, the dry run in
// domain/sequence/simulate.ts; this file reads files, picks the template catalog and prints.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../command';
import { checkYearRange, parseFlags, requireFlag, UsageError } from '../args';
import { formatProblem, lintSequence, type SequenceProblem, type TemplateCatalog } from '../../../domain/sequence/parse';
import { templateCatalog } from '../../../domain/sequence/validate';
import { formatTimeline, simulate, SimulationInputError, type SimAction, type SimCustomer, type SimEvent } from '../../../domain/sequence/simulate';
import type { BusinessCalendar } from '../../../domain/calendar';
import { loadConfig } from '../../../domain/config';
import { accountCalendar as engineCalendar } from '../../../activities/calendar';

const DEFAULT_DIR = 'sequences';

function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** The sequence files of a folder, sorted, as the registry loads them. */
function sequenceFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
}

/**
 * The renderer's catalog of `dir`, or undefined (with the reason) when there is none to check
 * against. Loaded lazily: MJML and Handlebars are only needed when templates are checked.
 */
async function loadTemplates(dir: string | undefined): Promise<{ catalog?: TemplateCatalog; source: string }> {
  let render: typeof import('../../../activities/render');
  try {
    // require, not import(): the project compiles to CommonJS, and a dynamic import() of a
    // TypeScript path needs an extension under nodenext resolution.
    render = require('../../../activities/render') as typeof import('../../../activities/render');
  } catch (err) {
    return { source: `template names not checked: the renderer could not be loaded (${(err as Error).message.split('\n')[0]})` };
  }
  const renderer = new render.TemplateRenderer(dir ? { templatesDir: dir } : {});
  const names = renderer.templates();
  if (names.length === 0) return { source: `template names not checked: no templates in ${display(renderer.templatesDir)}` };
  return { catalog: templateCatalog(renderer), source: `${names.length} templates in ${display(renderer.templatesDir)}` };
}

export const sequenceLintCommand: Command = {
  name: 'sequence lint',
  summary: 'Check sequence files (all of sequences/ by default): every problem with file, line and column.',
  usage: 'outreach sequence lint [files...] [--dir <folder>] [--templates <folder>]',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { dir: { type: 'string' }, templates: { type: 'string' } }, Infinity);
    if (positionals.length && values.dir !== undefined) throw new UsageError('give either files or --dir, not both');
    const dir = (values.dir as string | undefined) ?? DEFAULT_DIR;
    let files: string[];
    if (positionals.length) {
      files = positionals;
    } else {
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--dir: no folder ${dir}`);
      files = sequenceFiles(dir);
    }
    const templatesDir = values.templates as string | undefined;
    if (templatesDir !== undefined && !fs.existsSync(templatesDir)) throw new UsageError(`--templates: no folder ${templatesDir}`);
    const { catalog, source } = await loadTemplates(templatesDir);
    if (!catalog) process.stderr.write(`warning: ${source}\n`);

    const problems: SequenceProblem[] = [];
    const ids = new Map<string, string>();
    let sequences = 0;
    for (const file of files) {
      const name = display(file);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        problems.push({ file: name, message: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, path: [] });
        continue;
      }
      const result = lintSequence(text, name, { templates: catalog });
      problems.push(...result.problems);
      if (result.definition) {
        sequences++;
        // The registry refuses two files with one id; say so here rather than at engine start.
        const other = ids.get(result.definition.id);
        if (other) problems.push({ file: name, line: 1, column: 1, field: 'id', message: `duplicate sequence id "${result.definition.id}" (also in ${other})`, path: ['id'] });
        else ids.set(result.definition.id, name);
      }
    }
    for (const p of problems) process.stdout.write(formatProblem(p) + '\n');
    if (problems.length) {
      const bad = new Set(problems.map((p) => p.file)).size;
      process.stderr.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${bad} of ${files.length} file${files.length === 1 ? '' : 's'}\n`);
      return 1;
    }
    process.stdout.write(`OK: ${sequences} sequence${sequences === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}, no problems (${catalog ? `templates checked against ${source}` : source})\n`);
    return 0;
  },
};

/** A JSON file given to a flag; unreadable or invalid JSON is a usage error naming the flag. */
function readJsonFlag(flag: string, file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--${flag}: ${file} is not valid JSON (${(err as Error).message})`);
  }
}

export const sequenceSimulateCommand: Command = {
  name: 'sequence simulate',
  summary: 'Show when each email of a sequence would go out for one customer, without sending anything.',
  usage: 'outreach sequence simulate <file> --customer <file.json> [--events <file.json>] [--actions <file.json>] [--start <ISO instant>] [--variant <name>] [--seed <text>] [--calendar <file.json>] [--json]',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      customer: { type: 'string' },
      events: { type: 'string' },
      actions: { type: 'string' },
      start: { type: 'string' },
      variant: { type: 'string' },
      seed: { type: 'string' },
      calendar: { type: 'string' },
      json: { type: 'boolean' },
    }, 1);
    const file = positionals[0];
    if (!file) throw new UsageError('missing the sequence file, e.g. sequences/onboarding.yaml');
    const customerFile = requireFlag(values, 'customer');
    const start = values.start as string | undefined;
    if (start !== undefined && !(/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(start) && Number.isFinite(Date.parse(start)))) {
      throw new UsageError(`--start must be an ISO-8601 instant with a zone, e.g. 2026-03-02T08:00:00Z (got "${start}")`);
    }
    if (start !== undefined) checkYearRange('--start', Date.parse(start), start);
    const customer = readJsonFlag('customer', customerFile) as SimCustomer;
    const eventsFile = values.events as string | undefined;
    const events = eventsFile !== undefined ? (readJsonFlag('events', eventsFile) as SimEvent[]) : [];
    const actionsFile = values.actions as string | undefined;
    const actions = actionsFile !== undefined ? (readJsonFlag('actions', actionsFile) as SimAction[]) : undefined;
    const calendarFile = values.calendar as string | undefined;
    const accountCalendar = calendarFile !== undefined ? (readJsonFlag('calendar', calendarFile) as BusinessCalendar) : undefined;

    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const { definition, problems } = lintSequence(text, display(file));
    if (!definition) {
      for (const p of problems) process.stdout.write(formatProblem(p) + '\n');
      process.stderr.write(`${display(file)} has problems; fix them before simulating\n`);
      return 1;
    }
    const config = loadConfig();
    let result;
    try {
      result = simulate(definition, {
        customer,
        events,
        actions,
        // Without --start and without a trigger event in the events, the sequence starts now.
        start: start ?? (Array.isArray(events) && events.some((e) => e?.name === definition.trigger.event) ? undefined : new Date().toISOString()),
        variant: values.variant as string | undefined,
        seed: values.seed as string | undefined,
        // As the engine would run it with this environment: the account calendar, spreading, the
        // marketing cap and survey fatigue (DEFAULT_TIME_ZONE, SEND_WINDOWS, SPREAD_SENDS, MARKETING_CAP, ...).
        accountCalendar: accountCalendar ?? engineCalendar(config),
        spreadSends: config.spreadSends,
        marketingCap: config.delivery.marketingCap ?? null,
        surveyFatigueDays: config.surveys.fatigueDays,
      });
    } catch (err) {
      if (err instanceof SimulationInputError) {
        // Point at the file the bad value came from.
        const [source, field] = err.field.startsWith('customer.') || err.field === 'customer'
          ? [customerFile, err.field.replace(/^customer\.?/, '')]
          : err.field.startsWith('events') ? [eventsFile ?? '--events', err.field.replace(/^events/, '')]
            : err.field.startsWith('actions') ? [actionsFile ?? '--actions', err.field.replace(/^actions/, '')] : ['--' + err.field, ''];
        process.stderr.write(`${source}: ${field ? `${field}: ` : ''}${err.message.slice(err.field.length + 2)}\n`);
        return 1;
      }
      if (err instanceof Error && err.name === 'CalendarError') {
        process.stderr.write(`${calendarFile ?? 'calendar'}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    process.stdout.write((values.json ? JSON.stringify(result, null, 2) : formatTimeline(result)) + '\n');
    return 0;
  },
};
