// How each culture is addressed: salutations, titles, name order, register (formal/informal) and the
// pronouns of the running text, all chosen by catalog data (ICU select), never by code.
import { stopMjmlCompiler, type RenderCustomer } from '../../activities/render';
import { shippedRenderer, textLines, withCustomer } from './support';

const renderer = shippedRenderer();
afterAll(() => stopMjmlCompiler());

type Who = Partial<RenderCustomer> & { locale: string };

function email(who: Who, template = 'onboarding-welcome') {
  return renderer.render(withCustomer(renderer, template, who));
}
/** Line 3 of the text part: product header, heading, then the greeting. */
function greeting(who: Who): string {
  return textLines(email(who).text)[2];
}

describe('German', () => {
  test('formal by default: "Sehr geehrte Frau …" with title, Sie in the body', () => {
    const e = email({ locale: 'de', givenName: 'Anna', familyName: 'Müller', gender: 'female', title: 'Dr.' });
    expect(textLines(e.text)[2]).toBe('Sehr geehrte Frau Dr. Müller,');
    expect(e.text).toContain('Wir freuen uns, Sie an Bord zu haben.');
    expect(e.text).not.toMatch(/\bdu\b/);
  });
  test('formal male and gender-neutral forms', () => {
    expect(greeting({ locale: 'de', givenName: 'Jonas', familyName: 'Schmidt', gender: 'male' })).toBe('Sehr geehrter Herr Schmidt,');
    expect(greeting({ locale: 'de', givenName: 'Alex', familyName: 'Weber', gender: null })).toBe('Guten Tag Alex Weber,');
    expect(greeting({ locale: 'de' })).toBe('Guten Tag,');
  });
  test('informal: "Hallo Anna", du in the body and the footer', () => {
    const e = email({ locale: 'de', givenName: 'Anna', familyName: 'Müller', gender: 'female', formality: 'informal' });
    expect(textLines(e.text)[2]).toBe('Hallo Anna,');
    expect(e.text).toContain('Wir freuen uns, dass du dabei bist.');
    expect(e.text).toContain('Du erhältst diese E-Mail, weil du Acme Cloud nutzt.');
    expect(e.text).not.toMatch(/\bSie\b/);
    expect(e.preheader).toBe('Schön, dass du da bist. So startest du.');
  });
});

describe('Japanese', () => {
  test('formal by default: family name + 様', () => {
    expect(greeting({ locale: 'ja', givenName: '花子', familyName: '山田', gender: 'female' })).toBe('山田様');
  });
  test('informal: family name + さん; no name: お客様', () => {
    expect(greeting({ locale: 'ja', givenName: '花子', familyName: '山田', formality: 'informal' })).toBe('山田さん、こんにちは。');
    expect(greeting({ locale: 'ja' })).toBe('お客様');
  });
});

describe('Chinese (zh-CN)', () => {
  test('formal: 尊敬的 + family name + 先生/女士, 您 in the body', () => {
    const e = email({ locale: 'zh-CN', givenName: '伟', familyName: '王', gender: 'male' });
    expect(textLines(e.text)[2]).toBe('尊敬的王先生，您好！');
    expect(e.text).toContain('感谢您选择 Acme Cloud');
    expect(greeting({ locale: 'zh-CN', givenName: '娜', familyName: '李', gender: 'female' })).toBe('尊敬的李女士，您好！');
    expect(greeting({ locale: 'zh-CN', givenName: '明', familyName: '陈' })).toBe('尊敬的陈明，您好！');
  });
  test('informal: full name in Chinese order, 你 in the body', () => {
    const e = email({ locale: 'zh-CN', givenName: '伟', familyName: '王', gender: 'male', formality: 'informal' });
    expect(textLines(e.text)[2]).toBe('王伟，你好！');
    expect(e.text).toContain('感谢你选择 Acme Cloud');
    expect(e.text).not.toContain('您');
  });
});

describe('Vietnamese', () => {
  test('given name + kinship pronoun by gender, the pronoun carried through the body', () => {
    const male = email({ locale: 'vi', givenName: 'Nam', familyName: 'Nguyễn Văn', gender: 'male' });
    expect(textLines(male.text)[2]).toBe('Kính gửi Anh Nam,');
    expect(male.text).toContain('Cảm ơn anh đã chọn Acme Cloud');
    const female = email({ locale: 'vi', givenName: 'Lan', familyName: 'Trần Thị', gender: 'female' });
    expect(textLines(female.text)[2]).toBe('Kính gửi Chị Lan,');
    expect(female.text).toContain('Cảm ơn chị đã chọn Acme Cloud');
  });
  test('informal "Chào anh Nam"; unknown gender: Quý khách (formal) or bạn (informal)', () => {
    expect(greeting({ locale: 'vi', givenName: 'Nam', gender: 'male', formality: 'informal' })).toBe('Chào anh Nam,');
    const neutral = email({ locale: 'vi', givenName: 'Minh' });
    expect(textLines(neutral.text)[2]).toBe('Kính gửi Quý khách,');
    expect(neutral.text).toContain('Cảm ơn Quý khách đã chọn');
    expect(greeting({ locale: 'vi', givenName: 'Minh', formality: 'informal' })).toBe('Chào bạn Minh,');
  });
});

describe('Latvian', () => {
  test('formal with the customer-supplied address form as title: "Cien. Bērziņa kungs!"', () => {
    const e = email({ locale: 'lv', givenName: 'Jānis', familyName: 'Bērziņš', gender: 'male', title: 'Bērziņa kungs' });
    expect(textLines(e.text)[2]).toBe('Cien. Bērziņa kungs!');
    expect(e.text).toContain('Paldies, ka izvēlējāties Acme Cloud');
  });
  test('without a title the family name is used as stored (no declension), kungs/kundze by gender', () => {
    expect(greeting({ locale: 'lv', givenName: 'Jānis', familyName: 'Bērziņa', gender: 'male' })).toBe('Cien. Bērziņa kungs!');
    expect(greeting({ locale: 'lv', givenName: 'Anna', familyName: 'Ozolas', gender: 'female' })).toBe('Cien. Ozolas kundze!');
    expect(greeting({ locale: 'lv', givenName: 'Alex', familyName: 'Liepa' })).toBe('Labdien, Alex Liepa!');
  });
  test('informal: "Sveiki, Anna!" and tu in the body', () => {
    const e = email({ locale: 'lv', givenName: 'Anna', familyName: 'Ozola', gender: 'female', formality: 'informal' });
    expect(textLines(e.text)[2]).toBe('Sveiki, Anna!');
    expect(e.text).toContain('Paldies, ka izvēlējies Acme Cloud');
    expect(e.text).toContain('Tu saņem šo e-pastu');
  });
});

describe('Spanish and Portuguese', () => {
  test('Spanish formal by default (usted), informal tú', () => {
    const formal = email({ locale: 'es', givenName: 'Lucía', familyName: 'García', gender: 'female' });
    expect(textLines(formal.text)[2]).toBe('Estimada Sra. García:');
    expect(formal.text).toContain('Nos alegra contar con usted.');
    expect(greeting({ locale: 'es', givenName: 'Pablo', familyName: 'Ruiz', gender: 'male' })).toBe('Estimado Sr. Ruiz:');
    const informal = email({ locale: 'es', givenName: 'Lucía', familyName: 'García', gender: 'female', formality: 'informal' });
    expect(textLines(informal.text)[2]).toBe('¡Hola, Lucía!');
    expect(informal.text).toContain('Nos alegra tenerte con nosotros.');
    expect(informal.subject).toBe('Te damos la bienvenida a Acme Cloud');
  });
  test('Brazilian Portuguese informal by default, formal with Sr./Sra.', () => {
    expect(greeting({ locale: 'pt-BR', givenName: 'Ana', familyName: 'Silva', gender: 'female' })).toBe('Olá, Ana!');
    expect(greeting({ locale: 'pt-BR', givenName: 'Ana', familyName: 'Silva', gender: 'female', formality: 'formal' })).toBe('Prezada Sra. Silva,');
    expect(greeting({ locale: 'pt-BR', givenName: 'João', familyName: 'Souza', gender: 'male', formality: 'formal' })).toBe('Prezado Sr. Souza,');
  });
});

describe('Arabic', () => {
  test('formal with السيد / السيدة and the gendered المحترم / المحترمة', () => {
    expect(greeting({ locale: 'ar', givenName: 'أحمد', familyName: 'الخطيب', gender: 'male' })).toBe('حضرة السيد أحمد الخطيب المحترم،');
    expect(greeting({ locale: 'ar', givenName: 'ليلى', familyName: 'حداد', gender: 'female' })).toBe('حضرة السيدة ليلى حداد المحترمة،');
  });
  test('informal and nameless forms', () => {
    expect(greeting({ locale: 'ar', givenName: 'أحمد', familyName: 'الخطيب', gender: 'male', formality: 'informal' })).toBe('مرحباً أحمد،');
    expect(greeting({ locale: 'ar' })).toBe('تحية طيبة،');
  });
});

describe('English', () => {
  test('informal by default; formal uses a stated title, else Ms/Mr, else the full name', () => {
    expect(greeting({ locale: 'en', givenName: 'Emma', familyName: 'Walker', gender: 'female' })).toBe('Hi Emma,');
    expect(greeting({ locale: 'en', givenName: 'Emma', familyName: 'Walker', gender: 'female', formality: 'formal' })).toBe('Dear Ms Walker,');
    expect(greeting({ locale: 'en', givenName: 'Emma', familyName: 'Walker', gender: 'female', title: 'Dr.', formality: 'formal' })).toBe('Dear Dr. Walker,');
    expect(greeting({ locale: 'en', givenName: 'Sam', familyName: 'Lee', formality: 'formal' })).toBe('Dear Sam Lee,');
    expect(greeting({ locale: 'en' })).toBe('Hello,');
  });
  test('gender values are normalized; anything unknown is neutral', () => {
    expect(greeting({ locale: 'en', familyName: 'Walker', gender: 'F', formality: 'formal' })).toBe('Dear Ms Walker,');
    expect(greeting({ locale: 'en', familyName: 'Walker', gender: 'nonbinary', formality: 'formal' })).toBe('Dear Walker,');
  });
});

test('a customer locale with a region uses its language catalog, and the region for dates', () => {
  const at = (locale: string) => {
    const input = withCustomer(renderer, 'periodic-checkin', { locale, givenName: 'Anna', familyName: 'Müller', gender: 'female', timeZone: 'Europe/Vienna' });
    return renderer.render({ ...input, data: { ...input.data, lastVisit: '2025-01-04T12:00:00Z' } });
  };
  const austrian = at('de-AT');
  expect(austrian.locale).toBe('de');
  expect(austrian.lang).toBe('de');
  expect(textLines(austrian.text)[2]).toBe('Sehr geehrte Frau Müller,');
  expect(austrian.text).toContain('am 4. Jänner 2025');
  expect(at('de').text).toContain('am 4. Januar 2025');
});
