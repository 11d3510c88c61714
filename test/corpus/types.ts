// The bad-input corpus: hostile and malformed input for every surface of the engine, each case with
// the exact answer it must get. Cases are data (cases/*.ts); one runner per surface turns them into
// tests (*.test.ts) and docs/bad-input.md lists them (see doc.ts).
import type { TemplateErrorCode } from '../../activities/render';

export type Surface = 'api' | 'sequence' | 'template' | 'catalog' | 'cli';

interface Base {
  /** Unique across the corpus; also the test name. */
  id: string;
  /** What is hostile about the input, in a few words (shown in docs/bad-input.md). */
  title: string;
}

// ---------------------------------------------------------------------------------------------------
// HTTP API: one request against a running stack.

export interface ApiCase extends Base {
  surface: 'api';
  /** Runs on one database only (the runner runs every other case on SQLite and on PostgreSQL). */
  only?: 'sqlite' | 'postgresql';
  input: {
    method: 'PUT' | 'POST' | 'GET' | 'DELETE';
    url: string;
    /** A JSON body (serialized with content-type application/json), or a function building one. */
    json?: unknown | (() => unknown);
    /** A raw body sent as is: text or bytes (for invalid UTF-8), or a function building it. */
    raw?: string | Buffer | (() => string | Buffer);
    /** Extra or replacing headers; content-type defaults to application/json for raw bodies. */
    headers?: Record<string, string>;
    /** Send without the Authorization header's all-scopes key (the header may then come from `headers`). */
    noAuth?: boolean;
  };
  expect: {
    status: number;
    /** The field named in `errors[]`; absent when the answer is `{ error }` only. */
    field?: string;
    /** Matches the message of that field, or the top-level `error`/`message`; batches check `items` instead. */
    message?: RegExp;
    /** Rows the request may add (batches that store their good items); everything else stays unchanged. */
    writes?: { events?: number; customers?: number };
    /** For batches: the outcome of each item. */
    items?: Array<{ index: number; status: 'accepted' | 'duplicate' | 'rejected'; field?: string; message?: RegExp }>;
  };
}

// ---------------------------------------------------------------------------------------------------
// Sequence files, through the parser (lintSequence/parseSequence).

export interface SequenceCase extends Base {
  surface: 'sequence';
  /** Inline YAML, or a file under fixtures/sequences/ (for raw bytes). */
  input: { text: string; file?: never; templates?: boolean } | { file: string; text?: never; templates?: boolean };
  expect: {
    /** 1-based line the problem points at. */
    line: number;
    /** The field as formatProblem prints it (`template`, `trigger.where.field`, ...). */
    field?: string;
    message: RegExp;
  };
}

// ---------------------------------------------------------------------------------------------------
// Templates and catalogs: a folder under fixtures/templates/ (lint), and a render.

export interface RenderOverrides {
  /** Another template name than the folder (path traversal, `_shared`). */
  template?: string;
  locale?: string;
  customer?: Record<string, unknown> | null;
  links?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

export interface TemplateCase extends Base {
  surface: 'template' | 'catalog';
  input: {
    /** The template folder under fixtures/templates/ (the `clean` one for hostile data). */
    folder: string;
    /** Changes to the folder's sample input for the render. */
    render?: RenderOverrides;
  };
  expect: {
    /** A problem `template lint` must report for this folder (none for render-only cases). */
    lint?: { code: string; locale: string; message: RegExp };
    /** The render of the sample input (default locale unless overridden). */
    render:
      | { error: TemplateErrorCode; message: RegExp }
      /** Rendered, with the hostile value made harmless: each check must hold. */
      | { safe: Array<{ part: 'subject' | 'html' | 'text'; includes?: string; excludes?: string | RegExp }> }
      /** Rendered (lint-only problem: the email falls back to something correct). */
      | { ok: true };
  };
}

// ---------------------------------------------------------------------------------------------------
// The `outreach` command line: main(argv) in-process, or `node bin/outreach.js` for a few.

export interface CliCase extends Base {
  surface: 'cli';
  input: {
    /** `$FIX` is replaced by the corpus fixtures folder, `$TMP` by a fresh temporary folder, `$REPO` by the repository. */
    argv: string[];
    /** Run as a real process (node bin/outreach.js) instead of calling main(). */
    spawn?: boolean;
  };
  expect: {
    exitCode: number;
    /** Matches stderr (what the user reads first). */
    stderr?: RegExp;
    /** Matches stdout (lint problems are printed there). */
    stdout?: RegExp;
  };
}

export type CorpusCase = ApiCase | SequenceCase | TemplateCase | CliCase;
