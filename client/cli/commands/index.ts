// Every `outreach` sub-command, one file each. Add new commands here.
// A command's module is loaded only when that command runs (or when the help lists every summary):
// `outreach worker` then never loads the API server, the mail catcher or the preview server, which
// a long-running worker would otherwise keep in memory for nothing.
import type { Command } from '../command';

type Commands<M> = { [K in keyof M]: M[K] extends Command ? K : never }[keyof M];

/** A command whose module is required on first use of its summary, usage or run. */
function lazy<M, K extends Commands<M>>(name: string, load: () => M, key: K): Command {
  const command = (): Command => load()[key] as Command;
  return {
    name,
    get summary() { return command().summary; },
    get usage() { return command().usage; },
    run: (argv) => command().run(argv),
  };
}

// `require` (not `import()`): the project is CommonJS, and a synchronous load keeps `summary` and
// `usage` plain properties.
const dev = () => require('./dev') as typeof import('./dev');
const tools = () => require('./tools') as typeof import('./tools');
const cluster = () => require('./cluster') as typeof import('./cluster');
const migrate = () => require('./migrate') as typeof import('./migrate');
const worker = () => require('./worker') as typeof import('./worker');
const api = () => require('./api') as typeof import('./api');
const demoEvent = () => require('./demo-event') as typeof import('./demo-event');
const ingest = () => require('./ingest-cli') as typeof import('./ingest-cli');
const apikey = () => require('./apikey') as typeof import('./apikey');
const schedule = () => require('./schedule') as typeof import('./schedule');
const sequence = () => require('./sequence') as typeof import('./sequence');
const sequenceMigrate = () => require('./sequence-migrate') as typeof import('./sequence-migrate');
const ledger = () => require('./ledger') as typeof import('./ledger');
const surveys = () => require('./surveys') as typeof import('./surveys');
const checkins = () => require('./checkins') as typeof import('./checkins');
const runs = () => require('./runs') as typeof import('./runs');
const template = () => require('./template') as typeof import('./template');

export const commands: Command[] = [
  lazy('dev', dev, 'devCommand'),
  lazy('api', api, 'apiCommand'),
  lazy('worker', worker, 'workerCommand'),
  lazy('migrate', migrate, 'migrateCommand'),
  lazy('tools', tools, 'toolsCommand'),
  lazy('cluster', cluster, 'clusterCommand'),
  lazy('demo-event', demoEvent, 'demoEventCommand'),
  lazy('customer upsert', ingest, 'customerUpsertCommand'),
  lazy('event send', ingest, 'eventSendCommand'),
  lazy('apikey create', apikey, 'apikeyCreateCommand'),
  lazy('apikey list', apikey, 'apikeyListCommand'),
  lazy('apikey revoke', apikey, 'apikeyRevokeCommand'),
  lazy('schedule', schedule, 'scheduleCommand'),
  lazy('sequence lint', sequence, 'sequenceLintCommand'),
  lazy('sequence simulate', sequence, 'sequenceSimulateCommand'),
  lazy('sequence migrate', sequenceMigrate, 'sequenceMigrateCommand'),
  lazy('runs list', runs, 'runsListCommand'),
  lazy('runs show', runs, 'runsShowCommand'),
  lazy('runs pause', runs, 'runsPauseCommand'),
  lazy('runs resume', runs, 'runsResumeCommand'),
  lazy('runs cancel', runs, 'runsCancelCommand'),
  lazy('ledger list', ledger, 'ledgerListCommand'),
  lazy('ledger resend', ledger, 'ledgerResendCommand'),
  lazy('ledger mark-sent', ledger, 'ledgerMarkSentCommand'),
  lazy('surveys report', surveys, 'surveysReportCommand'),
  lazy('checkins start', checkins, 'checkinsStartCommand'),
  lazy('checkins stop', checkins, 'checkinsStopCommand'),
  lazy('template lint', template, 'templateLintCommand'),
  lazy('template render', template, 'templateRenderCommand'),
  lazy('template preview', template, 'templatePreviewCommand'),
];
