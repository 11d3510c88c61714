// Every benchmark, one after another, each in its own process so none skews the next:
//   npm run bench            (or: npx tsx bench/all.ts [names...])
// Names: calendar, render, ingest, soak, cost, e2e, explain. Each prints its own figures and ratios.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { machine } from './support';

const ALL = ['calendar', 'render', 'ingest', 'soak', 'cost', 'e2e', 'explain'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
const unknown = wanted.filter((w) => !ALL.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
  process.exit(2);
}
console.log(`Outreach benchmarks on ${machine()}, ${new Date().toISOString()}`);
let failed = 0;
for (const name of wanted) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, `${name}.ts`)], {
    stdio: 'inherit',
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  if (r.status !== 0) {
    failed++;
    console.log(`(${name} exited with ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);
