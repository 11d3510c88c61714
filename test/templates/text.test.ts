// The plain-text part is derived once per template from the compiled HTML template.
import { decodeEntities, htmlToTextTemplate, tidyText } from '../../activities/render/text';

test('links become "label (url)", keeping their Handlebars URLs', () => {
  const t = htmlToTextTemplate('<body><p>Go <a href="{{links.help}}" style="x">{{t "cta"}}</a> now</p><a href="https://x.example/">https://x.example/</a></body>');
  expect(t).toBe('Go {{t "cta"}} ({{links.help}}) now\nhttps://x.example/');
});

test('the hidden preheader, head, styles and Outlook conditionals are dropped', () => {
  const html = `<html><head><title>{{subject}}</title><style>p{}</style></head><body>
    <div style="display:none;font-size:1px;">{{preheader}}</div>
    <!--[if mso | IE]><table><tr><td><![endif]-->
    <div>Hello</div>
    <!--[if mso | IE]></td></tr></table><![endif]-->
  </body></html>`;
  expect(htmlToTextTemplate(html)).toBe('Hello');
});

test('blocks become lines, paragraphs are separated by one blank line, lists get bullets', () => {
  const html = '<body><div>One</div><table><tr><td><div>Two<br/>Three</div></td></tr></table><ul><li>a</li><li>b</li></ul></body>';
  expect(htmlToTextTemplate(html)).toBe('One\n\nTwo\nThree\n\n• a\n• b');
});

test('entities are decoded, and decoded braces cannot become Handlebars', () => {
  expect(decodeEntities('a &amp; b &lt;c&gt; &#233; &#x4E2D; &nbsp;|&unknown;')).toBe('a & b <c> é 中  |&unknown;');
  expect(htmlToTextTemplate('<body><p>&#123;&#123;x}} {{y}}</p></body>')).toBe('\\{{x}} {{y}}');
});

test('block statements survive the conversion in order', () => {
  const html = '<body>{{#each items}}<div><a href="{{url}}">{{label}}</a></div>{{else}}<div>none</div>{{/each}}</body>';
  expect(htmlToTextTemplate(html)).toBe('{{#each items}}{{label}} ({{url}})\n{{else}}none\n{{/each}}');
});

test('tidyText trims padded lines and collapses runs of blank lines', () => {
  expect(tidyText('  a  \n\n\n\n b\n')).toBe('a\n\nb');
  expect(tidyText('a\n\nb')).toBe('a\n\nb');
});

test('source line breaks are spaces: list items written on separate lines stay on consecutive lines', () => {
  const html = '<body><div>Intro\n  text</div>\n<ul>\n  <li>one</li>\n  <li>two</li>\n</ul></body>';
  expect(htmlToTextTemplate(html)).toBe('Intro text\n\n• one\n• two');
});
