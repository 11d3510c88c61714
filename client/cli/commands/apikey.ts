// API key management: keys are shown once at creation and stored hashed.
import type { Command } from '../command';
import { parseFlags, requireFlag, UsageError } from '../args';
import { loadConfig } from '../../../domain/config';
import { createDb } from '../../../activities/db/client';
import { createApiKey, revokeApiKey, SCOPES, type Scope } from '../../api/auth';

function parseScopes(raw: string): Scope[] {
  const scopes = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (bad.length || scopes.length === 0) throw new UsageError(`--scopes must list ${SCOPES.join(' and/or ')} separated by commas (got "${raw}")`);
  return scopes as Scope[];
}

export const apikeyCreateCommand: Command = {
  name: 'apikey create',
  summary: 'Create an API key with scopes (ingest, ops); prints the key once.',
  usage: 'outreach apikey create --name <name> --scopes ingest,ops',
  async run(argv) {
    const { values } = parseFlags(argv, { name: { type: 'string' }, scopes: { type: 'string' } });
    const name = requireFlag(values, 'name');
    const scopes = parseScopes(requireFlag(values, 'scopes'));
    const db = createDb(loadConfig().database);
    try {
      const { id, key } = await createApiKey(db, name, scopes);
      process.stdout.write(`${key}\n`);
      process.stderr.write(`created key ${id} (${scopes.join(',')}); store it now: it is not shown again\n`);
      return 0;
    } finally {
      await db.$disconnect();
    }
  },
};

export const apikeyListCommand: Command = {
  name: 'apikey list',
  summary: 'List API keys (ids, names, scopes; never the keys).',
  usage: 'outreach apikey list',
  async run(argv) {
    parseFlags(argv, {});
    const db = createDb(loadConfig().database);
    try {
      for (const k of await db.apiKey.findMany({ orderBy: { createdAt: 'asc' } })) {
        process.stdout.write(`${k.id}\t${k.name}\t${k.scopes}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}\n`);
      }
      return 0;
    } finally {
      await db.$disconnect();
    }
  },
};

export const apikeyRevokeCommand: Command = {
  name: 'apikey revoke',
  summary: 'Revoke an API key by id.',
  usage: 'outreach apikey revoke <id>',
  async run(argv) {
    const { positionals } = parseFlags(argv, {}, 1);
    if (!positionals[0]) throw new UsageError('missing the key id to revoke');
    const db = createDb(loadConfig().database);
    try {
      const ok = await revokeApiKey(db, positionals[0]);
      process.stderr.write(ok ? `revoked ${positionals[0]}\n` : `no active key ${positionals[0]}\n`);
      return ok ? 0 : 1;
    } finally {
      await db.$disconnect();
    }
  },
};
