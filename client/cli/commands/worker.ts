import type { Command } from '../command';
import { parseFlags } from '../args';
import { loadConfig } from '../../../domain/config';
import { createRuntime } from '../../../worker/runtime';
import { connectWorker } from '../../../worker/temporal-connection';
import { createOutreachWorker } from '../../../worker/worker';
import { onShutdown } from './serve';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run a worker (workflows and activities) against TEMPORAL_ADDRESS until stopped.',
  usage: 'outreach worker',
  async run(argv) {
    parseFlags(argv, {});
    const config = loadConfig();
    const rt = await createRuntime(config);
    // Compile every template in every locale now: a broken template stops start-up, not a send.
    await rt.renderer.warm();
    const connection = await connectWorker(config.temporal);
    const worker = await createOutreachWorker({ config, connection, ...rt });
    process.stderr.write(`worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address} (namespace ${config.temporal.namespace})\n`);
    const running = worker.run();
    await Promise.race([running, onShutdown([() => worker.shutdown(), () => running, () => connection.close(), () => rt.close()])]);
    return 0;
  },
};
