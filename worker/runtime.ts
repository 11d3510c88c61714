// Assembles the engine's long-lived parts from config: database, SMTP transport, template renderer,
// sequence registry, Temporal connections. Used by `outreach dev`, `outreach worker`, `outreach api`.
import path from 'node:path';
import type { Config } from '../domain/config';
import { PROJECT_ROOT } from '../domain/config';
import { checkDatabase, createDb, type Db } from '../activities/db/client';
import { createTransport, type MailTransport } from '../activities/mail/transport';
import { TemplateRenderer } from '../activities/render';
import { SequenceRegistry } from '../domain/sequence/registry';
import { templateCatalog } from '../domain/sequence/validate';
import { loadAccount, type AccountSettings } from '../domain/account';

export const DEFAULT_SEQUENCES_DIR = path.join(PROJECT_ROOT, 'sequences');
export const DEFAULT_TEMPLATES_DIR = path.join(PROJECT_ROOT, 'templates');

export interface Runtime {
  db: Db;
  transport: MailTransport;
  renderer: TemplateRenderer;
  registry: SequenceRegistry;
  account: AccountSettings;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, opts: { sequencesDir?: string; templatesDir?: string } = {}): Promise<Runtime> {
  const db = createDb(config.database);
  await checkDatabase(db, config.database);
  const transport = createTransport(config.smtp);
  const templatesDir = opts.templatesDir ?? process.env.TEMPLATES_DIR ?? DEFAULT_TEMPLATES_DIR;
  const renderer = new TemplateRenderer({ templatesDir, defaultLocale: config.defaultLocale });
  const account = loadAccount(path.join(templatesDir, 'account.json'), config.api.publicBaseUrl);
  // Sequences are checked against the real templates at start: a bad template name fails here,
  // not at a send weeks later.
  const registry = SequenceRegistry.fromDirectory(opts.sequencesDir ?? process.env.SEQUENCES_DIR ?? DEFAULT_SEQUENCES_DIR, { templates: templateCatalog(renderer) });
  return {
    db,
    transport,
    renderer,
    registry,
    account,
    async close() {
      transport.close();
      await db.$disconnect();
    },
  };
}
