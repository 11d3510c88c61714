// Broken templates and catalogs (folders under fixtures/templates/) and hostile render input. `lint`
// is what `outreach template lint` reports; `render` is what the send activity meets: a TemplateError
// with a code (permanent, never retried), or an email in which the hostile value is harmless.
import type { TemplateCase } from '../types';

export const templateCases: TemplateCase[] = [
  // --- MJML and Handlebars source
  {
    id: 'tpl-mjml-unclosed-text', surface: 'template', title: 'MJML <mj-text> never closed',
    input: { folder: 'mjml-unclosed-text' },
    expect: {
      lint: { code: 'MJML_INVALID', locale: 'en', message: /MJML line 10: <mj-text> is not closed before <mj-text> on line 11: add <\/mj-text>/ },
      render: { error: 'MJML_INVALID', message: /<mj-text> is not closed/ },
    },
  },
  {
    id: 'tpl-mjml-unclosed-section', surface: 'template', title: 'MJML <mj-section> never closed',
    input: { folder: 'mjml-unclosed-section' },
    expect: {
      lint: { code: 'MJML_INVALID', locale: 'en', message: /MJML line 14: <\/mj-body> does not match <mj-section> opened on line 13/ },
      render: { error: 'MJML_INVALID', message: /<mj-section> opened on line 13/ },
    },
  },
  {
    id: 'tpl-triple-stash-comment', surface: 'template', title: 'Handlebars triple-stash on customer data ({{{data.comment}}})',
    input: { folder: 'triple-stash-comment' },
    expect: {
      lint: { code: 'UNESCAPED', locale: '*', message: /\{\{\{data\.comment\}\}\} outputs customer data without HTML escaping/ },
      render: { ok: true },
    },
  },
  {
    id: 'tpl-ampersand-unescaped', surface: 'template', title: 'Handlebars {{& customer.familyName}} (unescaped)',
    input: { folder: 'ampersand-family-name' },
    expect: {
      lint: { code: 'UNESCAPED', locale: '*', message: /\{\{& customer\.familyName\}\} outputs customer data without HTML escaping/ },
      render: { ok: true },
    },
  },
  {
    id: 'tpl-partial', surface: 'template', title: 'Handlebars partial {{> footer}}',
    input: { folder: 'partial' },
    expect: {
      lint: { code: 'TEMPLATE_SYNTAX', locale: 'en', message: /\{\{> footer\}\}: partials are not supported; use <mj-include/ },
      render: { error: 'TEMPLATE_SYNTAX', message: /partials are not supported/ },
    },
  },
  {
    id: 'tpl-unclosed-block', surface: 'template', title: 'Handlebars {{#if}} never closed',
    input: { folder: 'unclosed-block' },
    expect: {
      lint: { code: 'TEMPLATE_SYNTAX', locale: '*', message: /Parse error on line 18: .*Expecting .*OPEN_ENDBLOCK/ },
      render: { error: 'TEMPLATE_SYNTAX', message: /Handlebars syntax: Parse error on line 18/ },
    },
  },
  {
    id: 'tpl-include-path-traversal', surface: 'template', title: '<mj-include path="../../../../../../etc/passwd">',
    input: { folder: 'include-traversal' },
    expect: {
      lint: { code: 'MJML_INVALID', locale: '*', message: /<mj-include path="\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd"> leaves the templates folder/ },
      render: { error: 'MJML_INVALID', message: /leaves the templates folder/ },
    },
  },
  {
    id: 'tpl-invalid-utf8-mjml', surface: 'template', title: 'raw non-UTF-8 bytes in template.mjml',
    input: { folder: 'invalid-utf8-mjml' },
    expect: {
      lint: { code: 'MJML_INVALID', locale: '*', message: /invalid-utf8-mjml\/template\.mjml is not valid UTF-8 \(line 11\): save it as UTF-8/ },
      render: { error: 'MJML_INVALID', message: /not valid UTF-8 \(line 11\)/ },
    },
  },
  {
    id: 'tpl-unknown-token', surface: 'template', title: 'unknown compile-time token [[evil]]',
    input: { folder: 'unknown-token' },
    expect: {
      lint: { code: 'MJML_INVALID', locale: 'en', message: /unknown compile-time token \[\[evil\]\] \(known: \[\[lang\]\]/ },
      render: { error: 'MJML_INVALID', message: /\[\[evil\]\]/ },
    },
  },
  // --- hostile render input
  {
    id: 'tpl-render-name-path-traversal', surface: 'template', title: 'render template "../../etc/passwd"',
    input: { folder: 'clean', render: { template: '../../etc/passwd' } },
    expect: { render: { error: 'UNKNOWN_TEMPLATE', message: /no template '\.\.\/\.\.\/etc\/passwd' in .* \(known: .*clean/ } },
  },
  {
    id: 'tpl-render-shared-folder', surface: 'template', title: 'render template "_shared" (not a template)',
    input: { folder: 'clean', render: { template: '_shared' } },
    expect: { render: { error: 'UNKNOWN_TEMPLATE', message: /no template '_shared'/ } },
  },
  {
    id: 'tpl-render-null-customer', surface: 'template', title: 'customer null',
    input: { folder: 'clean', render: { customer: null } },
    expect: { render: { error: 'MISSING_VARIABLE', message: /customer is not defined/ } },
  },
  {
    id: 'tpl-render-javascript-unsubscribe', surface: 'template', title: 'unsubscribe link "javascript:alert(1)"',
    input: { folder: 'clean', render: { links: { unsubscribe: 'javascript:alert(1)' } } },
    expect: { render: { error: 'INVALID_VARIABLE', message: /links\.unsubscribe must be an http\(s\) or mailto: URL/ } },
  },
  {
    id: 'tpl-render-data-url-link', surface: 'template', title: 'extra link "data:text/html,<script>..."',
    input: { folder: 'clean', render: { links: { unsubscribe: 'https://example.com/u/t', help: 'data:text/html,<script>alert(1)</script>' } } },
    expect: { render: { error: 'INVALID_VARIABLE', message: /links\.help uses a script or data: URL/ } },
  },
  {
    id: 'tpl-render-script-tag-name', surface: 'template', title: 'script tag in givenName (stored before the API refused them)',
    input: { folder: 'clean', render: { customer: { givenName: '<script>alert(1)</script>' } } },
    expect: {
      render: {
        safe: [
          { part: 'html', excludes: '<script>alert(1)' },
          { part: 'html', includes: '&lt;script&gt;alert(1)&lt;/script&gt;' },
          { part: 'subject', includes: 'News for <script>alert(1)</script>' },
        ],
      },
    },
  },
  {
    id: 'tpl-render-crlf-subject', surface: 'template', title: 'CRLF in givenName reaching the subject',
    input: { folder: 'clean', render: { customer: { givenName: 'Eve\r\nBcc: everyone@example.com' } } },
    expect: { render: { safe: [{ part: 'subject', excludes: /[\r\n]/ }, { part: 'subject', includes: 'News for Eve Bcc: everyone@example.com' }] } },
  },
  {
    id: 'tpl-render-handlebars-in-data', surface: 'template', title: 'Handlebars and ICU syntax inside data values',
    input: { folder: 'clean', render: { data: { product: '{{constructor.constructor "alert(1)"}} {givenName}' } } },
    expect: { render: { safe: [{ part: 'text', includes: 'Thanks for using {{constructor.constructor "alert(1)"}} {givenName}.' }] } },
  },

  // --- catalogs
  {
    id: 'cat-icu-unbalanced-brace', surface: 'catalog', title: 'ICU message with an unclosed {',
    input: { folder: 'icu-unbalanced' },
    expect: {
      lint: { code: 'ICU_SYNTAX', locale: 'en', message: /key 'body': MALFORMED_ARGUMENT at 1:18/ },
      render: { error: 'ICU_SYNTAX', message: /catalog key 'body' \(en\): MALFORMED_ARGUMENT/ },
    },
  },
  {
    id: 'cat-icu-plural-unclosed', surface: 'catalog', title: 'ICU plural missing its closing }',
    input: { folder: 'icu-plural-unclosed' },
    expect: {
      lint: { code: 'ICU_SYNTAX', locale: 'en', message: /key 'body': EXPECT_ARGUMENT_CLOSING_BRACE/ },
      render: { error: 'ICU_SYNTAX', message: /EXPECT_ARGUMENT_CLOSING_BRACE/ },
    },
  },
  {
    id: 'cat-icu-bad-argument-type', surface: 'catalog', title: 'ICU argument of unknown type {product, currency}',
    input: { folder: 'icu-bad-argument-type' },
    expect: {
      lint: { code: 'ICU_SYNTAX', locale: 'en', message: /key 'body': INVALID_ARGUMENT_TYPE/ },
      render: { error: 'ICU_SYNTAX', message: /INVALID_ARGUMENT_TYPE/ },
    },
  },
  {
    id: 'cat-key-missing-in-one-locale', surface: 'catalog', title: 'key "body" missing in de only',
    input: { folder: 'key-missing-in-de', render: { locale: 'de' } },
    expect: { lint: { code: 'MISSING_KEY', locale: 'de', message: /missing key 'body' \(falls back to en\)/ }, render: { ok: true } },
  },
  {
    id: 'cat-subject-missing', surface: 'catalog', title: 'no subject in the default catalog',
    input: { folder: 'subject-missing' },
    expect: {
      lint: { code: 'MISSING_KEY', locale: 'en', message: /catalog key 'subject' is required/ },
      render: { error: 'MISSING_KEY', message: /catalog key 'subject' is not defined in en/ },
    },
  },
  {
    id: 'cat-duplicate-keys', surface: 'catalog', title: 'duplicate YAML key in en.yaml',
    input: { folder: 'duplicate-keys' },
    expect: {
      lint: { code: 'CATALOG_INVALID', locale: 'en', message: /cannot parse en\.yaml: Map keys must be unique at line 5, column 1$/ },
      render: { error: 'CATALOG_INVALID', message: /Map keys must be unique at line 5/ },
    },
  },
  {
    id: 'cat-billion-laughs', surface: 'catalog', title: '"billion laughs" alias bomb in en.yaml',
    input: { folder: 'billion-laughs' },
    expect: {
      lint: { code: 'CATALOG_INVALID', locale: 'en', message: /cannot parse en\.yaml: Excessive alias count/ },
      render: { error: 'CATALOG_INVALID', message: /cannot parse en\.yaml: Excessive alias count/ },
    },
  },
  {
    id: 'cat-invalid-utf8', surface: 'catalog', title: 'raw non-UTF-8 bytes in de.yaml',
    input: { folder: 'invalid-utf8-catalog', render: { locale: 'de' } },
    expect: {
      lint: { code: 'CATALOG_INVALID', locale: 'de', message: /de\.yaml is not valid UTF-8 \(line 3\): save it as UTF-8/ },
      render: { error: 'CATALOG_INVALID', message: /de\.yaml is not valid UTF-8/ },
    },
  },
  {
    id: 'cat-proto-key', surface: 'catalog', title: '"__proto__" key in en.yaml',
    input: { folder: 'proto-key' },
    expect: {
      lint: { code: 'CATALOG_INVALID', locale: 'en', message: /invalid key '__proto__' \('__proto__' is reserved: rename the key\)/ },
      render: { error: 'CATALOG_INVALID', message: /'__proto__' is reserved/ },
    },
  },
  {
    id: 'cat-list-value', surface: 'catalog', title: 'a list where a message string belongs',
    input: { folder: 'non-string-value', render: { locale: 'de' } },
    expect: {
      lint: { code: 'CATALOG_INVALID', locale: 'de', message: /de\.yaml: key 'preheader' must be a string \(got a list\)/ },
      render: { error: 'CATALOG_INVALID', message: /key 'preheader' must be a string/ },
    },
  },
  {
    id: 'cat-json-syntax', surface: 'catalog', title: 'trailing comma in de.json',
    input: { folder: 'json-catalog-invalid', render: { locale: 'de' } },
    expect: {
      lint: { code: 'CATALOG_INVALID', locale: 'de', message: /cannot parse de\.json: .*position 28/ },
      render: { error: 'CATALOG_INVALID', message: /cannot parse de\.json/ },
    },
  },
  {
    id: 'cat-file-name-not-a-locale', surface: 'catalog', title: 'catalog file en_US.yaml (not a BCP 47 tag)',
    input: { folder: 'catalog-file-name' },
    expect: {
      lint: { code: 'CATALOG_INVALID', locale: 'en_US', message: /catalog file name 'en_US\.yaml' is not a canonical locale tag \(use 'en-US\.yaml'\)/ },
      render: { error: 'CATALOG_INVALID', message: /use 'en-US\.yaml'/ },
    },
  },
  {
    id: 'cat-root-is-list', surface: 'catalog', title: 'de.yaml holding a list',
    input: { folder: 'catalog-root-list', render: { locale: 'de' } },
    expect: {
      lint: { code: 'CATALOG_INVALID', locale: 'de', message: /de\.yaml must hold a map of keys to strings/ },
      render: { error: 'CATALOG_INVALID', message: /must hold a map of keys to strings/ },
    },
  },
  {
    id: 'cat-register-invalid', surface: 'catalog', title: 'meta.register "casual"',
    input: { folder: 'register-invalid', render: { locale: 'de' } },
    expect: {
      lint: { code: 'CATALOG_INVALID', locale: 'de', message: /meta\.register must be 'formal' or 'informal'/ },
      render: { error: 'CATALOG_INVALID', message: /got 'casual'/ },
    },
  },
];
