// The yardstick's worker for bench/e2e.ts, in its own process like the engine's worker: a bare
// Temporal worker with the SDK's defaults, one no-op activity.
//   node --require tsx/cjs bench/bare/worker.ts <temporal address> <task queue>
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

async function main() {
  const [address, taskQueue] = process.argv.slice(2);
  if (!address || !taskQueue) throw new Error('usage: worker.ts <temporal address> <task queue>');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger: quiet as never });
  const worker = await Worker.create({ connection, taskQueue, workflowBundle, activities: { noop: async () => undefined } });
  process.once('SIGTERM', () => worker.shutdown());
  process.stderr.write(`bare worker polling "${taskQueue}"\n`);
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
