// Starts the real servers every integration suite shares, once per test run:
// - the Temporal dev server (official CLI, in memory) on a free port -> TEMPORAL_TEST_ADDRESS
// - a throwaway PostgreSQL server                                   -> TEST_POSTGRES_URL
// and resolves the time-skipping test server's launcher            -> TEMPORAL_TEST_SERVER_PATH
// and the Temporal server binaries for the cluster test             -> TEMPORAL_SERVER_DIR.
// Suites create their own SQLite files, PostgreSQL databases, task queues and SMTP sinks.
import { ensureTools } from '../../worker/support/tools';
import { startDevServer } from '../../worker/support/dev-server';
import { startTestPostgres } from './postgres';

export default async function globalSetup(): Promise<void> {
  const tools = await ensureTools('all');
  const temporal = await startDevServer({ executable: tools.temporal! });
  const pg = await startTestPostgres();
  process.env.TEMPORAL_TEST_ADDRESS = temporal.address;
  process.env.TEMPORAL_CLI_PATH = tools.temporal;
  process.env.TEMPORAL_TEST_SERVER_PATH = tools.testServer;
  process.env.TEMPORAL_SERVER_DIR = tools.server;
  process.env.TEST_POSTGRES_URL = pg.url;
  // globalTeardown runs in this same process and reads these back.
  (globalThis as Record<string, unknown>).__outreachServers = { temporal, pg };
}
