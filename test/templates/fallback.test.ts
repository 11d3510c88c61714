// Locale resolution: the customer's locale, its truncations, a sibling of the same language, then the
// default; catalog keys fall back one by one, and an empty string counts as missing.
import { TemplateRenderer, canonicalLocale, localeChain, sampleInput, stopMjmlCompiler, textDirection } from '../../activities/render';
import { fixture, textLines } from './support';

const renderer = new TemplateRenderer({ templatesDir: fixture('fallback') });
afterAll(() => stopMjmlCompiler());

function render(locale: string) {
  const input = sampleInput(renderer.templatesDir, 'greet', locale);
  return renderer.render({ ...input, customer: { ...input.customer, givenName: 'Ana', familyName: 'Souza' } });
}

describe('localeChain', () => {
  const available = new Set(['en', 'pt', 'pt-BR', 'zh-CN', 'de']);
  test('walks the truncations, then same-language siblings, then the default', () => {
    expect(localeChain('pt-BR', available, 'en')).toEqual(['pt-BR', 'pt', 'en']);
    expect(localeChain('pt-PT', available, 'en')).toEqual(['pt', 'pt-BR', 'en']);
    expect(localeChain('zh-Hans-CN', available, 'en')).toEqual(['zh-CN', 'en']);
    expect(localeChain('zh-TW', available, 'en')).toEqual(['zh-CN', 'en']);
    expect(localeChain('de-AT', available, 'en')).toEqual(['de', 'en']);
    expect(localeChain('fr', available, 'en')).toEqual(['en']);
  });
  test('normalizes spelling and survives garbage', () => {
    expect(canonicalLocale('pt_br')).toBe('pt-BR');
    expect(canonicalLocale('ZH-cn')).toBe('zh-CN');
    expect(canonicalLocale('not a locale!')).toBeNull();
    expect(localeChain('pt_br', available, 'en')).toEqual(['pt-BR', 'pt', 'en']);
    expect(localeChain('not a locale!', available, 'en')).toEqual(['en']);
    expect(localeChain(null, available, 'en')).toEqual(['en']);
  });
  test('direction comes from the script', () => {
    expect(textDirection('ar')).toBe('rtl');
    expect(textDirection('he')).toBe('rtl');
    expect(textDirection('fa-IR')).toBe('rtl');
    expect(textDirection('en')).toBe('ltr');
    expect(textDirection('zh-CN')).toBe('ltr');
  });
});

describe('per-key fallback pt-BR → pt → en', () => {
  test('each key comes from the most specific catalog that has it', () => {
    const e = render('pt-BR');
    const lines = textLines(e.text);
    expect(e.locale).toBe('pt-BR');
    expect(e.lang).toBe('pt-BR');
    expect(lines).toContain('[a] A em português do Brasil'); // pt-BR
    expect(lines).toContain('[b] B em português'); // pt-BR has "" → pt
    expect(lines).toContain('[c] 2 items in English'); // only en
    expect(e.subject).toBe('Assunto em português'); // pt
    expect(e.preheader).toBe('Preheader in English'); // en
    expect(lines[0]).toBe('Olá, Ana!'); // shared catalog: pt
  });

  test('pt-PT uses pt, then the sibling pt-BR, then en', () => {
    const e = render('pt-PT');
    expect(e.locale).toBe('pt');
    expect(textLines(e.text)).toContain('[a] A em português');
  });

  test('an unknown language gets the default locale throughout, with default-locale dates', () => {
    const e = render('fr-FR');
    expect(e.locale).toBe('en');
    expect(e.lang).toBe('en');
    expect(textLines(e.text)).toEqual(expect.arrayContaining(['Hi Ana,', '[a] A in English', '[b] B in English', '[d] March 4, 2025']));
  });

  test('plural rules follow the catalog the string came from', () => {
    const input = sampleInput(renderer.templatesDir, 'greet', 'pt-BR');
    const one = renderer.render({ ...input, data: { ...input.data, n: 1 } });
    expect(textLines(one.text)).toContain('[c] 1 item in English');
  });

  test('dates use the customer locale when the email is in that language', () => {
    expect(textLines(render('pt-BR').text)).toContain('[d] 4 de março de 2025');
  });
});
