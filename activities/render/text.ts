// The plain-text part. Converting each rendered email's HTML to text would cost more than rendering it,
// so the conversion runs once, at compile time, on the compiled Handlebars-HTML: the result is a text
// Handlebars template fed with the same data. Statements are set aside before the HTML is taken apart
// so that links keep their `{{…}}` URLs: `<a href="{{links.help}}">{{t "cta"}}</a>` becomes
// `{{t "cta"}} ({{links.help}})`.

const STATEMENT = /\{\{\{[\s\S]*?\}\}\}|\{\{[\s\S]*?\}\}/g;
const TOKEN = /\u0000(\d+)\u0001/g;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', copy: '©', reg: '®',
  zwnj: '\u200c', zwj: '\u200d', lrm: '\u200e', rlm: '\u200f', bull: '•', middot: '·', euro: '€',
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** Derives the text-part template from a compiled Handlebars-HTML email template. */
export function htmlToTextTemplate(html: string): string {
  const bodyAt = html.search(/<body[\s>]/i);
  const bodyEnd = html.search(/<\/body>/i);
  let s = bodyAt >= 0 ? html.slice(bodyAt, bodyEnd > bodyAt ? bodyEnd : undefined) : html;

  const stash: string[] = [];
  s = s.replace(STATEMENT, (m) => `\u0000${stash.push(m) - 1}\u0001`);

  s = s.replace(/<!--[\s\S]*?-->/g, '');
  s = s.replace(/<(style|script|head|title)\b[\s\S]*?<\/\1\s*>/gi, '');
  // The preheader (mj-preview) is a hidden div: in a text part it would be a stray first line.
  s = s.replace(/<div\b[^>]*style="[^"]*display:\s*none[^"]*"[^>]*>[\s\S]*?<\/div>/gi, '');
  // Line breaks in HTML source are just spaces; only the tags below make lines.
  s = s.replace(/\s+/g, ' ');
  s = s.replace(/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi, (_whole, attrs: string, inner: string) => {
    const href = /\bhref\s*=\s*"([^"]*)"/i.exec(attrs)?.[1]?.trim();
    const label = collapse(decodeEntities(inner.replace(/<[^>]*>/g, ' ')));
    if (!href) return label;
    const url = decodeEntities(href);
    if (!label || label === url) return ` ${url} `;
    return `${label} (${url})`;
  });
  s = s.replace(/<img\b[^>]*\balt\s*=\s*"([^"]+)"[^>]*>/gi, ' $1 ');
  s = s.replace(/<br\s*\/?>/gi, '\n');
  s = s.replace(/<hr\b[^>]*>/gi, '\n----\n');
  s = s.replace(/<li\b[^>]*>/gi, '\n• ');
  s = s.replace(/<(p|h[1-6]|table|ul|ol|blockquote)\b[^>]*>/gi, '\n');
  s = s.replace(/<\/(p|div|tr|td|th|h[1-6]|ul|ol|table|blockquote)\s*>/gi, '\n');
  s = s.replace(/<[^>]*>/g, '');
  s = decodeEntities(s);
  // Decoded static text must not turn into Handlebars syntax: `&#123;&#123;` is a literal "{{".
  s = s.replace(/\{\{/g, '\\{{').replace(/\\(?=\u0000)/g, '\\\\');

  s = s
    .split('\n')
    .map((line) => collapse(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return s.replace(TOKEN, (_m, i: string) => stash[Number(i)]);
}

function collapse(s: string): string {
  return s.replace(/[ \t\r\f\v\u00a0]+/g, ' ').trim();
}

/** Per-email tidy-up of the rendered text part: blocks on their own lines leave blank or padded lines. */
export function tidyText(text: string): string {
  // Usually nothing to do; four substring scans are much cheaper than three regex replacements.
  if (text.indexOf('\n\n\n') < 0 && text.indexOf(' \n') < 0 && text.indexOf('\n ') < 0 && text.indexOf('\t') < 0) {
    const last = text.charCodeAt(text.length - 1);
    return text.charCodeAt(0) > 32 && last > 32 ? text : text.trim();
  }
  return text.replace(/[ \t]+$/gm, '').replace(/^[ \t]+/gm, '').replace(/\n{3,}/g, '\n\n').trim();
}
