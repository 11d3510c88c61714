#!/usr/bin/env node
// Entry point of the `outreach` command. The engine is written in TypeScript and run through tsx's
// require hook, so `npx outreach ...` works straight after `npm install` with no build step.
'use strict';
require('tsx/cjs');
// A command that fails exits at once: what it opened before failing (a Temporal runtime's threads, a
// database pool) must not keep a process that has said it failed alive. (Standard error is a pipe or
// a file or a terminal here, written synchronously on Linux, so nothing is lost.) A command that ends normally has
// closed what it opened and exits by itself.
require('../client/cli/main.ts').main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code !== 'number') return;
    process.exitCode = code;
    if (code !== 0) process.exit(code);
  },
  (err) => {
    process.stderr.write(`outreach: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
