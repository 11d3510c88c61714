// Prisma CLI configuration for PostgreSQL (production). The schema is generated from
// prisma/schema.prisma; migrations live in their own folder because their SQL differs.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { databaseUrl } from './database-url';

export default defineConfig({
  schema: path.join(__dirname, 'postgresql', 'schema.prisma'),
  migrations: { path: path.join(__dirname, 'postgresql', 'migrations') },
  datasource: { url: databaseUrl('postgresql') },
});
