// Starts the real Temporal dev server (the official `temporal` CLI, SQLite-backed when a database
// file is given) through the SDK's ephemeral-server support, registering our search attributes.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

export interface DevServerOptions {
  executable: string;
  port?: number;
  uiPort?: number;
  ui?: boolean;
  dbFilename?: string;
  namespace?: string;
}

export async function startDevServer(opts: DevServerOptions): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: opts.executable },
      ip: '127.0.0.1',
      port: opts.port,
      ui: opts.ui ?? false,
      uiPort: opts.uiPort,
      dbFilename: opts.dbFilename,
      namespace: opts.namespace ?? 'default',
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
    },
  });
}
