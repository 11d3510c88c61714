// Hostile requests to the HTTP API. The runner (../api.test.ts) creates the customer "known" first;
// the basic bad-input cases (invalid email, unknown zone/country/region, bad formality, ...) live in
// test/api/auth-and-input.test.ts and are not repeated here.
import type { ApiCase } from '../types';

const NOW = new Date().toISOString();
const event = (over: Record<string, unknown> = {}) => ({ id: 'corpus-event', customerId: 'known', name: 'signup', occurredAt: NOW, ...over });
/** A JSON body with raw bytes spliced in where `@@` is: invalid UTF-8 on the wire. */
const withBytes = (json: string, bytes: number[]) => {
  const [before, after] = json.split('@@');
  return Buffer.concat([Buffer.from(before!), Buffer.from(bytes), Buffer.from(after!)]);
};
const nested = (levels: number, leaf: string) => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);

export const apiCases: ApiCase[] = [
  // --- script tags, CRLF and other control characters in names
  {
    id: 'api-name-script-tag', surface: 'api', title: 'script tag in givenName',
    input: { method: 'PUT', url: '/v1/customers/c-script', json: { email: 'eve@example.com', givenName: '<script>alert(1)</script>' } },
    expect: { status: 400, field: 'givenName', message: /must not contain < or >/ },
  },
  {
    id: 'api-name-html-attribute-break', surface: 'api', title: 'attribute-breaking markup in familyName',
    input: { method: 'PUT', url: '/v1/customers/c-img', json: { email: 'eve@example.com', familyName: '"><img src=x onerror=alert(1)>' } },
    expect: { status: 400, field: 'familyName', message: /must not contain < or >/ },
  },
  {
    id: 'api-title-crlf-header', surface: 'api', title: 'CRLF header injection in title',
    input: { method: 'PUT', url: '/v1/customers/c-crlf', json: { email: 'eve@example.com', title: 'Dr.\r\nBcc: everyone@example.com' } },
    expect: { status: 400, field: 'title', message: /control characters or line breaks/ },
  },
  {
    id: 'api-name-unicode-line-separator', surface: 'api', title: 'U+2028 line separator in givenName',
    input: { method: 'PUT', url: '/v1/customers/c-u2028', json: { email: 'eve@example.com', givenName: 'Eve\u2028Bcc: everyone@example.com' } },
    expect: { status: 400, field: 'givenName', message: /control characters or line breaks/ },
  },
  {
    id: 'api-email-crlf', surface: 'api', title: 'CRLF header injection in email',
    input: { method: 'PUT', url: '/v1/customers/c-mail', json: { email: 'eve@example.com\r\nBcc: everyone@example.com' } },
    expect: { status: 400, field: 'email', message: /valid email address/ },
  },
  // --- addresses that stay refused now that IDN and quoted local parts are accepted
  {
    id: 'api-email-idn-empty-label', surface: 'api', title: 'IDN address with an empty domain label (bücher..example)',
    input: { method: 'PUT', url: '/v1/customers/c-mail2', json: { email: 'user@bücher..example' } },
    expect: { status: 400, field: 'email', message: /valid email address: the domain "bücher\.\.example" has an empty label/ },
  },
  {
    id: 'api-email-idn-leading-hyphen', surface: 'api', title: 'IDN label starting with a hyphen (-bücher.example)',
    input: { method: 'PUT', url: '/v1/customers/c-mail3', json: { email: 'user@-bücher.example' } },
    expect: { status: 400, field: 'email', message: /valid email address: the domain "-bücher\.example" .*hyphen/ },
  },
  {
    id: 'api-email-bad-punycode', surface: 'api', title: 'punycode label that does not decode (xn--zz)',
    input: { method: 'PUT', url: '/v1/customers/c-mail4', json: { email: 'user@xn--zz.example' } },
    expect: { status: 400, field: 'email', message: /valid email address: the domain "xn--zz\.example" is not a valid domain name/ },
  },
  {
    id: 'api-email-unquoted-space', surface: 'api', title: 'space in an unquoted local part',
    input: { method: 'PUT', url: '/v1/customers/c-mail5', json: { email: 'john doe@example.com' } },
    expect: { status: 400, field: 'email', message: /valid email address: .*in quotes/ },
  },
  {
    id: 'api-email-unterminated-quote', surface: 'api', title: 'quoted local part without its closing quote',
    input: { method: 'PUT', url: '/v1/customers/c-mail6', json: { email: '"john@example.com' } },
    expect: { status: 400, field: 'email', message: /valid email address: .*closing quote/ },
  },
  {
    id: 'api-email-quoted-angle-brackets', surface: 'api', title: 'quoted local part holding < > (the SMTP client would rewrite them)',
    input: { method: 'PUT', url: '/v1/customers/c-mail7', json: { email: '"<script>"@example.com' } },
    expect: { status: 400, field: 'email', message: /valid email address: .*< or >/ },
  },
  {
    id: 'api-email-address-literal', surface: 'api', title: 'address literal instead of a domain (user@[192.0.2.1])',
    input: { method: 'PUT', url: '/v1/customers/c-mail8', json: { email: 'user@[192.0.2.1]' } },
    expect: { status: 400, field: 'email', message: /valid email address: .*address literal/ },
  },
  {
    id: 'api-email-bidi-local-part', surface: 'api', title: 'right-to-left override (U+202E) in the local part',
    input: { method: 'PUT', url: '/v1/customers/c-mail9', json: { email: '\u202Egnp.exe@example.com' } },
    expect: { status: 400, field: 'email', message: /valid email address: .*bidirectional control/ },
  },
  {
    id: 'api-email-local-part-66-bytes', surface: 'api', title: 'local part of 66 bytes (33 two-byte letters)',
    input: { method: 'PUT', url: '/v1/customers/c-mail10', json: { email: `${'ü'.repeat(33)}@example.com` } },
    expect: { status: 400, field: 'email', message: /valid email address: the part before @ is 66 bytes long: at most 64/ },
  },
  {
    id: 'api-event-id-nul', surface: 'api', title: 'NUL byte in the event id',
    input: { method: 'POST', url: '/v1/events', json: event({ id: 'e\u0000x' }) },
    expect: { status: 400, field: 'id', message: /must not contain control characters/ },
  },
  {
    id: 'api-event-customer-id-crlf', surface: 'api', title: 'CRLF in the event customerId',
    input: { method: 'POST', url: '/v1/events', json: event({ id: 'e-crlf', customerId: 'known\r\nX-Injected: 1' }) },
    expect: { status: 400, field: 'customerId', message: /must not contain control characters/ },
  },
  {
    id: 'api-customer-id-nul', surface: 'api', title: 'NUL byte in the customer id of the URL',
    input: { method: 'PUT', url: '/v1/customers/a%00b', json: { email: 'eve@example.com' } },
    expect: { status: 400, field: 'id', message: /must not contain control characters/ },
  },
  {
    id: 'api-customer-id-crlf', surface: 'api', title: 'CRLF in the customer id of the URL',
    input: { method: 'PUT', url: '/v1/customers/a%0D%0AX-Injected:%201', json: { email: 'eve@example.com' } },
    expect: { status: 400, field: 'id', message: /must not contain control characters/ },
  },
  {
    id: 'api-erase-id-nul', surface: 'api', title: 'NUL byte in the id of an erasure',
    input: { method: 'DELETE', url: '/v1/customers/a%00b' },
    expect: { status: 400, field: 'id', message: /must not contain control characters/ },
  },
  {
    id: 'api-enrollments-id-lf', surface: 'api', title: 'line feed in the id of an enrollments lookup',
    input: { method: 'GET', url: '/v1/customers/a%0Ab/enrollments' },
    expect: { status: 400, field: 'id', message: /must not contain control characters/ },
  },
  // --- lone surrogates and bidirectional controls (from the hostile probe)
  {
    id: 'api-name-lone-surrogate', surface: 'api', title: 'lone surrogate (\\ud800 escape) in givenName',
    input: { method: 'PUT', url: '/v1/customers/c-surrogate', json: { email: 'eve@example.com', givenName: 'A\ud800B' } },
    expect: { status: 400, field: 'givenName', message: /lone surrogate/ },
  },
  {
    id: 'api-event-id-lone-surrogate', surface: 'api', title: 'lone low surrogate (\\udfff escape) in the event id',
    input: { method: 'POST', url: '/v1/events', json: event({ id: 'e\udfffx' }) },
    expect: { status: 400, field: 'id', message: /lone surrogate/ },
  },
  {
    id: 'api-attribute-array-lone-surrogate', surface: 'api', title: 'high surrogate without its pair inside an attribute list',
    input: { method: 'PUT', url: '/v1/customers/c-surrogate2', json: { email: 'eve@example.com', attributes: { tags: ['ok', 'x\ud83dy'] } } },
    expect: { status: 400, field: 'attributes.tags.1', message: /lone surrogate/ },
  },
  {
    id: 'api-customer-id-lone-surrogate', surface: 'api', title: 'lone surrogate percent-encoded in the URL id (%ED%A0%80)',
    input: { method: 'PUT', url: '/v1/customers/a%ED%A0%80b', json: { email: 'eve@example.com' } },
    expect: { status: 400, field: 'id', message: /not valid UTF-8/ },
  },
  {
    id: 'api-customer-id-replacement-char', surface: 'api', title: 'U+FFFD in the URL id (what fetch() makes of a lone surrogate)',
    input: { method: 'PUT', url: '/v1/customers/a%EF%BF%BDb', json: { email: 'eve@example.com' } },
    expect: { status: 400, field: 'id', message: /U\+FFFD/ },
  },
  {
    id: 'api-name-bidi-override', surface: 'api', title: 'right-to-left override (U+202E) in givenName',
    input: { method: 'PUT', url: '/v1/customers/c-bidi', json: { email: 'eve@example.com', givenName: 'Eve\u202Egnp.exe' } },
    expect: { status: 400, field: 'givenName', message: /bidirectional control/ },
  },
  {
    id: 'api-family-name-bidi-isolate', surface: 'api', title: 'right-to-left isolate (U+2067) in familyName',
    input: { method: 'PUT', url: '/v1/customers/c-bidi2', json: { email: 'eve@example.com', familyName: 'Smith\u2067evil\u2069' } },
    expect: { status: 400, field: 'familyName', message: /bidirectional control/ },
  },
  {
    id: 'api-title-bidi-embedding', surface: 'api', title: 'left-to-right embedding (U+202A) in title',
    input: { method: 'PUT', url: '/v1/customers/c-bidi3', json: { email: 'eve@example.com', title: '\u202ADr.' } },
    expect: { status: 400, field: 'title', message: /bidirectional control/ },
  },
  // --- invalid UTF-8 on the wire
  {
    id: 'api-name-invalid-utf8', surface: 'api', title: 'raw non-UTF-8 bytes in givenName',
    input: { method: 'PUT', url: '/v1/customers/c-utf8', raw: withBytes('{"email":"jose@example.com","givenName":"Jos@@"}', [0xc3, 0x28, 0xff]) },
    expect: { status: 400, field: 'givenName', message: /not valid UTF-8/ },
  },
  {
    id: 'api-property-invalid-utf8', surface: 'api', title: 'raw non-UTF-8 bytes in an event property',
    input: { method: 'POST', url: '/v1/events', raw: withBytes(`{"id":"e-utf8","customerId":"known","name":"signup","occurredAt":"${NOW}","properties":{"plan":"pr@@"}}`, [0xe9, 0xff]) },
    expect: { status: 400, field: 'properties.plan', message: /not valid UTF-8/ },
  },
  // --- prototype pollution
  {
    id: 'api-proto-top-level', surface: 'api', title: '"__proto__" key in a customer body',
    input: { method: 'PUT', url: '/v1/customers/c-proto', raw: '{"email":"eve@example.com","__proto__":{"isAdmin":true}}' },
    expect: { status: 400, field: '__proto__', message: /is a reserved key \("__proto__"\): rename it/ },
  },
  {
    id: 'api-proto-in-attributes', surface: 'api', title: '"__proto__" key inside attributes',
    input: { method: 'PUT', url: '/v1/customers/c-proto2', raw: '{"email":"eve@example.com","attributes":{"plan":"pro","__proto__":{"isAdmin":true}}}' },
    expect: { status: 400, field: 'attributes.__proto__', message: /is a reserved key \("__proto__"\)/ },
  },
  {
    id: 'api-constructor-prototype', surface: 'api', title: '"constructor.prototype" in event properties',
    input: { method: 'POST', url: '/v1/events', raw: `{"id":"e-ctor","customerId":"known","name":"signup","occurredAt":"${NOW}","properties":{"constructor":{"prototype":{"isAdmin":true}}}}` },
    expect: { status: 400, field: 'properties.constructor.prototype', message: /"constructor" holding "prototype"/ },
  },
  {
    id: 'api-proto-escaped', surface: 'api', title: '"__proto__" spelled with a JSON escape (\\u005f_proto__)',
    input: { method: 'PUT', url: '/v1/customers/c-proto3', raw: '{"email":"eve@example.com","attributes":{"\\u005f_proto__":{"isAdmin":true}}}' },
    expect: { status: 400, field: 'attributes.__proto__', message: /is a reserved key \("__proto__"\)/ },
  },
  // --- ambiguous JSON
  {
    id: 'api-duplicate-key', surface: 'api', title: 'the email key given twice (parsers disagree on which wins)',
    input: { method: 'PUT', url: '/v1/customers/c-dup', raw: '{"email":"eve@example.com","locale":"en","email":"mallory@example.com"}' },
    expect: { status: 400, field: 'email', message: /appears twice in the same object: send each key once/ },
  },
  {
    id: 'api-duplicate-key-in-batch', surface: 'api', title: 'a property given twice inside the second event of a batch',
    input: { method: 'POST', url: '/v1/events', raw: `{"events":[{"id":"d-1","customerId":"known","name":"signup","occurredAt":"${NOW}"},{"id":"d-2","customerId":"known","name":"signup","occurredAt":"${NOW}","properties":{"plan":"pro","plan":"free"}}]}` },
    expect: { status: 400, field: 'events.1.properties.plan', message: /appears twice/ },
  },
  {
    id: 'api-json-syntax-error', surface: 'api', title: 'a trailing comma in the body',
    input: { method: 'PUT', url: '/v1/customers/c-comma', raw: '{"email":"eve@example.com",}' },
    expect: { status: 400, field: 'body', message: /is not valid JSON: .*position/ },
  },
  // --- null, empty and wrongly typed bodies
  {
    id: 'api-null-body', surface: 'api', title: 'JSON null as the customer body',
    input: { method: 'PUT', url: '/v1/customers/c-null', raw: 'null' },
    expect: { status: 400, field: 'body', message: /must be a JSON object \(got null\)/ },
  },
  {
    id: 'api-no-body', surface: 'api', title: 'no body and no content type',
    input: { method: 'PUT', url: '/v1/customers/c-nobody' },
    expect: { status: 400, field: 'body', message: /JSON object sent with content-type: application\/json \(got nothing\)/ },
  },
  {
    id: 'api-empty-json-body', surface: 'api', title: 'empty body declared as JSON',
    input: { method: 'POST', url: '/v1/events', raw: '' },
    expect: { status: 400, field: 'body', message: /is empty/ },
  },
  {
    id: 'api-text-plain-body', surface: 'api', title: 'a JSON event sent as text/plain',
    input: { method: 'POST', url: '/v1/events', raw: JSON.stringify(event({ id: 'e-text' })), headers: { 'content-type': 'text/plain' } },
    expect: { status: 415, message: /application\/json/ },
  },
  {
    id: 'api-xml-body', surface: 'api', title: 'XML content type',
    input: { method: 'POST', url: '/v1/events', raw: '<event id="e-xml"/>', headers: { 'content-type': 'application/xml' } },
    expect: { status: 415, message: /application\/json/ },
  },
  {
    id: 'api-array-body', surface: 'api', title: 'a bare array instead of { events: [...] }',
    input: { method: 'POST', url: '/v1/events', json: [event({ id: 'e-array' })] },
    expect: { status: 400, field: 'body', message: /must be a JSON object \(got an array\)/ },
  },
  {
    id: 'api-attributes-null', surface: 'api', title: 'null where attributes (an object) is expected',
    input: { method: 'PUT', url: '/v1/customers/c-attr-null', json: { email: 'eve@example.com', attributes: null } },
    expect: { status: 400, field: 'attributes', message: /object/ },
  },
  {
    id: 'api-consent-null', surface: 'api', title: 'null where consent (an object) is expected',
    input: { method: 'PUT', url: '/v1/customers/c-consent-null', json: { email: 'eve@example.com', consent: null } },
    expect: { status: 400, field: 'consent', message: /object/ },
  },
  // --- numbers and strings in each other's place
  {
    id: 'api-occurred-at-epoch-number', surface: 'api', title: 'occurredAt as epoch milliseconds (a number)',
    input: { method: 'POST', url: '/v1/events', json: event({ occurredAt: Date.parse(NOW) }) },
    expect: { status: 400, field: 'occurredAt', message: /string/ },
  },
  {
    id: 'api-occurred-at-number-as-string', surface: 'api', title: 'occurredAt as epoch milliseconds in a string',
    input: { method: 'POST', url: '/v1/events', json: event({ occurredAt: String(Date.parse(NOW)) }) },
    expect: { status: 400, field: 'occurredAt', message: /ISO-8601 date-time with a zone/ },
  },
  {
    id: 'api-event-id-number', surface: 'api', title: 'event id as a number',
    input: { method: 'POST', url: '/v1/events', json: event({ id: 12345 }) },
    expect: { status: 400, field: 'id', message: /string/ },
  },
  // --- numbers that do not fit a double (JSON.parse makes them Infinity; stored, they became null)
  {
    id: 'api-attribute-1e999', surface: 'api', title: 'attribute 1e999 (overflows a double)',
    input: { method: 'PUT', url: '/v1/customers/c-inf', raw: '{"email":"eve@example.com","attributes":{"score":1e999}}' },
    expect: { status: 400, field: 'attributes.score', message: /too large for a 64-bit number/ },
  },
  {
    id: 'api-property-minus-1e999', surface: 'api', title: 'event property -1e999',
    input: { method: 'POST', url: '/v1/events', raw: `{"id":"e-ninf","customerId":"known","name":"signup","occurredAt":"${NOW}","properties":{"amount":-1e999}}` },
    expect: { status: 400, field: 'properties.amount', message: /too large for a 64-bit number/ },
  },
  {
    id: 'api-property-400-digits', surface: 'api', title: 'event property of 400 digits (beyond the largest double)',
    input: { method: 'POST', url: '/v1/events', raw: () => `{"id":"e-digits","customerId":"known","name":"signup","occurredAt":"${NOW}","properties":{"big":${'9'.repeat(400)}}}` },
    expect: { status: 400, field: 'properties.big', message: /too large for a 64-bit number/ },
  },
  {
    id: 'api-batch-1e400-in-list', surface: 'api', title: '1E400 inside a list in the second event of a batch',
    input: { method: 'POST', url: '/v1/events', raw: `{"events":[{"id":"n-1","customerId":"known","name":"signup","occurredAt":"${NOW}"},{"id":"n-2","customerId":"known","name":"signup","occurredAt":"${NOW}","properties":{"list":[1,2,1E400]}}]}` },
    expect: { status: 400, field: 'events.1.properties.list.2', message: /too large for a 64-bit number/ },
  },
  // --- dates far away or impossible
  {
    id: 'api-occurred-at-extended-year', surface: 'api', title: 'occurredAt in year +275760 (extended ISO year)',
    input: { method: 'POST', url: '/v1/events', json: event({ occurredAt: '+275760-09-13T00:00:00Z' }) },
    expect: { status: 400, field: 'occurredAt', message: /ISO-8601 date-time/ },
  },
  {
    id: 'api-occurred-at-year-one', surface: 'api', title: 'occurredAt in year 1',
    input: { method: 'POST', url: '/v1/events', json: event({ occurredAt: '0001-01-01T00:00:00Z' }) },
    expect: { status: 400, field: 'occurredAt', message: /before 2000-01-01/ },
  },
  {
    id: 'api-occurred-at-february-30', surface: 'api', title: 'occurredAt on February 30',
    input: { method: 'POST', url: '/v1/events', json: event({ occurredAt: '2026-02-30T10:00:00Z' }) },
    expect: { status: 400, field: 'occurredAt', message: /ISO-8601 date-time/ },
  },
  {
    id: 'api-occurred-at-no-zone', surface: 'api', title: 'occurredAt without a zone',
    input: { method: 'POST', url: '/v1/events', json: event({ occurredAt: '2026-02-03T10:00:00' }) },
    expect: { status: 400, field: 'occurredAt', message: /with a zone/ },
  },
  // --- time zones
  {
    id: 'api-time-zone-path-traversal', surface: 'api', title: 'time zone "../../etc/passwd"',
    input: { method: 'PUT', url: '/v1/customers/c-tz', json: { email: 'eve@example.com', timeZone: '../../etc/passwd' } },
    expect: { status: 400, field: 'timeZone', message: /unknown IANA time zone "\.\.\/\.\.\/etc\/passwd"/ },
  },
  {
    id: 'api-time-zone-with-space', surface: 'api', title: 'time zone "America/New York" (space)',
    input: { method: 'PUT', url: '/v1/customers/c-tz2', json: { email: 'eve@example.com', timeZone: 'America/New York' } },
    expect: { status: 400, field: 'timeZone', message: /unknown IANA time zone/ },
  },
  // --- extremely long strings and huge payloads
  {
    id: 'api-name-100k-chars', surface: 'api', title: 'givenName of 100,000 characters',
    input: { method: 'PUT', url: '/v1/customers/c-long', json: () => ({ email: 'eve@example.com', givenName: 'x'.repeat(100_000) }) },
    expect: { status: 400, field: 'givenName', message: /more than 200 characters/ },
  },
  {
    id: 'api-event-id-10k-chars', surface: 'api', title: 'event id of 10,000 characters',
    input: { method: 'POST', url: '/v1/events', json: () => event({ id: 'k'.repeat(10_000) }) },
    expect: { status: 400, field: 'id', message: /more than 200 characters/ },
  },
  {
    id: 'api-customer-id-5k-chars', surface: 'api', title: 'customer id of 5,000 characters in the URL',
    input: { method: 'PUT', url: `/v1/customers/${'x'.repeat(5_000)}`, json: { email: 'eve@example.com' } },
    expect: { status: 400, field: 'id', message: /more than 200 characters/ },
  },
  {
    id: 'api-customer-id-10k-chars', surface: 'api', title: 'customer id of 10,000 characters in the URL (past the router\'s parameter limit)',
    input: { method: 'PUT', url: `/v1/customers/${'x'.repeat(10_000)}`, json: { email: 'eve@example.com' } },
    expect: { status: 400, field: 'id', message: /more than 200 characters \(has 10000\)/ },
  },
  {
    id: 'api-enrollments-id-10k-chars', surface: 'api', title: 'id of 10,000 characters in an enrollments lookup',
    input: { method: 'GET', url: `/v1/customers/${'y'.repeat(10_000)}/enrollments` },
    expect: { status: 400, field: 'id', message: /more than 200 characters \(has 10000\)/ },
  },
  {
    id: 'api-erase-id-10k-chars', surface: 'api', title: 'id of 10,000 characters in an erasure',
    input: { method: 'DELETE', url: `/v1/customers/${'z'.repeat(10_000)}` },
    expect: { status: 400, field: 'id', message: /more than 200 characters \(has 10000\)/ },
  },
  {
    id: 'api-api-key-10k-chars', surface: 'api', title: 'Authorization header with a 10,000-character key',
    input: { method: 'POST', url: '/v1/events', json: event({ id: 'e-key' }), noAuth: true, headers: { authorization: `Bearer oak_${'k'.repeat(10_000)}` } },
    expect: { status: 401, message: /invalid or revoked API key/ },
  },
  {
    id: 'api-body-2mib', surface: 'api', title: '2 MiB customer body (limit 1 MiB)',
    input: { method: 'PUT', url: '/v1/customers/c-huge', json: () => ({ email: 'eve@example.com', attributes: { notes: 'n'.repeat(2 * 1024 * 1024) } }) },
    expect: { status: 413, message: /larger than 1048576 bytes/ },
  },
  {
    id: 'api-properties-201-keys', surface: 'api', title: 'event properties with 201 keys',
    input: { method: 'POST', url: '/v1/events', json: () => event({ properties: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`p${i}`, i])) }) },
    expect: { status: 400, field: 'properties', message: /more than 200 properties/ },
  },
  // --- deeply nested JSON
  {
    id: 'api-attributes-50-levels', surface: 'api', title: 'attributes nested 50 levels deep',
    input: { method: 'PUT', url: '/v1/customers/c-deep', raw: `{"email":"eve@example.com","attributes":${nested(50, '1')}}` },
    expect: { status: 400, field: 'attributes', message: /deeper than 8 levels/ },
  },
  {
    id: 'api-body-200k-nested-arrays', surface: 'api', title: 'body of 200,000 nested arrays',
    input: { method: 'POST', url: '/v1/events', raw: () => '['.repeat(200_000) + ']'.repeat(200_000) },
    expect: { status: 400, field: 'body', message: /must be a JSON object \(got an array\)/ },
  },
  // --- batches
  {
    id: 'api-batch-501-items', surface: 'api', title: 'batch of 501 events',
    input: { method: 'POST', url: '/v1/events', json: () => ({ events: Array.from({ length: 501 }, (_, i) => event({ id: `b-${i}` })) }) },
    expect: { status: 400, field: 'events', message: /has 501 items; send at most 500/ },
  },
  {
    id: 'api-batch-mixed', surface: 'api', title: 'batch mixing null, a good event, a bad date and a script-tag name',
    input: {
      method: 'POST', url: '/v1/events',
      json: { events: [null, event({ id: 'mixed-good' }), event({ id: 'mixed-bad-date', occurredAt: 'soon' }), event({ id: 'mixed-bad-name', name: '<script>' })] },
    },
    expect: {
      status: 207, writes: { events: 1 },
      items: [
        { index: 0, status: 'rejected', field: 'events.0', message: /must be a JSON object \(got null\)/ },
        { index: 1, status: 'accepted' },
        { index: 2, status: 'rejected', field: 'events.2.occurredAt', message: /ISO-8601/ },
        { index: 3, status: 'rejected', field: 'events.3.name', message: /pattern/ },
      ],
    },
  },
  {
    id: 'api-batch-all-bad', surface: 'api', title: 'batch whose items are a string and a number',
    input: { method: 'POST', url: '/v1/events', json: { events: ['signup', 42] } },
    expect: {
      status: 400,
      items: [
        { index: 0, status: 'rejected', field: 'events.0', message: /must be a JSON object \(got text\)/ },
        { index: 1, status: 'rejected', field: 'events.1', message: /must be a JSON object \(got a number\)/ },
      ],
    },
  },
  {
    id: 'api-batch-extra-key', surface: 'api', title: 'batch with an extra top-level key',
    input: { method: 'POST', url: '/v1/events', json: { events: [event({ id: 'extra-1' })], apiKey: 'oak_smuggled' } },
    expect: { status: 400, field: 'apiKey', message: /unknown field/ },
  },
];
