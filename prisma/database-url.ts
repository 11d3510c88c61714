// The database URL the Prisma CLI uses, kept in one place for both configs. Without DATABASE_URL the
// embedded SQLite file under .data/ is used, the same default as the engine (see README).
import path from 'node:path';

export const DEFAULT_SQLITE_FILE = path.join(__dirname, '..', '.data', 'outreach.db');

export function databaseUrl(provider: 'sqlite' | 'postgresql'): string | undefined {
  const url = process.env.DATABASE_URL;
  if (provider === 'sqlite') return url && url.startsWith('file:') ? url : `file:${DEFAULT_SQLITE_FILE}`;
  return url && /^postgres(ql)?:\/\//.test(url) ? url : undefined;
}
