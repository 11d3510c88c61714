// `outreach customer upsert` and `outreach event send`: the API's ingestion paths from the command
// line, with the same validation (client/api/schemas.ts) and the same exactly-once dispatch.
import fs from 'node:fs';
import type { Command } from '../command';
import { parseFlags, requireFlag, UsageError } from '../args';
import { loadConfig } from '../../../domain/config';
import { createRuntime } from '../../../worker/runtime';
import { connectClient } from '../../../worker/temporal-connection';
import { upsertCustomer } from '../../api/customers';
import { ingestBatch } from '../../api/ingest';
import type { EnrollmentDeps } from '../../api/enrollments';
import { FieldErrors, validateCustomer, validateCustomerId } from '../../api/schemas';

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--file ${file}: cannot read the file`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--file ${file}: not valid JSON (${(err as Error).message})`);
  }
}

function printFieldErrors(err: FieldErrors, file: string): number {
  for (const e of err.errors) process.stderr.write(`${file}: ${e.field}: ${e.message}\n`);
  return 1;
}

async function withEngine<T>(fn: (deps: Awaited<ReturnType<typeof engine>>) => Promise<T>): Promise<T> {
  const deps = await engine();
  try {
    return await fn(deps);
  } finally {
    // Events still queued (Temporal unreachable, say) stay in the outbox: the API's dispatcher sends them.
    await (deps.deps as EnrollmentDeps).dispatcher?.stop();
    await deps.temporal.connection.close();
    await deps.rt.close();
  }
}

async function engine() {
  const config = loadConfig();
  const rt = await createRuntime(config);
  const temporal = await connectClient(config.temporal);
  const deps: EnrollmentDeps = { db: rt.db, temporal, registry: rt.registry, config, taskQueue: config.temporal.taskQueue };
  return { config, rt, temporal, deps };
}

/** How long `event send` waits for the dispatch of what it stored; a longer one finishes in the API's dispatcher. */
const CLI_DISPATCH_WAIT_MS = 10_000;

export const customerUpsertCommand: Command = {
  name: 'customer upsert',
  summary: 'Create or update a customer from a JSON file ({ "id": ..., ...profile }), validated like PUT /v1/customers/:id.',
  usage: 'outreach customer upsert --file <customer.json> [--id <id>]',
  async run(argv) {
    const { values } = parseFlags(argv, { file: { type: 'string' }, id: { type: 'string' } });
    const file = requireFlag(values, 'file');
    const doc = readJsonFile(file);
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`--file ${file}: expected a JSON object`);
    const { id: idInFile, ...profile } = doc as Record<string, unknown>;
    const id = (values.id as string | undefined) ?? (typeof idInFile === 'string' ? idInFile : undefined);
    if (!id) throw new UsageError(`--file ${file}: no "id" in the file; add one or pass --id`);
    try {
      validateCustomerId(id);
    } catch (err) {
      if (err instanceof FieldErrors) throw new UsageError(`${values.id !== undefined ? '--id' : `--file ${file}: "id"`} ${err.errors[0].message}`);
      throw err;
    }
    let body;
    try {
      body = validateCustomer(profile);
    } catch (err) {
      if (err instanceof FieldErrors) return printFieldErrors(err, file);
      throw err;
    }
    const r = await withEngine(({ deps }) => upsertCustomer(deps, id, body));
    process.stdout.write(JSON.stringify(r) + '\n');
    return 0;
  },
};

export const eventSendCommand: Command = {
  name: 'event send',
  summary: 'Send one event, an array of events, or { "events": [...] } from a JSON file, validated like POST /v1/events.',
  usage: 'outreach event send --file <events.json>',
  async run(argv) {
    const { values } = parseFlags(argv, { file: { type: 'string' } });
    const file = requireFlag(values, 'file');
    const doc = readJsonFile(file);
    const items = Array.isArray(doc) ? doc : doc && typeof doc === 'object' && 'events' in doc ? (doc as { events: unknown }).events : [doc];
    if (!Array.isArray(items) || items.length === 0) throw new UsageError(`--file ${file}: "events" must be a non-empty array`);
    // This process dispatches what it stored: it waits for that (bounded) before it exits.
    const results = await withEngine(({ deps }) => ingestBatch(deps, items, CLI_DISPATCH_WAIT_MS));
    let rejected = 0;
    for (const r of results) {
      if (r.status === 'rejected') {
        rejected += 1;
        for (const e of r.errors ?? []) process.stderr.write(`${file}: ${items.length === 1 ? e.field.replace(/^events\.0\./, '') : e.field}: ${e.message}\n`);
      }
    }
    process.stdout.write(JSON.stringify({ accepted: results.filter((r) => r.status === 'accepted').length, duplicates: results.filter((r) => r.status === 'duplicate').length, rejected, results }) + '\n');
    return rejected ? 1 : 0;
  },
};
