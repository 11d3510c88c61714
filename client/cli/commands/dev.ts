// `outreach dev` (npm start): the whole engine on embedded defaults, for a first look and for
// development. Temporal dev server (SQLite-persisted, Web UI), migrations on SQLite, the mail
// catcher (SMTP + web page), a worker and the HTTP API, in one process; Ctrl-C stops everything.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../command';
import { parseFlags } from '../args';
import { ConfigError, DATA_DIR, DEV_SECRET, loadConfig } from '../../../domain/config';
import { migrateDatabase } from '../../../activities/db/migrate';
import { ensureTools } from '../../../worker/support/tools';
import { startDevServer } from '../../../worker/support/dev-server';
import { createRuntime } from '../../../worker/runtime';
import { stopMjmlCompiler } from '../../../activities/render';
import { connectClient, connectWorker } from '../../../worker/temporal-connection';
import { createOutreachWorker } from '../../../worker/worker';
import { buildApi } from '../../api/server';
import { createApiKey } from '../../api/auth';
import { MailCatcher } from '../../mail-catcher/mail-catcher';
import { createMailCatcherWeb } from '../../mail-catcher/web';
import { onShutdown, type Stopper } from './serve';
import { installRuntimeLogger } from '../../../worker/logging';

function portVar(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(`${name} must be a port number from 1 to 65535 (got "${raw}")`);
  return n;
}

export const devCommand: Command = {
  name: 'dev',
  summary: 'Run the whole engine locally on embedded defaults (Temporal dev server, SQLite, mail catcher, worker, API).',
  usage: 'outreach dev',
  async run(argv) {
    parseFlags(argv, {});
    const say = (m: string) => process.stdout.write(m + '\n');
    const temporalPort = portVar('TEMPORAL_PORT', 7233);
    const uiPort = portVar('TEMPORAL_UI_PORT', 8233);
    const smtpPort = portVar('MAIL_CATCHER_SMTP_PORT', 1025);
    const mailWebPort = portVar('MAIL_CATCHER_WEB_PORT', 1080);
    const env: Record<string, string | undefined> = {
      ...process.env,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${temporalPort}`,
      SMTP_URL: process.env.SMTP_URL ?? `smtp://127.0.0.1:${smtpPort}`,
      TEMPORAL_UI_URL: process.env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${uiPort}`,
    };
    const config = loadConfig(env);
    installRuntimeLogger(config); // before the dev server creates the Temporal Runtime (worker/logging.ts)
    const stoppers: Stopper[] = [];
    const ctrlC = onShutdown(stoppers);
    fs.mkdirSync(DATA_DIR, { recursive: true });

    say('outreach dev: starting (first run installs tools and may take a few minutes)...');
    const tools = await ensureTools('temporal');
    const server = await startDevServer({
      executable: tools.temporal!,
      port: temporalPort,
      ui: true,
      uiPort,
      dbFilename: path.join(DATA_DIR, 'temporal.db'),
      namespace: config.temporal.namespace,
    });
    stoppers.push(() => server.teardown());

    await migrateDatabase(config.database.url).catch((err: Error) => {
      throw new ConfigError(err.message);
    });

    let catcher: MailCatcher | undefined;
    if (!process.env.SMTP_URL) {
      catcher = new MailCatcher();
      await catcher.listen(smtpPort);
      const web = createMailCatcherWeb(catcher);
      await web.listen({ host: '127.0.0.1', port: mailWebPort });
      stoppers.push(() => catcher!.close(), () => web.close());
    }

    const rt = await createRuntime(config);
    stoppers.push(() => rt.close());
    // Compile every template in every locale now: a broken template stops start-up, not a send.
    await rt.renderer.warm();
    // Everything is compiled and cached now: free the MJML compiler thread (it restarts on demand).
    await stopMjmlCompiler();
    const workerConnection = await connectWorker(config.temporal);
    const worker = await createOutreachWorker({ config, connection: workerConnection, ...rt });
    const running = worker.run();
    stoppers.push(() => workerConnection.close(), async () => {
      worker.shutdown();
      await running;
    });
    const temporal = await connectClient(config.temporal);
    stoppers.push(() => temporal.connection.close());
    // A development API key with every scope, kept in .data/ for `outreach demo-event` and curl.
    const keyFile = path.join(DATA_DIR, 'dev-api-key');
    if (!fs.existsSync(keyFile)) {
      const { key } = await createApiKey(rt.db, 'development', ['ingest', 'ops']);
      fs.writeFileSync(keyFile, key + '\n', { mode: 0o600 });
    }
    const devKey = fs.readFileSync(keyFile, 'utf8').trim();
    const api = buildApi({ config, db: rt.db, temporal, registry: rt.registry });
    await api.listen({ host: config.api.host, port: config.api.port });
    stoppers.push(() => api.close());

    say('');
    say('Outreach is running:');
    say(`  HTTP API          http://${config.api.host}:${config.api.port}   (health: /health)`);
    say(`  Temporal Web UI   http://127.0.0.1:${uiPort}`);
    say(`  Temporal server   ${config.temporal.address} (namespace ${config.temporal.namespace}, data in .data/temporal.db)`);
    if (catcher) say(`  Mail catcher      http://127.0.0.1:${mailWebPort}   (SMTP on 127.0.0.1:${smtpPort})`);
    say(`  Database          ${config.database.url.replace(/\/\/[^@]*@/, '//***@')}`);
    say(`  Sequences         ${rt.registry.all().map((d) => d.id).join(', ') || '(none)'}`);
    say(`  Dev API key       ${devKey}   (also in .data/dev-api-key)`);
    say(`  Ops dashboard     http://${config.api.host}:${config.api.port}/dashboard?key=${devKey}   (metrics: /metrics)`);
    if (config.secrets.includes(DEV_SECRET)) say('  (using the development signing secret; set OUTREACH_SECRET in production)');
    say('');
    say('Send a demo signup event from another terminal:');
    say('  npx outreach demo-event');
    say('');
    say('Press Ctrl-C to stop.');
    await Promise.race([ctrlC, running.then(() => undefined)]);
    return 0;
  },
};
