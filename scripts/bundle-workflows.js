#!/usr/bin/env node
// Bundles the workflow code (workflows/index.ts) with the Temporal SDK's bundler and writes it to the
// file named by argv[2]. The worker runs this in a short-lived child process so webpack's memory is
// returned to the system instead of staying in the long-running worker.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { bundleWorkflowCode } = require('@temporalio/worker');

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: bundle-workflows.js <output file>\n');
  process.exit(2);
}
const noop = () => undefined;
bundleWorkflowCode({
  workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'),
  logger: { trace: noop, debug: noop, info: noop, log: noop, warn: noop, error: (m) => process.stderr.write(`${m}\n`) },
}).then(
  (bundle) => fs.writeFileSync(out, bundle.code),
  (err) => {
    process.stderr.write(`bundling the workflows failed: ${err && err.message ? err.message : err}\n`);
    process.exit(1);
  },
);
