// Shared set-up for benchmarks: the real Temporal dev server (found or built by ensure-tools) and the
// test stack on top of it. Benchmarks print figures; they never assert on time.
import { spawn, type ChildProcess } from 'node:child_process';
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

export interface Spawned {
  child: ChildProcess;
  /** Settles with the exit code when the process ends (for whatever reason). */
  exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/**
 * Starts a Node process (TypeScript through tsx) and resolves once its standard error prints a line
 * matching `ready`; other output on standard error passes through.
 */
export async function spawnReady(script: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, nodeArgs: string[] = []): Promise<Spawned> {
  const child = spawn(process.execPath, [...nodeArgs, '--require', 'tsx/cjs', script, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    let isReady = false;
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!isReady && ready.test(line)) {
          isReady = true;
          resolve();
        } else process.stderr.write(`${line}\n`);
      }
    });
    child.once('exit', (code) => { if (!isReady) reject(new Error(`${path.basename(script)} exited with ${code} before it was ready`)); });
  });
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
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
