import type { Command } from '../command';
import { parseFlags, UsageError } from '../args';
import { ensureTools } from '../../../worker/support/tools';

export const toolsCommand: Command = {
  name: 'tools',
  summary: 'Find, or build once from the package registries, the Temporal dev server, the time-skipping test server and the Temporal server for `outreach cluster`.',
  usage: 'outreach tools [--only temporal|test-server|server]',
  async run(argv) {
    const { values } = parseFlags(argv, { only: { type: 'string' } });
    const only = values.only as string | undefined;
    if (only && only !== 'temporal' && only !== 'test-server' && only !== 'server') throw new UsageError(`--only must be temporal, test-server or server (got "${only}")`);
    const tools = await ensureTools((only as 'temporal' | 'test-server' | 'server' | undefined) ?? 'all');
    if (tools.temporal) process.stdout.write(`temporal: ${tools.temporal}\n`);
    if (tools.testServer) process.stdout.write(`time-skipping test server: ${tools.testServer}\n`);
    if (tools.server) process.stdout.write(`Temporal server (cluster): ${tools.server}\n`);
    return 0;
  },
};
