// Shared start-up and shutdown for the long-running commands (dev, api, worker): Ctrl-C or SIGTERM
// stops every part in reverse order, once.
export type Stopper = () => Promise<void> | void;

export function onShutdown(stoppers: Stopper[], log: (m: string) => void = (m) => process.stderr.write(m + '\n')): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`\n${signal} received: stopping...`);
      for (const s of [...stoppers].reverse()) {
        try {
          await s();
        } catch (err) {
          log(`  while stopping: ${(err as Error).message}`);
        }
      }
      log('stopped.');
      resolve();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}
