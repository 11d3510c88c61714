// The API's JSON body parser. Stricter than JSON.parse in these ways, each answered with the field
// that is wrong: a key given twice in one object (JSON.parse keeps the last silently, other parsers
// the first, so two systems could read one request differently); the reserved keys that
// prototype-pollution attacks use ("__proto__", or "constructor" holding "prototype"), which are
// refused whatever their escaping; strings or keys holding a lone surrogate (a \uD800-\uDFFF
// escape without its pair), which is no character at all and would be stored as garbage; and numbers
// too large for a double (1e999), which JSON.parse makes Infinity and JSON stores as null. Iterative
// throughout: deeply nested input cannot exhaust the stack.
import { FieldErrors } from './schemas';
import { LONE_SURROGATE, LONE_SURROGATE_MESSAGE } from './validation';

type Frame = { kind: 'object'; path: string; keys: Set<string>; key?: string; expectKey: boolean } | { kind: 'array'; path: string; index: number };

const join = (path: string, part: string | number) => (path ? `${path}.${part}` : String(part));

/** Parses a request body; throws FieldErrors naming the field for anything it refuses. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new FieldErrors([{ field: 'body', message: 'is empty: send a JSON object' }]);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FieldErrors([{ field: 'body', message: `is not valid JSON: ${(err as Error).message}` }]);
  }
  const problem = checkKeys(text);
  if (problem) throw new FieldErrors([problem]);
  return value;
}

/** A key as it can be shown in a field path: a lone surrogate shown as U+FFFD. */
const shown = (key: string) => key.replace(/[\uD800-\uDFFF]/gu, '\uFFFD');

/**
 * Walks text that JSON.parse accepted and reports the first duplicate or reserved key, or string
 * holding a lone surrogate. Decoded UTF-8 never holds a surrogate, so only an escape can make one:
 * strings are decoded for that check only when the body has such an escape at all.
 */
function checkKeys(text: string): { field: string; message: string } | undefined {
  const surrogateEscapes = /\\u[dD][89a-fA-F]/.test(text);
  const stack: Frame[] = [];
  const top = () => stack[stack.length - 1];
  /** The path of the value that starts here (inside the current container). */
  const valuePath = () => {
    const f = top();
    if (!f) return '';
    return f.kind === 'object' ? join(f.path, shown(f.key ?? '')) : join(f.path, f.index);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const f = top();
      if (f?.kind === 'object' && f.expectKey) {
        // Decoded, so an escaped "\u005f_proto__" is seen for what it is.
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const field = join(f.path, shown(key));
        if (surrogateEscapes && LONE_SURROGATE.test(key)) return { field, message: `this key ${LONE_SURROGATE_MESSAGE}` };
        if (key === '__proto__') return { field, message: 'is a reserved key ("__proto__"): rename it' };
        if (key === 'prototype' && /(^|\.)constructor$/.test(f.path)) return { field, message: 'is a reserved key ("constructor" holding "prototype"): rename it' };
        if (f.keys.has(key)) return { field, message: 'appears twice in the same object: send each key once' };
        f.keys.add(key);
        f.key = key;
        f.expectKey = false;
      } else if (surrogateEscapes && /\\u[dD][89a-fA-F]/.test(text.slice(i, j + 1)) && LONE_SURROGATE.test(JSON.parse(text.slice(i, j + 1)) as string)) {
        return { field: valuePath() || 'body', message: LONE_SURROGATE_MESSAGE };
      }
      i = j;
    } else if (c === '-' || (c! >= '0' && c! <= '9')) {
      // JSON.parse reads 1e999 (or 400 digits) as Infinity, which JSON stores as null: refused here,
      // where the path is known. Numbers that fit are read as doubles (rounded; see docs/bad-input.md).
      let j = i + 1;
      while (j < text.length && /[0-9eE+.-]/.test(text[j]!)) j++;
      if (!Number.isFinite(Number(text.slice(i, j)))) {
        const shownNumber = j - i > 24 ? `${text.slice(i, i + 20)}... (${j - i} characters)` : text.slice(i, j);
        return { field: valuePath() || 'body', message: `is too large for a 64-bit number (${shownNumber}): send at most ±1.7976931348623157e308, or send it as a string` };
      }
      i = j - 1;
    } else if (c === '{') {
      stack.push({ kind: 'object', path: valuePath(), keys: new Set(), expectKey: true });
    } else if (c === '[') {
      stack.push({ kind: 'array', path: valuePath(), index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const f = top();
      if (f?.kind === 'object') f.expectKey = true;
      else if (f) f.index += 1;
    }
  }
  return undefined;
}
