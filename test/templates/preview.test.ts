// The preview server lists every template in every locale, each viewable with subject and text part.
import { startPreviewServer, type PreviewServer } from '../../client/cli/commands/template';
import { TemplateRenderer, stopMjmlCompiler } from '../../activities/render';

let server: PreviewServer;
beforeAll(async () => {
  server = await startPreviewServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
  await stopMjmlCompiler();
});

const renderer = new TemplateRenderer();
const pairs = renderer.templates().flatMap((t) => renderer.locales(t).map((l) => [t, l] as const));

test('listens on 127.0.0.1 on the port it was given (0: any free port)', () => {
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(server.url).not.toMatch(/:0$/);
});

test('the index links every template in every locale, with its subject', async () => {
  const res = await fetch(`${server.url}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/html');
  const page = await res.text();
  expect(pairs.length).toBe(101);
  for (const [t, l] of pairs) expect(page).toContain(`href="/view/${t}/${l}"`);
  expect(page).toContain('Welcome to Acme Cloud');
  expect(page).toContain('أهلاً بكم في Acme Cloud');
  expect(page).not.toContain('class="err"');
});

test('the JSON list has every pair rendered without error', async () => {
  const list = (await (await fetch(`${server.url}/api/list`)).json()) as { template: string; locale: string; subject?: string; error?: string }[];
  expect(list.map((i) => `${i.template}/${i.locale}`).sort()).toEqual(pairs.map(([t, l]) => `${t}/${l}`).sort());
  for (const i of list) {
    expect(i.error).toBeUndefined();
    expect(i.subject).toBeTruthy();
  }
});

test('a view page shows subject, preheader, the HTML in an iframe and the text part', async () => {
  const page = await (await fetch(`${server.url}/view/csat-survey/ja`)).text();
  expect(page).toContain('Acme Cloud のご感想をお聞かせください');
  expect(page).toContain('ワンクリックでご回答いただけます。');
  expect(page).toContain('<iframe title="HTML part" sandbox src="/html/csat-survey/ja"></iframe>');
  expect(page).toMatch(/<pre dir="ltr">Acme Cloud\n\nご満足いただけていますか/);
  const html = await fetch(`${server.url}/html/csat-survey/ja`);
  expect(html.headers.get('content-type')).toContain('text/html');
  expect(await html.text()).toContain('<html lang="ja" dir="ltr"');
  const text = await fetch(`${server.url}/text/nps-survey/ar`);
  expect(text.headers.get('content-type')).toContain('text/plain');
  expect(await text.text()).toContain('سؤال سريع');
});

test('unknown templates and locales are 404', async () => {
  expect((await fetch(`${server.url}/view/nope/en`)).status).toBe(404);
  expect((await fetch(`${server.url}/html/low-score-alert/ja`)).status).toBe(404);
});
