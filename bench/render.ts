// Email rendering, two ways, same personalized emails, one process, one core:
//   naive:        Handlebars over the MJML source, then MJML → HTML, for every email;
//   precompiled:  MJML once per template/locale (cached), then only Handlebars + ICU per email
//                 (and it also produces the subject, preheader and text part the naive path skips).
// Goals: precompiled ≥ 250× the naive rate and ≥ 50,000 emails/s for a typical template.
//
//   npx tsx bench/render.ts [--template onboarding-welcome] [--seconds 3] [--strict]
// Bounded in time: each path runs for --seconds in total, in alternating rounds (the naive path
// stops early after 2,000 emails).
// --strict exits 1 when a goal is missed (off by default: a busy machine should not fail a build).
import { parseArgs } from 'node:util';
import mjml2html from 'mjml';
import { TemplateRenderer, sampleInput, stopMjmlCompiler, type RenderInput } from '../activities/render';
import { MJML_OPTIONS } from '../activities/render/mjml';

const LOCALES = ['en', 'de', 'ja', 'zh-CN', 'vi', 'lv', 'es', 'pt-BR', 'ar'];
const NAIVE_MAX = 2_000;
const GOAL_RATIO = 250;
const GOAL_RATE = 50_000;

const { values } = parseArgs({
  options: { template: { type: 'string', default: 'onboarding-welcome' }, seconds: { type: 'string', default: '3' }, strict: { type: 'boolean', default: false } },
});
const template = values.template!;
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds must be a positive number');

const renderer = new TemplateRenderer();
const samples = LOCALES.filter((l) => renderer.locales(template).includes(l)).map((l) => sampleInput(renderer.templatesDir, template, l));

/** The i-th personalized email: a different customer (id, address, name) cycling through the locales. */
function email(i: number): RenderInput {
  const s = samples[i % samples.length];
  return {
    ...s,
    customer: { ...s.customer, id: `c-${i}`, email: `c-${i}@example.com`, givenName: `${s.customer.givenName ?? ''}${i % 97}` },
    links: { ...s.links, unsubscribe: `https://example.com/u/${i.toString(36)}` },
  };
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

interface Tally {
  n: number;
  secs: number;
  sink: number;
}

async function naiveFor(budget: number, t: Tally, cap: number): Promise<void> {
  const t0 = now();
  while (t.n < cap && now() - t0 < budget) {
    const out = await mjml2html(renderer.personalizeSource(email(t.n)), MJML_OPTIONS);
    t.sink += out.html.length;
    t.n++;
  }
  t.secs += now() - t0;
}

function precompiledFor(budget: number, t: Tally): void {
  const t0 = now();
  let elapsed = 0;
  do {
    for (let k = 0; k < 1_000; k++, t.n++) {
      const out = renderer.render(email(t.n));
      t.sink += out.html.length + out.text.length;
    }
    elapsed = now() - t0;
  } while (elapsed < budget);
  t.secs += elapsed;
}

async function main(): Promise<number> {
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  process.stdout.write(`template ${template}, ${samples.length} locales, personalized recipients, one core\n`);
  // Warm-up: compile every locale once, load MJML components, let the JIT settle on both paths.
  for (let i = 0; i < samples.length; i++) {
    renderer.render(email(i));
    await mjml2html(renderer.personalizeSource(email(i)), MJML_OPTIONS);
  }
  // Alternate the two paths in rounds so a noisy neighbour slows both, not just one.
  const naive: Tally = { n: 0, secs: 0, sink: 0 };
  const pre: Tally = { n: 0, secs: 0, sink: 0 };
  const ROUNDS = 3;
  for (let r = 0; r < ROUNDS; r++) {
    await naiveFor(seconds / ROUNDS, naive, (NAIVE_MAX * (r + 1)) / ROUNDS);
    precompiledFor(seconds / ROUNDS, pre);
  }
  if (naive.sink === 0 || pre.sink === 0) throw new Error('a path produced no output');
  const naiveRate = naive.n / naive.secs;
  const preRate = pre.n / pre.secs;
  process.stdout.write(`naive        (Handlebars → MJML per email)   ${fmt(naive.n).padStart(9)} emails in ${naive.secs.toFixed(2)}s  ${fmt(naiveRate).padStart(9)} emails/s\n`);
  process.stdout.write(`precompiled  (MJML once, Handlebars + ICU)   ${fmt(pre.n).padStart(9)} emails in ${pre.secs.toFixed(2)}s  ${fmt(preRate).padStart(9)} emails/s\n`);
  const ratio = preRate / naiveRate;
  process.stdout.write(`ratio        ${ratio.toFixed(0)}×\n`);
  const okRatio = ratio >= GOAL_RATIO;
  const okRate = preRate >= GOAL_RATE;
  process.stdout.write(`goals        ≥${GOAL_RATIO}× ${okRatio ? 'met' : 'MISSED'}; ≥${fmt(GOAL_RATE)} emails/s ${okRate ? 'met' : 'MISSED'}\n`);
  await stopMjmlCompiler();
  return values.strict && !(okRatio && okRate) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bench/render: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  },
);
