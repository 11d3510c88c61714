// Unsubscribe and email preferences, behind the signed link of every email's List-Unsubscribe header
// (`/u/<token>`, purpose "unsubscribe", carrying the customer id `c` and the email's category `cat`).
//
//   POST /u/:token  body "List-Unsubscribe=One-Click" (RFC 8058; form-urlencoded or multipart):
//                   unsubscribes from marketing (and from surveys when the email was a survey) at
//                   once and answers 200.
//   GET  /u/:token  a page in the customer's language with per-category preferences (marketing,
//                   surveys; service emails cannot be turned off) and a form posting the choices
//                   back to POST /u/:token. GET never changes anything (link scanners prefetch).
//
// A tampered, malformed or expired token gets a clear page in the visitor's language and changes
// nothing. Turning marketing off sets consentMarketing false, records a Suppression (reason
// "unsubscribed", the categories) and sends a synthesized `unsubscribed` event to the customer's
// running enrollments through the event outbox (stored, then dispatched in order), so sequences that
// exit on it stop at once. The
// suppression is what keeps the preferences (it is keyed by the address hash and survives erasure).
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EnrollmentDeps } from '../enrollments';
import { ingestEvent } from '../ingest';
import { identityKey } from '../identity';
import { opaqueId, verifyLink } from '../../../domain/signed-links';
import { localeChain } from '../../../activities/render/locale';
import { customerPage, escapeHtml } from './customer-page';
import {
  currentPreferences,
  OPTIONAL_CATEGORIES,
  storeUnsubscribedCategories,
  suppressedOptionalCategories,
  type OptionalCategory,
  type Preferences,
} from '../../../activities/send/policy';

/** `/u/<token>`: the token is the wildcard part. */
type TokenParams = { '*': string };

export interface UnsubscribeRouteOptions {
  deps: EnrollmentDeps;
}

// ---------------------------------------------------------------------------------------------
// Messages. Kept here (not in the template catalogs) because the page is part of the API.

interface Messages {
  title: string;
  intro: string;
  marketing: string;
  marketingHint: string;
  survey: string;
  surveyHint: string;
  transactional: string;
  transactionalHint: string;
  save: string;
  all: string;
  saved: string;
  unsubscribed: string;
  invalidTitle: string;
  invalidBody: string;
  expiredTitle: string;
  expiredBody: string;
  gone: string;
  badForm: string;
  failed: string;
}

const MESSAGES: Record<string, Messages> = {
  en: {
    title: 'Email preferences',
    intro: 'Choose which emails you would like to receive from us.',
    marketing: 'News and tips', marketingHint: 'Product news, tips and offers',
    survey: 'Surveys', surveyHint: 'Short questions about your experience',
    transactional: 'Service emails', transactionalHint: 'Receipts, account and security messages. These are always sent.',
    save: 'Save preferences', all: 'Unsubscribe from all',
    saved: 'Your preferences have been saved.',
    unsubscribed: 'You have been unsubscribed. You will not receive these emails any more.',
    invalidTitle: 'This link is not valid.',
    invalidBody: 'It may be incomplete or altered. Please use the link in one of our emails.',
    expiredTitle: 'This link has expired.',
    expiredBody: 'Please use the link in a more recent email.',
    gone: 'We no longer hold any data about you, so there is nothing to unsubscribe from.',
    badForm: 'The form could not be processed:',
    failed: 'Something went wrong on our side. Nothing was changed; please try again later.',
  },
  de: {
    title: 'E-Mail-Einstellungen',
    intro: 'Wählen Sie, welche E-Mails Sie von uns erhalten möchten.',
    marketing: 'Neuigkeiten und Tipps', marketingHint: 'Produktneuigkeiten, Tipps und Angebote',
    survey: 'Umfragen', surveyHint: 'Kurze Fragen zu Ihren Erfahrungen',
    transactional: 'Service-E-Mails', transactionalHint: 'Belege, Konto- und Sicherheitsnachrichten. Diese werden immer gesendet.',
    save: 'Einstellungen speichern', all: 'Von allem abmelden',
    saved: 'Ihre Einstellungen wurden gespeichert.',
    unsubscribed: 'Sie wurden abgemeldet. Sie erhalten diese E-Mails nicht mehr.',
    invalidTitle: 'Dieser Link ist ungültig.',
    invalidBody: 'Er ist möglicherweise unvollständig oder verändert. Bitte verwenden Sie den Link aus einer unserer E-Mails.',
    expiredTitle: 'Dieser Link ist abgelaufen.',
    expiredBody: 'Bitte verwenden Sie den Link aus einer neueren E-Mail.',
    gone: 'Wir speichern keine Daten mehr über Sie, daher gibt es nichts abzumelden.',
    badForm: 'Das Formular konnte nicht verarbeitet werden:',
    failed: 'Bei uns ist ein Fehler aufgetreten. Es wurde nichts geändert; bitte versuchen Sie es später erneut.',
  },
  es: {
    title: 'Preferencias de correo electrónico',
    intro: 'Elija qué correos desea recibir de nosotros.',
    marketing: 'Novedades y consejos', marketingHint: 'Novedades del producto, consejos y ofertas',
    survey: 'Encuestas', surveyHint: 'Preguntas breves sobre su experiencia',
    transactional: 'Correos de servicio', transactionalHint: 'Recibos, mensajes de la cuenta y de seguridad. Siempre se envían.',
    save: 'Guardar preferencias', all: 'Darse de baja de todo',
    saved: 'Sus preferencias se han guardado.',
    unsubscribed: 'Se ha dado de baja. Ya no recibirá estos correos.',
    invalidTitle: 'Este enlace no es válido.',
    invalidBody: 'Puede estar incompleto o modificado. Utilice el enlace de uno de nuestros correos.',
    expiredTitle: 'Este enlace ha caducado.',
    expiredBody: 'Utilice el enlace de un correo más reciente.',
    gone: 'Ya no guardamos ningún dato suyo, así que no hay nada de lo que darse de baja.',
    badForm: 'No se pudo procesar el formulario:',
    failed: 'Algo ha fallado por nuestra parte. No se ha cambiado nada; inténtelo de nuevo más tarde.',
  },
  'pt-BR': {
    title: 'Preferências de e-mail',
    intro: 'Escolha quais e-mails você deseja receber de nós.',
    marketing: 'Novidades e dicas', marketingHint: 'Novidades do produto, dicas e ofertas',
    survey: 'Pesquisas', surveyHint: 'Perguntas rápidas sobre a sua experiência',
    transactional: 'E-mails de serviço', transactionalHint: 'Recibos, mensagens da conta e de segurança. Estes são sempre enviados.',
    save: 'Salvar preferências', all: 'Cancelar a inscrição em tudo',
    saved: 'Suas preferências foram salvas.',
    unsubscribed: 'Sua inscrição foi cancelada. Você não receberá mais estes e-mails.',
    invalidTitle: 'Este link não é válido.',
    invalidBody: 'Ele pode estar incompleto ou alterado. Use o link de um dos nossos e-mails.',
    expiredTitle: 'Este link expirou.',
    expiredBody: 'Use o link de um e-mail mais recente.',
    gone: 'Não guardamos mais nenhum dado seu, então não há nada para cancelar.',
    badForm: 'Não foi possível processar o formulário:',
    failed: 'Algo deu errado do nosso lado. Nada foi alterado; tente novamente mais tarde.',
  },
  ja: {
    title: 'メール配信設定',
    intro: '受け取りたいメールを選択してください。',
    marketing: 'お知らせとヒント', marketingHint: '製品のお知らせ、活用のヒント、キャンペーン情報',
    survey: 'アンケート', surveyHint: 'ご利用体験についての簡単な質問',
    transactional: 'サービスメール', transactionalHint: '領収書、アカウントおよびセキュリティに関するお知らせ。これらは常に送信されます。',
    save: '設定を保存', all: 'すべての配信を停止',
    saved: '設定を保存しました。',
    unsubscribed: '配信を停止しました。今後これらのメールは届きません。',
    invalidTitle: 'このリンクは無効です。',
    invalidBody: 'リンクが不完全か、変更されている可能性があります。当社からのメールに記載されたリンクをご利用ください。',
    expiredTitle: 'このリンクは有効期限が切れています。',
    expiredBody: 'より新しいメールに記載されたリンクをご利用ください。',
    gone: 'お客様のデータはすでに保持していないため、配信停止の対象はありません。',
    badForm: 'フォームを処理できませんでした：',
    failed: '当社側でエラーが発生しました。変更は行われていません。しばらくしてから再度お試しください。',
  },
  'zh-CN': {
    title: '邮件偏好设置',
    intro: '请选择您希望收到的邮件。',
    marketing: '新闻与技巧', marketingHint: '产品新闻、使用技巧和优惠',
    survey: '调查问卷', surveyHint: '关于您使用体验的简短问题',
    transactional: '服务邮件', transactionalHint: '收据、账户和安全通知。这些邮件会始终发送。',
    save: '保存偏好设置', all: '全部退订',
    saved: '您的偏好设置已保存。',
    unsubscribed: '您已成功退订，今后将不再收到这些邮件。',
    invalidTitle: '此链接无效。',
    invalidBody: '链接可能不完整或已被修改。请使用我们邮件中的链接。',
    expiredTitle: '此链接已过期。',
    expiredBody: '请使用较新邮件中的链接。',
    gone: '我们已不再保存您的任何数据，因此无需退订。',
    badForm: '无法处理该表单：',
    failed: '我们这边出现了问题。未做任何更改，请稍后再试。',
  },
  vi: {
    title: 'Tùy chọn email',
    intro: 'Chọn những email bạn muốn nhận từ chúng tôi.',
    marketing: 'Tin tức và mẹo', marketingHint: 'Tin tức sản phẩm, mẹo và ưu đãi',
    survey: 'Khảo sát', surveyHint: 'Câu hỏi ngắn về trải nghiệm của bạn',
    transactional: 'Email dịch vụ', transactionalHint: 'Biên lai, thông báo tài khoản và bảo mật. Những email này luôn được gửi.',
    save: 'Lưu tùy chọn', all: 'Hủy đăng ký tất cả',
    saved: 'Tùy chọn của bạn đã được lưu.',
    unsubscribed: 'Bạn đã hủy đăng ký. Bạn sẽ không nhận được những email này nữa.',
    invalidTitle: 'Liên kết này không hợp lệ.',
    invalidBody: 'Liên kết có thể không đầy đủ hoặc đã bị thay đổi. Vui lòng dùng liên kết trong một email của chúng tôi.',
    expiredTitle: 'Liên kết này đã hết hạn.',
    expiredBody: 'Vui lòng dùng liên kết trong một email gần đây hơn.',
    gone: 'Chúng tôi không còn lưu dữ liệu nào về bạn, vì vậy không có gì để hủy đăng ký.',
    badForm: 'Không thể xử lý biểu mẫu:',
    failed: 'Đã xảy ra lỗi từ phía chúng tôi. Không có gì bị thay đổi; vui lòng thử lại sau.',
  },
  lv: {
    title: 'E-pasta iestatījumi',
    intro: 'Izvēlieties, kādus e-pastus vēlaties saņemt no mums.',
    marketing: 'Jaunumi un padomi', marketingHint: 'Produktu jaunumi, padomi un piedāvājumi',
    survey: 'Aptaujas', surveyHint: 'Īsi jautājumi par jūsu pieredzi',
    transactional: 'Pakalpojumu e-pasti', transactionalHint: 'Kvītis, konta un drošības ziņojumi. Tie tiek sūtīti vienmēr.',
    save: 'Saglabāt iestatījumus', all: 'Atteikties no visiem',
    saved: 'Jūsu iestatījumi ir saglabāti.',
    unsubscribed: 'Abonēšana ir atcelta. Šos e-pastus jūs vairs nesaņemsiet.',
    invalidTitle: 'Šī saite nav derīga.',
    invalidBody: 'Tā var būt nepilnīga vai mainīta. Lūdzu, izmantojiet saiti no kāda mūsu e-pasta.',
    expiredTitle: 'Šīs saites derīguma termiņš ir beidzies.',
    expiredBody: 'Lūdzu, izmantojiet saiti no jaunāka e-pasta.',
    gone: 'Mēs vairs neglabājam nekādus jūsu datus, tāpēc nav no kā atteikties.',
    badForm: 'Veidlapu nevarēja apstrādāt:',
    failed: 'Mūsu pusē radās kļūda. Nekas netika mainīts; lūdzu, mēģiniet vēlāk vēlreiz.',
  },
  ar: {
    title: 'تفضيلات البريد الإلكتروني',
    intro: 'اختر رسائل البريد الإلكتروني التي تريد تلقيها منا.',
    marketing: 'الأخبار والنصائح', marketingHint: 'أخبار المنتج والنصائح والعروض',
    survey: 'الاستبيانات', surveyHint: 'أسئلة قصيرة عن تجربتك',
    transactional: 'رسائل الخدمة', transactionalHint: 'الإيصالات ورسائل الحساب والأمان. تُرسل هذه الرسائل دائمًا.',
    save: 'حفظ التفضيلات', all: 'إلغاء الاشتراك في الكل',
    saved: 'تم حفظ تفضيلاتك.',
    unsubscribed: 'تم إلغاء اشتراكك. لن تصلك هذه الرسائل بعد الآن.',
    invalidTitle: 'هذا الرابط غير صالح.',
    invalidBody: 'قد يكون الرابط ناقصًا أو معدّلًا. يُرجى استخدام الرابط الموجود في إحدى رسائلنا.',
    expiredTitle: 'انتهت صلاحية هذا الرابط.',
    expiredBody: 'يُرجى استخدام الرابط الموجود في رسالة أحدث.',
    gone: 'لم نعد نحتفظ بأي بيانات عنك، لذلك لا يوجد ما يُلغى الاشتراك منه.',
    badForm: 'تعذّرت معالجة النموذج:',
    failed: 'حدث خطأ من جانبنا. لم يتغيّر شيء؛ يُرجى المحاولة لاحقًا.',
  },
};

export const UNSUBSCRIBE_PAGE_LOCALES: readonly string[] = Object.keys(MESSAGES);
const AVAILABLE = new Set(UNSUBSCRIBE_PAGE_LOCALES);

function pickLocale(requested: string | null | undefined): string {
  return localeChain(requested, AVAILABLE, 'en')[0] ?? 'en';
}

/** The first language of an Accept-Language header that has messages (for visitors we cannot identify). */
function localeFromHeader(header: string | undefined): string {
  const tags = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q ? Number(q) : 1 };
    })
    .filter((t) => t.tag && t.tag !== '*' && t.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const t of tags) {
    const chain = localeChain(t.tag, AVAILABLE, '__none__');
    if (chain.length) return chain[0];
  }
  return 'en';
}

// ---------------------------------------------------------------------------------------------
// Pages


const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","Noto Sans JP","Noto Sans SC",sans-serif;background:#f4f5f7;color:#1f2933;margin:0;padding:2rem 1rem}
main{max-width:34rem;margin:0 auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin-top:0}.note{background:#e8f5e9;border-radius:6px;padding:.75rem 1rem}.error{background:#fdecea;border-radius:6px;padding:.75rem 1rem}
fieldset{border:0;padding:0;margin:1.5rem 0}label{display:flex;gap:.75rem;align-items:flex-start;margin:.9rem 0}label small{display:block;color:#52606d}
button{font:inherit;padding:.6rem 1.1rem;border-radius:6px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;cursor:pointer;margin-inline-end:.5rem}
button.secondary{background:#fff;color:#1f6feb}code{font-size:.95em}`;

function page(locale: string, title: string, body: string): string {
  return customerPage(locale, title, STYLE, body);
}

function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  if (!domain) return '•••';
  return `${local.slice(0, 1)}•••@${domain}`;
}

function preferencesPage(locale: string, prefs: Preferences, email: string, note?: string): string {
  const m = MESSAGES[locale];
  const box = (cat: OptionalCategory, label: string, hint: string) =>
    `<label><input type="checkbox" name="subscribe" value="${cat}"${prefs[cat] ? ' checked' : ''}><span>${escapeHtml(label)}<small>${escapeHtml(hint)}</small></span></label>`;
  return page(locale, m.title, `<h1>${escapeHtml(m.title)}</h1>
${note ? `<p class="note" role="status">${escapeHtml(note)}</p>\n` : ''}<p>${escapeHtml(m.intro)} <bdi>${escapeHtml(maskEmail(email))}</bdi></p>
<form method="post" action="">
<input type="hidden" name="form" value="preferences">
<fieldset>
${box('marketing', m.marketing, m.marketingHint)}
${box('survey', m.survey, m.surveyHint)}
<label><input type="checkbox" checked disabled><span>${escapeHtml(m.transactional)}<small>${escapeHtml(m.transactionalHint)}</small></span></label>
</fieldset>
<button type="submit">${escapeHtml(m.save)}</button>
<button type="submit" class="secondary" name="all" value="off">${escapeHtml(m.all)}</button>
</form>`);
}

function messagePage(locale: string, title: string, text: string, cls: 'note' | 'error' = 'note', detail?: string): string {
  return page(locale, title, `<h1>${escapeHtml(title)}</h1>
<p class="${cls}" role="${cls === 'error' ? 'alert' : 'status'}">${escapeHtml(text)}${detail ? ` ${detail}` : ''}</p>`);
}

function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    // The token is in the URL: never leak it to other sites.
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .send(html);
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** A form body as name -> values (urlencoded or multipart/form-data). */
type FormFields = Map<string, string[]>;

function fieldsOf(params: URLSearchParams): FormFields {
  const fields: FormFields = new Map();
  for (const [k, v] of params) fields.set(k, [...(fields.get(k) ?? []), v]);
  return fields;
}

/** Minimal multipart/form-data reader for the small text fields of RFC 8058 one-click posts. */
function parseMultipart(body: string, contentType: string): FormFields {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new FormError('body', 'multipart/form-data without a boundary');
  const fields: FormFields = new Map();
  for (const part of body.split(`--${boundary}`)) {
    if (!part.trim() || part.startsWith('--')) continue;
    const split = part.indexOf('\r\n\r\n') >= 0 ? part.indexOf('\r\n\r\n') : part.indexOf('\n\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const value = part.slice(split).replace(/^\r?\n\r?\n/, '').replace(/\r?\n$/, '');
    const name = /content-disposition:[^\n]*\bname="([^"]*)"/i.exec(head)?.[1];
    if (name !== undefined) fields.set(name, [...(fields.get(name) ?? []), value]);
  }
  return fields;
}

class FormError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'FormError';
  }
}

type Action = { kind: 'one-click' } | { kind: 'preferences'; subscribe: Set<OptionalCategory> };

const ACCEPTED_CATEGORIES = new Set<string>([...OPTIONAL_CATEGORIES, 'transactional']);

/** What a POST asks for; a FormError names the field that is wrong. */
function actionOf(fields: FormFields | undefined): Action {
  if (!fields || fields.size === 0) return { kind: 'one-click' }; // a one-click POST without its body
  if (fields.has('List-Unsubscribe')) {
    const v = fields.get('List-Unsubscribe')!;
    if (v.length !== 1 || v[0] !== 'One-Click') throw new FormError('List-Unsubscribe', 'must be "One-Click" (RFC 8058)');
    const extra = [...fields.keys()].filter((k) => k !== 'List-Unsubscribe');
    if (extra.length) throw new FormError(extra[0], 'is not a field of a one-click unsubscribe');
    return { kind: 'one-click' };
  }
  const allowed = new Set(['form', 'subscribe', 'all']);
  for (const name of fields.keys()) {
    if (!allowed.has(name)) throw new FormError(name, 'is not a field of the preferences form (expected subscribe, all)');
  }
  if (fields.has('form') && fields.get('form')!.join() !== 'preferences') throw new FormError('form', 'must be "preferences"');
  if (fields.has('all')) {
    if (fields.get('all')!.join() !== 'off') throw new FormError('all', 'must be "off"');
    return { kind: 'preferences', subscribe: new Set() };
  }
  const subscribe = new Set<OptionalCategory>();
  for (const value of fields.get('subscribe') ?? []) {
    if (!ACCEPTED_CATEGORIES.has(value)) {
      throw new FormError('subscribe', `has the unknown category "${value}" (expected ${OPTIONAL_CATEGORIES.join(' or ')})`);
    }
    if (value !== 'transactional') subscribe.add(value as OptionalCategory); // service emails are always on
  }
  return { kind: 'preferences', subscribe };
}

// ---------------------------------------------------------------------------------------------
// Routes

export async function unsubscribeRoutes(app: FastifyInstance, opts: UnsubscribeRouteOptions): Promise<void> {
  const { deps } = opts;
  const { db, config } = deps;

  // Form bodies, for these routes only (this plugin's encapsulation context).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => {
    done(null, fieldsOf(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 16 * 1024 }, (req, body, done) => {
    try {
      done(null, parseMultipart(body as string, String(req.headers['content-type'])));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  // Errors on these routes are pages too (the API's other errors are JSON).
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const locale = localeFromHeader(req.headers['accept-language']);
    const m = MESSAGES[locale];
    if (err instanceof FormError) {
      return sendHtml(reply, 400, messagePage(locale, m.title, m.badForm, 'error', `<code>${escapeHtml(err.field)}</code> ${escapeHtml(err.message)}`));
    }
    if (err.statusCode && err.statusCode < 500) {
      const field = err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'content-type' : 'body';
      const detail = err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'send application/x-www-form-urlencoded or multipart/form-data'
        : err.message;
      return sendHtml(reply, err.statusCode, messagePage(locale, m.title, m.badForm, 'error', `<code>${field}</code> ${escapeHtml(detail)}`));
    }
    req.log.error(err);
    return sendHtml(reply, 500, messagePage(locale, m.title, m.failed, 'error'));
  });

  /** The verified customer behind a token, or the page to answer with. */
  async function resolve(req: FastifyRequest<{ Params: TokenParams }>, reply: FastifyReply) {
    const v = verifyLink(config.secrets, req.params['*'], 'unsubscribe');
    if (!v.ok) {
      const locale = localeFromHeader(req.headers['accept-language']);
      const m = MESSAGES[locale];
      if (v.reason === 'expired') {
        sendHtml(reply, 410, messagePage(locale, m.expiredTitle, m.expiredBody, 'error'));
      } else {
        sendHtml(reply, 400, messagePage(locale, m.invalidTitle, m.invalidBody, 'error'));
      }
      return undefined;
    }
    const customer = await db.customer.findUnique({ where: { id: v.payload.c } });
    if (!customer) {
      const locale = localeFromHeader(req.headers['accept-language']);
      sendHtml(reply, 404, messagePage(locale, MESSAGES[locale].title, MESSAGES[locale].gone));
      return undefined;
    }
    const category = typeof v.payload.cat === 'string' ? v.payload.cat : undefined;
    return { customer, category, locale: pickLocale(customer.locale) };
  }

  // A wildcard, not `/u/:token`: signed tokens are longer than Fastify's default maxParamLength (100).
  app.get<{ Params: TokenParams }>('/u/*', { schema: { hide: true } }, async (req, reply) => {
    const r = await resolve(req, reply);
    if (!r) return reply;
    const prefs = await currentPreferences(db, config, r.customer);
    return sendHtml(reply, 200, preferencesPage(r.locale, prefs, r.customer.email));
  });

  app.post<{ Params: TokenParams }>('/u/*', { schema: { hide: true } }, async (req, reply) => {
    const r = await resolve(req, reply);
    if (!r) return reply;
    const body = req.body;
    if (body !== undefined && body !== null && !(body instanceof Map)) {
      throw new FormError('content-type', 'send application/x-www-form-urlencoded or multipart/form-data');
    }
    const action = actionOf(body as FormFields | undefined);
    const { customer } = r;

    let off: OptionalCategory[];
    let marketingOn = false;
    if (action.kind === 'one-click') {
      // Marketing always; a survey email's one-click also ends surveys. What was off stays off.
      const already = await suppressedOptionalCategories(db, customer.email);
      off = OPTIONAL_CATEGORIES.filter((c) => already.includes(c) || c === 'marketing' || c === r.category);
    } else {
      off = OPTIONAL_CATEGORIES.filter((c) => !action.subscribe.has(c));
      marketingOn = action.subscribe.has('marketing');
    }
    const source = action.kind === 'one-click' ? 'one-click' : 'preferences page';
    await storeUnsubscribedCategories(db, customer.email, off, source);
    const marketingOff = off.includes('marketing');
    if (marketingOff && customer.consentMarketing) {
      await db.customer.update({ where: { id: customer.id }, data: { consentMarketing: false, consentUpdatedAt: new Date() } });
    } else if (marketingOn && !customer.consentMarketing) {
      // Ticking "news and tips" on the preferences page is the customer's own opt-in.
      await db.customer.update({ where: { id: customer.id }, data: { consentMarketing: true, consentUpdatedAt: new Date() } });
    }
    await db.auditLog.create({
      data: {
        action: action.kind === 'one-click' ? 'customer.unsubscribed' : 'customer.preferences',
        subject: `customer-${opaqueId(await identityKey(db, config), customer.id)}`,
        details: JSON.stringify({ off, source }),
      },
    });
    if (marketingOff) {
      // Running enrollments hear it now; sequences with `exit: { events: [unsubscribed] }` stop at
      // once. Sends are also checked against the suppression list, so a failure here loses nothing.
      const event = {
        id: `unsubscribe-${randomUUID()}`,
        name: 'unsubscribed',
        occurredAt: new Date().toISOString(),
        properties: { categories: off, source },
      };
      try {
        await ingestEvent(deps, { ...event, customerId: customer.id });
      } catch (err) {
        req.log.error({ err }, 'unsubscribe recorded, but signalling running enrollments failed');
      }
    }
    const m = MESSAGES[r.locale];
    if (action.kind === 'one-click') return sendHtml(reply, 200, messagePage(r.locale, m.title, m.unsubscribed));
    const fresh = (await db.customer.findUnique({ where: { id: customer.id } })) ?? customer;
    const after = await currentPreferences(db, config, fresh);
    return sendHtml(reply, 200, preferencesPage(r.locale, after, customer.email, m.saved));
  });
}
