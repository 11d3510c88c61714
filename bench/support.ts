// Shared set-up for benchmarks: the real Temporal dev server (found or built by ensure-tools) and the
// test stack on top of it. Benchmarks print figures; they never assert on time.
import os from 'node:os';
import { ensureTools } from '../worker/support/tools';
import { startDevServer } from '../worker/support/dev-server';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';

// Benchmarks print figures; the SDK's informational logs would bury them.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed.
}

export async function withDevServer<T>(fn: (env: TestWorkflowEnvironment) => Promise<T>): Promise<T> {
  const tools = await ensureTools('temporal', { quiet: true });
  const env = await startDevServer({ executable: tools.temporal! });
  process.env.TEMPORAL_TEST_ADDRESS = env.address;
  try {
    return await fn(env);
  } finally {
    await env.teardown();
  }
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
