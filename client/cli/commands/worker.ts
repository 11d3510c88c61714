import type { Command } from '../command';
import { parseFlags } from '../args';
import { loadConfig } from '../../../domain/config';
import { createRuntime } from '../../../worker/runtime';
import { stopMjmlCompiler } from '../../../activities/render';
import { connectWorker } from '../../../worker/temporal-connection';
import { createOutreachWorker } from '../../../worker/worker';
import { onShutdown } from './serve';
import { installRuntimeLogger } from '../../../worker/logging';
import { startMetricsServer } from '../../../activities/observability';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run a worker (workflows and activities) against TEMPORAL_ADDRESS until stopped.',
  usage: 'outreach worker',
  async run(argv) {
    parseFlags(argv, {});
    const config = loadConfig();
    installRuntimeLogger(config); // SDK and activity logs as JSON lines (worker/logging.ts)
    if (config.ops.workerMetricsPort) await startMetricsServer(config.ops.workerMetricsPort, config.ops.workerMetricsHost); // this process's counters for Prometheus (docs/ops.md)
    const rt = await createRuntime(config);
    // Compile every template in every locale now: a broken template stops start-up, not a send.
    await rt.renderer.warm();
    // Everything is compiled and cached now: free the MJML compiler thread (it restarts on demand).
    await stopMjmlCompiler();
    const connection = await connectWorker(config.temporal);
    const worker = await createOutreachWorker({ config, connection, ...rt });
    process.stderr.write(`worker polling task queues "${worker.taskQueue}" and "${worker.emailTaskQueue}" (email) on ${config.temporal.address} (namespace ${config.temporal.namespace})\n`);
    const running = worker.run();
    // Stoppers run in reverse: stop both workers, wait for them, then close the connection and the database.
    await Promise.race([running, onShutdown([() => rt.close(), () => connection.close(), () => running, () => worker.shutdown()])]);
    return 0;
  },
};
