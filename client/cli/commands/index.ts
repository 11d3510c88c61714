// Every `outreach` sub-command, one file each. Add new commands here.
import type { Command } from '../command';
import { devCommand } from './dev';
import { toolsCommand } from './tools';
import { clusterCommand } from './cluster';
import { migrateCommand } from './migrate';
import { workerCommand } from './worker';
import { apiCommand } from './api';
import { demoEventCommand } from './demo-event';
import { customerUpsertCommand, eventSendCommand } from './ingest-cli';
import { apikeyCreateCommand, apikeyListCommand, apikeyRevokeCommand } from './apikey';
import { scheduleCommand } from './schedule';
import { sequenceLintCommand, sequenceSimulateCommand } from './sequence';
import { sequenceMigrateCommand } from './sequence-migrate';
import { ledgerListCommand, ledgerMarkSentCommand, ledgerResendCommand } from './ledger';
import { surveysReportCommand } from './surveys';
import { checkinsStartCommand, checkinsStopCommand } from './checkins';
import { runsCancelCommand, runsListCommand, runsPauseCommand, runsResumeCommand, runsShowCommand } from './runs';
import { templateLintCommand, templatePreviewCommand, templateRenderCommand } from './template';

export const commands: Command[] = [
  devCommand,
  apiCommand,
  workerCommand,
  migrateCommand,
  toolsCommand,
  clusterCommand,
  demoEventCommand,
  customerUpsertCommand,
  eventSendCommand,
  apikeyCreateCommand,
  apikeyListCommand,
  apikeyRevokeCommand,
  scheduleCommand,
  sequenceLintCommand,
  sequenceSimulateCommand,
  sequenceMigrateCommand,
  runsListCommand,
  runsShowCommand,
  runsPauseCommand,
  runsResumeCommand,
  runsCancelCommand,
  ledgerListCommand,
  ledgerResendCommand,
  ledgerMarkSentCommand,
  surveysReportCommand,
  checkinsStartCommand,
  checkinsStopCommand,
  templateLintCommand,
  templateRenderCommand,
  templatePreviewCommand,
];
