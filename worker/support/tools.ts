// Locates the Temporal dev server (`temporal` CLI), the time-skipping test server and the Temporal
// server binaries for a multi-service cluster (`outreach cluster`) through
// scripts/ensure-tools.sh, which finds them (env var, PATH, .tools/, ~/.cache) or builds/fetches
// them from the package registries once. Shared by `outreach dev` and the test setup.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, PROJECT_ROOT } from '../../domain/config';

const run = promisify(execFile);

export interface Tools {
  temporal?: string;
  testServer?: string;
  /** A folder with temporal-server and temporal-sql-tool. */
  server?: string;
}

export async function ensureTools(which: 'temporal' | 'test-server' | 'server' | 'all' = 'all', opts: { quiet?: boolean } = {}): Promise<Tools> {
  const script = path.join(PROJECT_ROOT, 'scripts', 'ensure-tools.sh');
  try {
    const { stdout, stderr } = await run('bash', [script, which], { maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 });
    if (!opts.quiet && stderr.trim()) process.stderr.write(stderr.split('\n').filter((l) => l.startsWith('ensure-tools:')).join('\n') + '\n');
    const tools: Tools = {};
    for (const line of stdout.split('\n')) {
      const [k, v] = line.split('=', 2);
      if (k === 'temporal' && v) tools.temporal = v;
      if (k === 'test-server' && v) tools.testServer = v;
      if (k === 'server' && v) tools.server = v;
    }
    return tools;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const reason = (e.stderr ?? '').split('\n').reverse().find((l) => l.startsWith('ensure-tools:')) ?? e.message;
    throw new ConfigError(reason.replace(/^ensure-tools: /, ''));
  }
}
