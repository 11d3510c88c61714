import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestPostgres } from './postgres';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__outreachServers as
    | { temporal: TestWorkflowEnvironment; pg: TestPostgres }
    | undefined;
  if (!servers) return;
  await servers.temporal.teardown();
  servers.pg.stop();
}
