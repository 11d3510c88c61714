import type { Command } from '../command';
import { parseFlags } from '../args';
import { ConfigError, loadConfig } from '../../../domain/config';
import { migrateDatabase } from '../../../activities/db/migrate';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations to DATABASE_URL (SQLite or PostgreSQL), offline.',
  usage: 'outreach migrate',
  async run(argv) {
    parseFlags(argv, {});
    const config = loadConfig();
    try {
      await migrateDatabase(config.database.url);
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
    process.stdout.write(`migrations applied (${config.database.provider})\n`);
    return 0;
  },
};
