// Prisma CLI configuration for the embedded SQLite database (the default).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { databaseUrl } from './database-url';

export default defineConfig({
  schema: path.join(__dirname, 'schema.prisma'),
  migrations: { path: path.join(__dirname, 'migrations') },
  datasource: { url: databaseUrl('sqlite') },
});
