#!/usr/bin/env node
// Tries the Temporal SDK's own way of getting the dev server: a download from Temporal's CDN into
// <dir> (works where the internet is reachable). Prints the downloaded executable's path on success;
// exits 1 quickly when the download is not possible (offline machines), so the caller can build the
// CLI from the Go module proxy instead.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

async function main() {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: sdk-download-temporal.js <download dir>');
  fs.mkdirSync(dir, { recursive: true });
  const { TestWorkflowEnvironment } = require('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'cached-download', downloadDir: dir }, log: { format: 'pretty', level: 'error' } },
  });
  await env.teardown();
  // The SDK names the file after the version it fetched; pick the newest executable in the folder.
  const files = fs.readdirSync(dir)
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile() && (fs.statSync(f).mode & 0o111) !== 0)
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (!files.length) throw new Error('the SDK reported success but left no executable');
  process.stdout.write(files[0] + '\n');
}

main().catch((err) => {
  process.stderr.write(`SDK download not possible: ${String(err && err.message || err).split('\n')[0]}\n`);
  process.exit(1);
});
