// A Node process of ours (TypeScript through tsx) started for a test or a benchmark, ready once it
// says so on standard error: `outreach worker`, `outreach api`, bench workers.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface Spawned {
  child: ChildProcess;
  /** Settles with the exit code when the process ends (for whatever reason). */
  exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/**
 * Starts a Node process and resolves once its standard error prints a line matching `ready`; other
 * output on standard error passes through. A TypeScript script runs through tsx (`--require
 * tsx/cjs`); a JavaScript one runs as is, as deployed: bin/outreach.js registers tsx itself, and
 * only in its main thread (a `--require` flag would load tsx into every worker thread as well).
 */
export async function spawnReady(script: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, nodeArgs: string[] = []): Promise<Spawned> {
  const tsx = /\.[cm]?js$/.test(script) ? [] : ['--require', 'tsx/cjs'];
  const child = spawn(process.execPath, [...nodeArgs, ...tsx, script, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
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

