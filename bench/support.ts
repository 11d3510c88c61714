// Shared set-up for benchmarks: the real Temporal dev server (found or built by ensure-tools) and the
// test stack on top of it. Benchmarks print figures; they never assert on time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTools } from '../worker/support/tools';
import { startDevServer } from '../worker/support/dev-server';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';

// Benchmarks print figures; the SDK's informational logs would bury them.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed.
}

export async function withDevServer<T>(fn: (env: TestWorkflowEnvironment) => Promise<T>): Promise<T> {
  const tools = await ensureTools('temporal', { quiet: true });
  const env = await startDevServer({ executable: tools.temporal! });
  process.env.TEMPORAL_TEST_ADDRESS = env.address;
  try {
    return await fn(env);
  } finally {
    await env.teardown();
  }
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export { spawnReady, type Spawned } from '../test/support/spawn';

/** The pids of a process's children (Linux). */
export function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * The process that runs `outreach worker` started as `pid`: the launcher's child when the command
 * relaunched itself (bin/worker-launcher.js), else `pid` itself.
 */
export function workerProcessOf(pid: number): number {
  const cmd = (p: number) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
  const child = childrenOf(pid).find((c) => cmd(c).includes('worker'));
  return child ?? pid;
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc (Linux). */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** The pid of the process whose command line contains every one of `parts` (first match). */
export function findProcess(...parts: string[]): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((p) => cmd.includes(p))) return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}
