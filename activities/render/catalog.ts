// Message catalogs: `locales/<locale>.yaml` (or .yml / .json) next to a template, and the shared ones in
// `_shared/locales/`. Nested maps are namespaces ("footer: { unsubscribe: … }" is the key
// "footer.unsubscribe"); every leaf must be a string.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { canonicalLocale } from './locale';

export interface Catalog {
  locale: string;
  file: string;
  /** Flattened keys in file order. */
  entries: Map<string, string>;
}

export interface CatalogProblem {
  locale: string;
  file: string;
  problem: string;
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];
const KEY_SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Names of object internals: never catalog keys, whatever the file says. */
const RESERVED_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** Reads every catalog in `dir`. Unreadable or malformed files become problems, never exceptions. */
export function readCatalogs(dir: string): { catalogs: Map<string, Catalog>; problems: CatalogProblem[] } {
  const catalogs = new Map<string, Catalog>();
  const problems: CatalogProblem[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return { catalogs, problems };
  }
  for (const name of names) {
    const ext = path.extname(name).toLowerCase();
    if (!EXTENSIONS.includes(ext)) continue;
    const file = path.join(dir, name);
    const stem = name.slice(0, -ext.length);
    const locale = canonicalLocale(stem);
    if (!locale || locale !== stem) {
      problems.push({ locale: stem, file, problem: `catalog file name '${name}' is not a canonical locale tag${locale ? ` (use '${locale}${ext}')` : ''}` });
      continue;
    }
    if (catalogs.has(locale)) {
      problems.push({ locale, file, problem: `two catalogs for the same locale (${path.basename(catalogs.get(locale)!.file)} and ${name})` });
      continue;
    }
    let raw: unknown;
    try {
      const text = fs.readFileSync(file, 'utf8');
      const garbled = text.indexOf('\uFFFD');
      if (garbled >= 0) {
        // Bytes that are not UTF-8 decode to U+FFFD: the email would show "�" where a letter was meant.
        const line = text.slice(0, garbled).split('\n').length;
        problems.push({ locale, file, problem: `${name} is not valid UTF-8 (line ${line}): save it as UTF-8` });
        continue;
      }
      raw = ext === '.json' ? JSON.parse(text) : YAML.parse(text, { uniqueKeys: true });
    } catch (err) {
      // YAML's first line ends in ":" before a code excerpt that is left out here.
      problems.push({ locale, file, problem: `cannot parse ${name}: ${(err as Error).message.split('\n')[0].replace(/:\s*$/, '')}` });
      continue;
    }
    const entries = new Map<string, string>();
    if (raw !== null && raw !== undefined) {
      if (typeof raw !== 'object' || Array.isArray(raw)) {
        problems.push({ locale, file, problem: `${name} must hold a map of keys to strings` });
        continue;
      }
      flatten(raw as Record<string, unknown>, '', entries, (problem) => problems.push({ locale, file, problem: `${name}: ${problem}` }));
    }
    catalogs.set(locale, { locale, file, entries });
  }
  return { catalogs, problems };
}

function flatten(obj: Record<string, unknown>, prefix: string, out: Map<string, string>, problem: (p: string) => void): void {
  for (const [segment, value] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${segment}` : segment;
    if (RESERVED_SEGMENTS.has(segment)) {
      problem(`invalid key '${key}' ('${segment}' is reserved: rename the key)`);
      continue;
    }
    if (!KEY_SEGMENT.test(segment)) {
      // The usual cause: a YAML value starting with "{" that was not quoted, which YAML reads as a map.
      problem(`invalid key '${key}' (keys use letters, digits, '_' and '-'; quote ICU messages that start with '{')`);
      continue;
    }
    if (typeof value === 'string') out.set(key, value);
    else if (value && typeof value === 'object' && !Array.isArray(value)) flatten(value as Record<string, unknown>, key, out, problem);
    else problem(`key '${key}' must be a string (got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value})`);
  }
}
