// The small localized pages behind survey links (/s/:token) and "I need help" links (/h/:token):
// the one-tap pages a GET shows (the chosen score, or the help request, with a form that POSTs it;
// a small script submits the form on load, so people still answer in one click while link scanners,
// which only GET, record nothing), thanks (with the optional comment form), comment received, help
// request received, and the error pages (invalid or tampered link, expired link or closed survey, a
// score out of range, a temporary failure). The messages are kept here rather than in the email
// catalogs because the pages are part of the API; the locales are the shipped ones, Arabic
// right-to-left.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EnrollmentDeps } from '../enrollments';
import { verifyLink, type LinkPayload } from '../../../domain/signed-links';
import { localeChain } from '../../../activities/render/locale';
import { customerPage, escapeHtml } from './customer-page';
import { MAX_COMMENT_LENGTH } from '../../../workflows/survey/messages';

interface Messages {
  /** The page a score link opens (GET): the chosen score and the button that sends it. */
  confirmTitle: string;
  /** {score} */
  confirmBody: string;
  confirmSubmit: string;
  /** The page a help link opens (GET): the button that sends the request. */
  helpConfirmTitle: string;
  helpConfirmBody: string;
  helpConfirmSubmit: string;
  thanksTitle: string;
  /** {score} */
  thanksBody: string;
  changeNote: string;
  commentLabel: string;
  commentSubmit: string;
  commentThanksTitle: string;
  commentThanksBody: string;
  helpTitle: string;
  helpBody: string;
  invalidTitle: string;
  invalidBody: string;
  closedTitle: string;
  closedBody: string;
  expiredTitle: string;
  expiredBody: string;
  badScoreTitle: string;
  /** {min}, {max} */
  badScoreBody: string;
  errorTitle: string;
  errorBody: string;
}

const MESSAGES: Record<string, Messages> = {
  en: {
    confirmTitle: 'Send your answer',
    confirmBody: 'Your answer: {score}',
    confirmSubmit: 'Send my answer',
    helpConfirmTitle: 'Ask us for help',
    helpConfirmBody: 'Would you like someone from our team to contact you?',
    helpConfirmSubmit: 'Yes, please contact me',
    thanksTitle: 'Thank you!',
    thanksBody: 'We have recorded your answer: {score}.',
    changeNote: 'Changed your mind? Click another score in the email: your latest answer counts until the survey closes.',
    commentLabel: 'Would you like to tell us more? (optional)',
    commentSubmit: 'Send comment',
    commentThanksTitle: 'Thank you for your comment',
    commentThanksBody: 'We have received it, and we read every comment.',
    helpTitle: 'We will be in touch',
    helpBody: 'Thank you for letting us know. Someone from our team will contact you soon.',
    invalidTitle: 'This link does not work',
    invalidBody: 'The link seems to be incomplete or altered. Please open it again from the email, exactly as it is.',
    closedTitle: 'This survey has closed',
    closedBody: 'Answers are no longer accepted for this survey. Thank you for your interest.',
    expiredTitle: 'This link has expired',
    expiredBody: 'Please use the link in a more recent email.',
    badScoreTitle: 'Please choose a score',
    badScoreBody: 'Please choose a score from {min} to {max} in the email.',
    errorTitle: 'Something went wrong',
    errorBody: 'We could not save this right now. Please try again in a few minutes.',
  },
  de: {
    confirmTitle: 'Ihre Antwort senden',
    confirmBody: 'Ihre Antwort: {score}',
    confirmSubmit: 'Antwort senden',
    helpConfirmTitle: 'Hilfe anfordern',
    helpConfirmBody: 'Möchten Sie, dass sich jemand aus unserem Team bei Ihnen meldet?',
    helpConfirmSubmit: 'Ja, bitte melden Sie sich bei mir',
    thanksTitle: 'Vielen Dank!',
    thanksBody: 'Wir haben Ihre Antwort gespeichert: {score}.',
    changeNote: 'Sie haben es sich anders überlegt? Klicken Sie in der E-Mail auf eine andere Bewertung: Bis die Umfrage endet, zählt Ihre letzte Antwort.',
    commentLabel: 'Möchten Sie uns mehr erzählen? (optional)',
    commentSubmit: 'Kommentar senden',
    commentThanksTitle: 'Danke für Ihren Kommentar',
    commentThanksBody: 'Wir haben ihn erhalten und lesen jeden Kommentar.',
    helpTitle: 'Wir melden uns bei Ihnen',
    helpBody: 'Danke, dass Sie uns Bescheid gegeben haben. Jemand aus unserem Team wird sich in Kürze bei Ihnen melden.',
    invalidTitle: 'Dieser Link funktioniert nicht',
    invalidBody: 'Der Link scheint unvollständig oder verändert zu sein. Bitte öffnen Sie ihn erneut aus der E-Mail, genau so, wie er ist.',
    closedTitle: 'Diese Umfrage ist beendet',
    closedBody: 'Für diese Umfrage werden keine Antworten mehr angenommen. Vielen Dank für Ihr Interesse.',
    expiredTitle: 'Dieser Link ist abgelaufen',
    expiredBody: 'Bitte verwenden Sie den Link aus einer neueren E-Mail.',
    badScoreTitle: 'Bitte wählen Sie eine Bewertung',
    badScoreBody: 'Bitte wählen Sie in der E-Mail eine Bewertung von {min} bis {max}.',
    errorTitle: 'Etwas ist schiefgelaufen',
    errorBody: 'Wir konnten das gerade nicht speichern. Bitte versuchen Sie es in ein paar Minuten erneut.',
  },
  es: {
    confirmTitle: 'Enviar su respuesta',
    confirmBody: 'Su respuesta: {score}',
    confirmSubmit: 'Enviar mi respuesta',
    helpConfirmTitle: 'Solicitar ayuda',
    helpConfirmBody: '¿Desea que alguien de nuestro equipo se ponga en contacto con usted?',
    helpConfirmSubmit: 'Sí, pónganse en contacto conmigo',
    thanksTitle: '¡Gracias!',
    thanksBody: 'Hemos registrado su respuesta: {score}.',
    changeNote: '¿Ha cambiado de opinión? Haga clic en otra puntuación del correo: cuenta su última respuesta hasta que se cierre la encuesta.',
    commentLabel: '¿Quiere contarnos algo más? (opcional)',
    commentSubmit: 'Enviar comentario',
    commentThanksTitle: 'Gracias por su comentario',
    commentThanksBody: 'Lo hemos recibido. Leemos todos los comentarios.',
    helpTitle: 'Nos pondremos en contacto con usted',
    helpBody: 'Gracias por avisarnos. Alguien de nuestro equipo se pondrá en contacto con usted pronto.',
    invalidTitle: 'Este enlace no funciona',
    invalidBody: 'Parece que el enlace está incompleto o ha sido modificado. Ábralo de nuevo desde el correo, tal como está.',
    closedTitle: 'Esta encuesta ha finalizado',
    closedBody: 'Ya no se aceptan respuestas para esta encuesta. Gracias por su interés.',
    expiredTitle: 'Este enlace ha caducado',
    expiredBody: 'Utilice el enlace de un correo más reciente.',
    badScoreTitle: 'Elija una puntuación',
    badScoreBody: 'Elija en el correo una puntuación del {min} al {max}.',
    errorTitle: 'Algo salió mal',
    errorBody: 'No hemos podido guardarlo en este momento. Inténtelo de nuevo en unos minutos.',
  },
  'pt-BR': {
    confirmTitle: 'Enviar sua resposta',
    confirmBody: 'Sua resposta: {score}',
    confirmSubmit: 'Enviar minha resposta',
    helpConfirmTitle: 'Pedir ajuda',
    helpConfirmBody: 'Você gostaria que alguém da nossa equipe entrasse em contato com você?',
    helpConfirmSubmit: 'Sim, entrem em contato comigo',
    thanksTitle: 'Obrigado!',
    thanksBody: 'Registramos sua resposta: {score}.',
    changeNote: 'Mudou de ideia? Clique em outra nota no e-mail: sua última resposta vale até o encerramento da pesquisa.',
    commentLabel: 'Quer nos contar mais? (opcional)',
    commentSubmit: 'Enviar comentário',
    commentThanksTitle: 'Obrigado pelo seu comentário',
    commentThanksBody: 'Nós o recebemos e lemos todos os comentários.',
    helpTitle: 'Entraremos em contato',
    helpBody: 'Obrigado por nos avisar. Alguém da nossa equipe entrará em contato com você em breve.',
    invalidTitle: 'Este link não funciona',
    invalidBody: 'O link parece estar incompleto ou alterado. Abra-o novamente a partir do e-mail, exatamente como está.',
    closedTitle: 'Esta pesquisa foi encerrada',
    closedBody: 'Esta pesquisa não aceita mais respostas. Obrigado pelo seu interesse.',
    expiredTitle: 'Este link expirou',
    expiredBody: 'Use o link de um e-mail mais recente.',
    badScoreTitle: 'Escolha uma nota',
    badScoreBody: 'Escolha no e-mail uma nota de {min} a {max}.',
    errorTitle: 'Algo deu errado',
    errorBody: 'Não conseguimos salvar isso agora. Tente novamente em alguns minutos.',
  },
  ja: {
    confirmTitle: 'ご回答の送信',
    confirmBody: 'ご回答：{score}',
    confirmSubmit: '回答を送信',
    helpConfirmTitle: 'サポートのご依頼',
    helpConfirmBody: '担当者からのご連絡をご希望ですか？',
    helpConfirmSubmit: 'はい、連絡を希望します',
    thanksTitle: 'ありがとうございます',
    thanksBody: 'ご回答を記録しました：{score}',
    changeNote: '回答を変更したい場合は、メールで別のスコアをクリックしてください。アンケートが終了するまで、最新の回答が有効です。',
    commentLabel: 'ほかにご意見があればお聞かせください（任意）',
    commentSubmit: 'コメントを送信',
    commentThanksTitle: 'コメントをありがとうございます',
    commentThanksBody: 'コメントを受け付けました。いただいたコメントはすべて拝見しています。',
    helpTitle: '担当者よりご連絡いたします',
    helpBody: 'お知らせいただきありがとうございます。担当者より近日中にご連絡いたします。',
    invalidTitle: 'このリンクは無効です',
    invalidBody: 'リンクが不完全か、変更されているようです。メールからそのままの形でもう一度開いてください。',
    closedTitle: 'このアンケートは終了しました',
    closedBody: 'このアンケートの回答受付は終了しました。ご関心をお寄せいただきありがとうございます。',
    expiredTitle: 'このリンクは有効期限が切れています',
    expiredBody: 'より新しいメールに記載されたリンクをご利用ください。',
    badScoreTitle: 'スコアを選択してください',
    badScoreBody: 'メールで{min}から{max}までのスコアを選択してください。',
    errorTitle: 'エラーが発生しました',
    errorBody: '現在保存できませんでした。数分後にもう一度お試しください。',
  },
  'zh-CN': {
    confirmTitle: '提交您的回答',
    confirmBody: '您的回答：{score}',
    confirmSubmit: '提交回答',
    helpConfirmTitle: '请求帮助',
    helpConfirmBody: '您希望我们团队的成员与您联系吗？',
    helpConfirmSubmit: '是的，请联系我',
    thanksTitle: '谢谢！',
    thanksBody: '我们已记录您的回答：{score}。',
    changeNote: '改变主意了？请在邮件中点击其他分数：在调查结束前，以您最后一次的回答为准。',
    commentLabel: '还有什么想告诉我们的吗？（选填）',
    commentSubmit: '提交评论',
    commentThanksTitle: '感谢您的评论',
    commentThanksBody: '我们已收到您的评论，每一条我们都会认真阅读。',
    helpTitle: '我们会尽快与您联系',
    helpBody: '感谢您告诉我们。我们团队的成员会尽快与您联系。',
    invalidTitle: '此链接无效',
    invalidBody: '该链接似乎不完整或已被修改。请从邮件中按原样重新打开。',
    closedTitle: '本次调查已结束',
    closedBody: '本次调查已不再接受回答。感谢您的关注。',
    expiredTitle: '此链接已过期',
    expiredBody: '请使用较新邮件中的链接。',
    badScoreTitle: '请选择一个分数',
    badScoreBody: '请在邮件中选择 {min} 到 {max} 之间的分数。',
    errorTitle: '出了点问题',
    errorBody: '我们暂时无法保存。请几分钟后再试。',
  },
  vi: {
    confirmTitle: 'Gửi câu trả lời',
    confirmBody: 'Câu trả lời của Quý khách: {score}',
    confirmSubmit: 'Gửi câu trả lời',
    helpConfirmTitle: 'Yêu cầu hỗ trợ',
    helpConfirmBody: 'Quý khách có muốn một thành viên trong đội ngũ của chúng tôi liên hệ không?',
    helpConfirmSubmit: 'Có, vui lòng liên hệ với tôi',
    thanksTitle: 'Xin cảm ơn!',
    thanksBody: 'Chúng tôi đã ghi nhận câu trả lời của Quý khách: {score}.',
    changeNote: 'Quý khách muốn thay đổi? Hãy bấm vào một điểm khác trong email: câu trả lời mới nhất sẽ được tính cho đến khi khảo sát kết thúc.',
    commentLabel: 'Quý khách có muốn chia sẻ thêm không? (không bắt buộc)',
    commentSubmit: 'Gửi góp ý',
    commentThanksTitle: 'Cảm ơn góp ý của Quý khách',
    commentThanksBody: 'Chúng tôi đã nhận được và đọc mọi góp ý.',
    helpTitle: 'Chúng tôi sẽ liên hệ với Quý khách',
    helpBody: 'Cảm ơn Quý khách đã cho chúng tôi biết. Một thành viên trong đội ngũ của chúng tôi sẽ sớm liên hệ.',
    invalidTitle: 'Liên kết này không hoạt động',
    invalidBody: 'Liên kết dường như không đầy đủ hoặc đã bị thay đổi. Vui lòng mở lại liên kết từ email, giữ nguyên như ban đầu.',
    closedTitle: 'Khảo sát này đã kết thúc',
    closedBody: 'Khảo sát này không còn nhận câu trả lời. Cảm ơn Quý khách đã quan tâm.',
    expiredTitle: 'Liên kết này đã hết hạn',
    expiredBody: 'Vui lòng dùng liên kết trong một email gần đây hơn.',
    badScoreTitle: 'Vui lòng chọn một điểm',
    badScoreBody: 'Vui lòng chọn trong email một điểm từ {min} đến {max}.',
    errorTitle: 'Đã xảy ra lỗi',
    errorBody: 'Hiện chúng tôi chưa thể lưu. Vui lòng thử lại sau vài phút.',
  },
  lv: {
    confirmTitle: 'Jūsu atbildes nosūtīšana',
    confirmBody: 'Jūsu atbilde: {score}',
    confirmSubmit: 'Nosūtīt atbildi',
    helpConfirmTitle: 'Lūgt palīdzību',
    helpConfirmBody: 'Vai vēlaties, lai kāds no mūsu komandas ar Jums sazinās?',
    helpConfirmSubmit: 'Jā, lūdzu, sazinieties ar mani',
    thanksTitle: 'Paldies!',
    thanksBody: 'Jūsu atbilde ir saglabāta: {score}.',
    changeNote: 'Pārdomājāt? Noklikšķiniet uz cita vērtējuma e-pastā: līdz aptaujas beigām tiek ņemta vērā Jūsu pēdējā atbilde.',
    commentLabel: 'Vai vēlaties pastāstīt vairāk? (nav obligāti)',
    commentSubmit: 'Nosūtīt komentāru',
    commentThanksTitle: 'Paldies par Jūsu komentāru',
    commentThanksBody: 'Mēs to saņēmām un izlasām katru komentāru.',
    helpTitle: 'Mēs ar Jums sazināsimies',
    helpBody: 'Paldies, ka informējāt mūs. Kāds no mūsu komandas drīz ar Jums sazināsies.',
    invalidTitle: 'Šī saite nedarbojas',
    invalidBody: 'Šķiet, ka saite ir nepilnīga vai mainīta. Lūdzu, atveriet to vēlreiz no e-pasta tieši tādu, kāda tā ir.',
    closedTitle: 'Šī aptauja ir beigusies',
    closedBody: 'Šai aptaujai atbildes vairs netiek pieņemtas. Paldies par interesi.',
    expiredTitle: 'Šīs saites derīguma termiņš ir beidzies',
    expiredBody: 'Lūdzu, izmantojiet saiti no jaunāka e-pasta.',
    badScoreTitle: 'Lūdzu, izvēlieties vērtējumu',
    badScoreBody: 'Lūdzu, e-pastā izvēlieties vērtējumu no {min} līdz {max}.',
    errorTitle: 'Radās kļūda',
    errorBody: 'Pašlaik to neizdevās saglabāt. Lūdzu, mēģiniet vēlreiz pēc dažām minūtēm.',
  },
  ar: {
    confirmTitle: 'إرسال إجابتكم',
    confirmBody: 'إجابتكم: {score}',
    confirmSubmit: 'إرسال الإجابة',
    helpConfirmTitle: 'طلب المساعدة',
    helpConfirmBody: 'هل تودّون أن يتواصل معكم أحد أعضاء فريقنا؟',
    helpConfirmSubmit: 'نعم، يُرجى التواصل معي',
    thanksTitle: 'شكراً لكم!',
    thanksBody: 'سجّلنا إجابتكم: {score}.',
    changeNote: 'هل غيّرتم رأيكم؟ انقروا على تقييم آخر في الرسالة: تُحتسب إجابتكم الأخيرة حتى إغلاق الاستطلاع.',
    commentLabel: 'هل تودّون إخبارنا بالمزيد؟ (اختياري)',
    commentSubmit: 'إرسال التعليق',
    commentThanksTitle: 'شكراً على تعليقكم',
    commentThanksBody: 'لقد استلمناه، ونحن نقرأ كل تعليق.',
    helpTitle: 'سنتواصل معكم',
    helpBody: 'شكراً لإبلاغنا. سيتواصل معكم أحد أعضاء فريقنا قريباً.',
    invalidTitle: 'هذا الرابط لا يعمل',
    invalidBody: 'يبدو أن الرابط غير مكتمل أو تم تعديله. يُرجى فتحه مرة أخرى من الرسالة كما هو تماماً.',
    closedTitle: 'انتهى هذا الاستطلاع',
    closedBody: 'لم يعد هذا الاستطلاع يقبل الإجابات. شكراً لاهتمامكم.',
    expiredTitle: 'انتهت صلاحية هذا الرابط',
    expiredBody: 'يُرجى استخدام الرابط الموجود في رسالة أحدث.',
    badScoreTitle: 'يُرجى اختيار تقييم',
    badScoreBody: 'يُرجى اختيار تقييم من {min} إلى {max} في الرسالة.',
    errorTitle: 'حدث خطأ ما',
    errorBody: 'تعذّر علينا الحفظ الآن. يُرجى المحاولة مرة أخرى بعد بضع دقائق.',
  },
};

export const FEEDBACK_PAGE_LOCALES: readonly string[] = Object.keys(MESSAGES);
const AVAILABLE = new Set(FEEDBACK_PAGE_LOCALES);

/**
 * The page language: the customer's own locale when the link names a known customer, else the
 * browser's Accept-Language, else English. `pt-PT` falls back to `pt-BR`, `de-AT` to `de`, ...
 */
export function pageLocale(customerLocale: string | null | undefined, acceptLanguage: string | undefined): string {
  if (customerLocale) {
    const chain = localeChain(customerLocale, AVAILABLE, '__none__');
    if (chain.length) return chain[0];
  }
  const tags = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q ? Number(q) : 1, i };
    })
    .filter((t) => t.tag && t.tag !== '*' && t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const t of tags) {
    const chain = localeChain(t.tag, AVAILABLE, '__none__');
    if (chain.length) return chain[0];
  }
  return 'en';
}

export function messagesFor(locale: string): Messages {
  return MESSAGES[locale] ?? MESSAGES.en;
}

const fill = (text: string, args: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (m, k: string) => (k in args ? String(args[k]) : m));

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","Noto Sans JP","Noto Sans SC",sans-serif;background:#f4f5f7;color:#1f2933;margin:0;padding:2rem 1rem}
main{max-width:34rem;margin:0 auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 3px rgba(0,0,0,.08);text-align:start}
h1{font-size:1.4rem;margin-top:0}.muted{color:#52606d;font-size:.95rem}.error{background:#fdecea;border-radius:6px;padding:.75rem 1rem}
.score{display:inline-block;min-width:2.2rem;padding:.2rem .5rem;border-radius:6px;background:#e8eef9;color:#1f5fbf;font-weight:700;text-align:center}
label{display:block;margin:1.5rem 0 .5rem}textarea{box-sizing:border-box;width:100%;min-height:7rem;font:inherit;padding:.6rem;border:1px solid #cbd2d9;border-radius:6px}
button{font:inherit;margin-top:.75rem;padding:.6rem 1.1rem;border-radius:6px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;cursor:pointer}`;

function htmlDocument(locale: string, title: string, body: string): string {
  return customerPage(locale, title, STYLE, `<h1>${escapeHtml(title)}</h1>\n${body}`);
}

/**
 * Submits the page's one-tap form (`data-auto-submit`) as soon as the page shows, so a person who
 * clicked the link in their email answers in one click. Not on a back/forward navigation (the
 * answer was already sent), and only once a prerendered page is actually shown. Scanners that only
 * GET never run it; without script the form's button does the same. The Content-Security-Policy
 * allows exactly this script, by its hash.
 */
export const AUTO_SUBMIT_SCRIPT =
  "(function(){var f=document.querySelector('form[data-auto-submit]');if(!f)return;" +
  "var n=window.performance&&performance.getEntriesByType?performance.getEntriesByType('navigation')[0]:null;" +
  "if(n&&n.type==='back_forward')return;" +
  "var go=function(){f.submit();};" +
  "if(document.prerendering){document.addEventListener('prerenderingchange',go,{once:true});}else{go();}})();";
const AUTO_SUBMIT_HASH = `'sha256-${createHash('sha256').update(AUTO_SUBMIT_SCRIPT).digest('base64')}'`;

/** The pages' policy: inline styles, the auto-submit script by hash, forms only to this origin. */
export const FEEDBACK_PAGE_CSP =
  `default-src 'none'; style-src 'unsafe-inline'; script-src ${AUTO_SUBMIT_HASH}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/** "... {score} ..." with the score as a badge (isolated, so right-to-left text keeps it in place). */
function withScore(text: string, score: number): string {
  const [before, after] = escapeHtml(text).split('{score}');
  return `${before}<bdi class="score">${score}</bdi>${after ?? ''}`;
}

export type FeedbackPage =
  /** GET of a score link: the chosen score and a form that POSTs it (auto-submitted). */
  | { kind: 'confirm-score'; score: number; formAction: string }
  /** GET of a help link: a form that POSTs the request (auto-submitted). */
  | { kind: 'confirm-help'; formAction: string }
  | { kind: 'thanks'; score: number; formAction: string }
  | { kind: 'comment-thanks' }
  | { kind: 'help' }
  | { kind: 'invalid' }
  | { kind: 'closed' }
  | { kind: 'expired' }
  | { kind: 'bad-score'; min: number; max: number }
  | { kind: 'error' };

export function renderFeedbackPage(locale: string, p: FeedbackPage): string {
  const m = messagesFor(locale);
  const para = (text: string, cls?: string) => `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</p>`;
  switch (p.kind) {
    case 'confirm-score':
      return htmlDocument(locale, m.confirmTitle, `<form method="post" action="${escapeHtml(p.formAction)}" data-auto-submit>
<input type="hidden" name="score" value="${p.score}">
<p>${withScore(m.confirmBody, p.score)}</p>
<button type="submit">${escapeHtml(m.confirmSubmit)}</button>
</form>
<script>${AUTO_SUBMIT_SCRIPT}</script>`);
    case 'confirm-help':
      return htmlDocument(locale, m.helpConfirmTitle, `<form method="post" action="${escapeHtml(p.formAction)}" data-auto-submit>
${para(m.helpConfirmBody)}
<button type="submit">${escapeHtml(m.helpConfirmSubmit)}</button>
</form>
<script>${AUTO_SUBMIT_SCRIPT}</script>`);
    case 'thanks': {
      return htmlDocument(locale, m.thanksTitle, `<p role="status">${withScore(m.thanksBody, p.score)}</p>
<form method="post" action="${escapeHtml(p.formAction)}">
<input type="hidden" name="score" value="${p.score}">
<label for="comment">${escapeHtml(m.commentLabel)}</label>
<textarea id="comment" name="comment" maxlength="${MAX_COMMENT_LENGTH}"></textarea>
<button type="submit">${escapeHtml(m.commentSubmit)}</button>
</form>
${para(m.changeNote, 'muted')}`);
    }
    case 'comment-thanks':
      return htmlDocument(locale, m.commentThanksTitle, para(m.commentThanksBody));
    case 'help':
      return htmlDocument(locale, m.helpTitle, para(m.helpBody));
    case 'invalid':
      return htmlDocument(locale, m.invalidTitle, para(m.invalidBody, 'error'));
    case 'closed':
      return htmlDocument(locale, m.closedTitle, para(m.closedBody));
    case 'expired':
      return htmlDocument(locale, m.expiredTitle, para(m.expiredBody));
    case 'bad-score':
      return htmlDocument(locale, m.badScoreTitle, para(fill(m.badScoreBody, { min: p.min, max: p.max }), 'error'));
    case 'error':
      return htmlDocument(locale, m.errorTitle, para(m.errorBody, 'error'));
  }
}

export function sendFeedbackPage(reply: FastifyReply, status: number, locale: string, p: FeedbackPage): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-language', locale)
    .header('cache-control', 'no-store')
    // The token is in the URL: never hand it to another site, never be framed.
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('content-security-policy', FEEDBACK_PAGE_CSP)
    .send(renderFeedbackPage(locale, p));
}

// ---------------------------------------------------------------------------------------------
// Link tokens

type TokenCheck =
  | { ok: true; payload: LinkPayload; locale: string }
  | { ok: false; status: number; page: 'invalid' | 'expired'; locale: string };

/**
 * Verifies a link token against every key of OUTREACH_SECRET and picks the page language (the
 * customer's locale when the link is genuine, even if expired).
 */
export async function checkToken(deps: EnrollmentDeps, req: FastifyRequest, token: string, purpose: LinkPayload['p']): Promise<TokenCheck> {
  const v = verifyLink(deps.config.secrets, token, purpose);
  const trusted = v.ok || v.reason === 'expired' ? v.payload : undefined;
  let customerLocale: string | undefined;
  if (trusted && typeof trusted.c === 'string') {
    const c = await deps.db.customer.findUnique({ where: { id: trusted.c }, select: { locale: true } }).catch(() => null);
    customerLocale = c?.locale;
  }
  const locale = pageLocale(customerLocale, req.headers['accept-language']);
  if (v.ok) return { ok: true, payload: v.payload, locale };
  return v.reason === 'expired' ? { ok: false, status: 410, page: 'expired', locale } : { ok: false, status: 400, page: 'invalid', locale };
}
