// The command index loads a command's module only when that command runs: `outreach worker` keeps in
// memory what the worker uses, not the API server, the mail catcher or the other database's driver.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { commands } from '../../client/cli/commands';
import type { Command } from '../../client/cli/command';

const REPO = path.resolve(__dirname, '../..');
const DIR = path.join(REPO, 'client', 'cli', 'commands');

describe('command index', () => {
  it('lists every command of the command modules once, under its own name, summary and usage', () => {
    const real = new Map<string, Command>();
    for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
      for (const v of Object.values(require(path.join(DIR, file)) as Record<string, unknown>)) {
        const c = v as Command;
        if (c && typeof c === 'object' && typeof c.run === 'function' && typeof c.name === 'string') real.set(c.name, c);
      }
    }
    const names = commands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...real.keys()].sort());
    for (const c of commands) {
      expect({ name: c.name, summary: c.summary, usage: c.usage }).toEqual({ name: c.name, summary: real.get(c.name)!.summary, usage: real.get(c.name)!.usage });
    }
  });

  it('loads only the worker command\'s modules for `outreach worker`', async () => {
    // A fresh process, as bin/outreach.js runs it: the index, then the worker command's module.
    const script = `
      require('tsx/cjs');
      const { commands } = require('./client/cli/commands/index.ts');
      void commands.find((c) => c.name === 'worker').usage;
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    const loaded: string[] = await new Promise((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { cwd: REPO, env: { ...process.env, DATABASE_URL: 'file:./x.db' }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))));
    });
    const rel = loaded.map((f) => path.relative(REPO, f));
    expect(rel).toContain(path.join('client', 'cli', 'commands', 'worker.ts'));
    const unwanted = rel.filter((f) => /(^|\/)node_modules\/(fastify|@fastify|smtp-server|mailparser|ajv|pg|@prisma\/adapter-pg)\/|^client\/(api|mail-catcher|dashboard)\/|^client\/cli\/commands\/(?!worker|serve|index)/.test(f));
    expect(unwanted).toEqual([]);
  });
});
