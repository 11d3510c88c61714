#!/usr/bin/env node
// Entry point of the `outreach` command. The engine is written in TypeScript and run through tsx's
// require hook, so `npx outreach ...` works straight after `npm install` with no build step.
'use strict';
require('tsx/cjs');
require('../client/cli/main.ts').main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { process.stderr.write(`outreach: ${err && err.message ? err.message : String(err)}\n`); process.exitCode = 1; },
);
