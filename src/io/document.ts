/**
 * One reader for every file a user hands ncsim (cases, nets, hardware models, runs, activity
 * records, robustness studies, labels and event files): the same checks and the same messages
 * for all of them.
 *
 * - Only regular files are read: a folder, a FIFO, a socket or a device (`/dev/zero`) is
 *   refused after `fstat`, before any byte is read. The file is opened non-blocking so that
 *   opening a FIFO with no writer cannot hang.
 * - At most `maxBytes` are read (default DEFAULT_MAX_BYTES); a larger file is refused with its
 *   size, and a file that grows while read is cut at the cap and refused, never read on.
 * - Text: a UTF-8 byte-order mark is skipped; JSON syntax errors give line and column.
 * - The document's identity is checked one way: `"format"`/`"schema"` equal to a versioned name
 *   (`ncsim.case/1`), or `"kind"` plus a `"schemaVersion"` from a list (`ncsim.train`, 1).
 *
 * Every refusal is an InputError (exit status 2) naming the path and what was expected.
 */
import { platform } from '../platform.js';
import { InputError } from './errors.js';
import { lineColumn, locateJsonError } from './json-syntax.js';

const UTF8 = new TextDecoder('utf-8');

/** Largest file read by default (64 MiB): JSON.parse of that much text needs several times more heap. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** How a document names itself: `"format": "ncsim.case/1"`, or `"kind": "ncsim.train", "schemaVersion": 1`. */
export type DocumentSchema =
  | { field: 'format' | 'schema'; value: string }
  | { field: 'kind'; value: string; versions: readonly number[]; writtenBy?: string };

export interface DocumentOptions {
  /** First words of every message about the file as a whole: "case file", "net file", "run file", ... */
  kind: string;
  /** What a good file is, for messages: "a case file (ncsim.case/1)". */
  what?: string;
  /** Refuse files larger than this many bytes. */
  maxBytes?: number;
  /** Check the parsed document's identity (JSON documents only). */
  schema?: DocumentSchema;
  /** First words of messages about a field of the document: "case field" (default `${kind} field`). */
  fieldKind?: string;
}

/** The bytes of a regular file of at most `maxBytes` bytes; anything else is an InputError naming the path. */
export function readDocumentBytes(path: string, options: DocumentOptions): Uint8Array {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const refuse = (note: string): never => {
    throw new InputError(path, options.what ?? 'a readable file', undefined, { kind: options.kind, showGot: false, note });
  };
  if (typeof path !== 'string' || path === '') refuse('no file name given');
  // The platform reads (Node: src/node/files.ts; a browser: the files bundled with the page).
  return platform().readFile(path, max, refuse);
}

/** The text of a regular file (UTF-8, byte-order mark skipped). */
export function readDocumentText(path: string, options: DocumentOptions): string {
  const text = UTF8.decode(readDocumentBytes(path, options));
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Read, parse and identify a JSON document; syntax errors name line and column. */
export function readJsonDocument(path: string, options: DocumentOptions): unknown {
  const text = readDocumentText(path, options);
  const json = parseJsonText(text, path, options.kind);
  if (options.schema) checkDocumentSchema(json, options.schema, options.fieldKind ?? `${options.kind} field`);
  return json;
}

/** JSON.parse with errors as InputError: `case file "x.json": expected valid JSON (line 3, column 7: ...)`. */
export function parseJsonText(text: string, path: string, kind: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    let note: string;
    try {
      const where = locateJsonError(text);
      note = where ? `${lineColumn(text, where.offset)}: ${where.reason}` : (err as Error).message;
    } catch {
      note = (err as Error).message; // nesting too deep for the scanner
    }
    throw new InputError(path, 'valid JSON', undefined, { kind, showGot: false, note });
  }
}

/** Check a document's identity; errors name the field (`format`, `schema`, `kind`, `schemaVersion`). */
export function checkDocumentSchema(json: unknown, schema: DocumentSchema, fieldKind: string): void {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new InputError(field, expected, got, { kind: fieldKind });
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail('(the file)', `a JSON object (${schema.field === 'kind' ? `"kind": "${schema.value}"` : `"${schema.field}": "${schema.value}"`})`, json);
  }
  const o = json as Record<string, unknown>;
  if (schema.field !== 'kind') {
    if (o[schema.field] !== schema.value) fail(schema.field, JSON.stringify(schema.value), o[schema.field]);
    return;
  }
  const by = schema.writtenBy ? ` (written by ${schema.writtenBy})` : '';
  if (o.kind !== schema.value) fail('kind', `"${schema.value}"${by}`, o.kind);
  if (!schema.versions.includes(o.schemaVersion as number)) {
    const vs = schema.versions.join(', ');
    fail('schemaVersion', `${schema.versions.length === 1 ? vs : `one of ${vs}`} (the ${schema.versions.length === 1 ? 'only version' : 'versions'} this ncsim reads)`, o.schemaVersion);
  }
}
