import type { Command } from '../command';
import { parseFlags } from '../args';
import { loadConfig } from '../../../domain/config';
import { createRuntime } from '../../../worker/runtime';
import { connectClient } from '../../../worker/temporal-connection';
import { buildApi } from '../../api/server';
import { onShutdown } from './serve';

export const apiCommand: Command = {
  name: 'api',
  summary: 'Serve the HTTP API on API_HOST:API_PORT until stopped.',
  usage: 'outreach api',
  async run(argv) {
    parseFlags(argv, {});
    const config = loadConfig();
    const rt = await createRuntime(config);
    const temporal = await connectClient(config.temporal);
    const api = buildApi({ config, db: rt.db, temporal, registry: rt.registry });
    await api.listen({ host: config.api.host, port: config.api.port });
    process.stderr.write(`API listening on http://${config.api.host}:${config.api.port}\n`);
    await onShutdown([() => temporal.connection.close(), () => rt.close(), () => api.close()]);
    return 0;
  },
};
