#!/usr/bin/env node
// The `outreach` CLI as bin/outreach.js runs it, with the `runs` commands added when the command
// index does not list them yet (they are registered there by the lead; this keeps the ops tests
// independent of that order). Same dispatch, same exit codes.
'use strict';
require('tsx/cjs');
const { commands } = require('../../../client/cli/commands/index.ts');
const runs = require('../../../client/cli/commands/runs.ts');
for (const c of [runs.runsListCommand, runs.runsShowCommand, runs.runsPauseCommand, runs.runsResumeCommand, runs.runsCancelCommand]) {
  if (!commands.some((x) => x.name === c.name)) commands.push(c);
}
require('../../../client/cli/main.ts').main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { process.stderr.write(`outreach: ${err && err.message ? err.message : String(err)}\n`); process.exitCode = 1; },
);
