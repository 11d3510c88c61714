#!/usr/bin/env node
// Keeps CPU cores busy so the test suite can be run the way a busy laptop or a shared CI runner runs
// it (scripts/test-stress.sh). Usage: node scripts/cpu-burn.js [procs] [maxSeconds]
// Starts `procs` busy-looping child processes (default: one per core) and stops them when it is
// killed, when its parent goes away, or after `maxSeconds` (default 7200): it never outlives the run.
'use strict';
const { fork } = require('node:child_process');
const os = require('node:os');

if (process.argv[2] === '--child') {
  // One core's worth of work: a tight loop that yields to the event loop now and then, so the
  // process still notices that its parent has gone.
  const parent = process.ppid;
  const spin = () => {
    const until = Date.now() + 50;
    while (Date.now() < until) Math.sqrt(Math.random());
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(0);
    }
    setImmediate(spin);
  };
  spin();
  process.on('disconnect', () => process.exit(0));
} else {
  const procs = Number(process.argv[2] ?? os.availableParallelism());
  const maxSeconds = Number(process.argv[3] ?? 7200);
  if (!Number.isInteger(procs) || procs < 1) throw new Error(`procs must be a positive integer, got ${process.argv[2]}`);
  if (!(maxSeconds > 0)) throw new Error(`maxSeconds must be a positive number, got ${process.argv[3]}`);
  const children = Array.from({ length: procs }, () => fork(__filename, ['--child'], { stdio: 'ignore' }));
  const stop = () => {
    for (const c of children) c.kill('SIGKILL');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', stop);
  setTimeout(stop, maxSeconds * 1000).unref();
  // Stay alive (and stop with the parent shell, which a killed `npm` leaves behind).
  const parent = process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      stop();
    }
  }, 1000);
  console.error(`cpu-burn: ${procs} busy process(es) for at most ${maxSeconds} s`);
}
