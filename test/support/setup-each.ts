// Runs in every test process before its suites: the Temporal SDK logs only warnings and errors, so
// test output shows what matters.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process.
}
