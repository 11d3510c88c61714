import type { Command } from '../command';
import { parseFlags, UsageError } from '../args';
import { ensureTools } from '../../../worker/support/tools';

export const toolsCommand: Command = {
  name: 'tools',
  summary: 'Find, or build once from the package registries, the Temporal dev server and time-skipping test server.',
  usage: 'outreach tools [--only temporal|test-server]',
  async run(argv) {
    const { values } = parseFlags(argv, { only: { type: 'string' } });
    const only = values.only as string | undefined;
    if (only && only !== 'temporal' && only !== 'test-server') throw new UsageError(`--only must be temporal or test-server (got "${only}")`);
    const tools = await ensureTools((only as 'temporal' | 'test-server' | undefined) ?? 'all');
    if (tools.temporal) process.stdout.write(`temporal: ${tools.temporal}\n`);
    if (tools.testServer) process.stdout.write(`time-skipping test server: ${tools.testServer}\n`);
    return 0;
  },
};
