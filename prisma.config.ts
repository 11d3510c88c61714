// Lets plain `npx prisma ...` pick the right schema and migrations from DATABASE_URL:
// postgres:// or postgresql:// selects PostgreSQL, anything else the embedded SQLite database.
const url = process.env.DATABASE_URL ?? '';
// eslint-disable-next-line @typescript-eslint/no-require-imports
module.exports = /^postgres(ql)?:\/\//.test(url)
  ? require('./prisma/postgresql.config').default
  : require('./prisma/sqlite.config').default;
