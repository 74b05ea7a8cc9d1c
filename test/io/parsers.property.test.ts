/**
 * Fuzzing every parser a user's input reaches: on arbitrary JSON values, on valid documents with
 * one part replaced or removed, and on arbitrary bytes read from a file, each parser either
 * returns a value or throws an InputError that names a field — never another exception.
 * (Hangs and runaway memory would time the test out; runs are kept modest to stay fast.)
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/io/errors.js';
import { readJsonDocument } from '../../src/io/document.js';
import { parseCase, readCaseFile } from '../../src/trace/case.js';
import { parseNet } from '../../src/net/file.js';
import { parseHwModel } from '../../src/cost/hwmodel.js';
import { parseActivity } from '../../src/cost/activity-io.js';
import { checkRun } from '../../src/cli/report-commands.js';
import { parseArgs } from '../../src/cli/options.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { workedActivity } from '../cost/fixtures.js';

const root = join(__dirname, '..', '..');
const json = (p: string): unknown => JSON.parse(readFileSync(join(root, p), 'utf8'));

/** Either a value or an InputError naming a field; anything else fails the property. */
function refusesCleanly(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (!(e instanceof InputError)) throw new Error(`not an InputError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    expect(e.field.length).toBeGreaterThan(0);
    expect(e.message).toMatch(/"[^"]+": /);
    return true;
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into a JSON value (arrays and objects), the root included. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.slice(0, 50).forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k], [...at, k], out);
  return out;
}

/** A copy of `doc` with the value at one path replaced by `value` (or removed when value is undefined). */
function mutate(doc: Json, pick: number, value: unknown): unknown {
  const copy = structuredClone(doc) as Json;
  const all = paths(copy);
  const path = all[pick % all.length];
  if (path.length === 0) return value;
  let parent: Json = copy;
  for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k];
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete (parent as Record<string, Json>)[last as string];
  } else {
    (parent as Record<string | number, unknown>)[last] = value;
  }
  return copy;
}

/** Values a hostile editor puts in a field: wrong types, huge, tiny and non-f32 numbers, nesting. */
const hostileValue = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(1e300, -1e300, 1e-300, -0, 0, -1, 1e9, 2 ** 31, 2 ** 53, 0.5, 1.5, NaN, Infinity, '', 'x', '__proto__', null, true, [], {}),
  fc.jsonValue({ maxDepth: 3 }),
  fc.double(),
  fc.integer({ min: -1e6, max: 1e6 }),
);

const DOCS: { name: string; doc: Json; parse: (v: unknown) => unknown }[] = [
  { name: 'case', doc: json('test/golden/spec-example.case.json') as Json, parse: (v) => parseCase(v) },
  { name: 'case (bptt)', doc: json('test/golden/bptt-lif-subtract-delay.case.json') as Json, parse: (v) => parseCase(v) },
  { name: 'net (cnn)', doc: json('nets/cnn-mnist.json') as Json, parse: (v) => parseNet(v) },
  { name: 'net (mlp)', doc: json('nets/mlp.json') as Json, parse: (v) => parseNet(v) },
  { name: 'hardware model', doc: json('hw-models/loihi.json') as Json, parse: (v) => parseHwModel(v) },
  { name: 'activity', doc: JSON.parse(JSON.stringify(workedActivity())) as Json, parse: (v) => parseActivity(v) },
  {
    name: 'run',
    doc: { kind: 'ncsim.train', schemaVersion: 1, options: {}, teacher: { testAccuracy: 0.9, sizes: [784, 10] }, snn: { initialTestAccuracy: 0.1, testAccuracy: 0.8, epochs: [{ epoch: 1, testAccuracy: 0.8, layers: [{ name: 'out', updates: 1, denseUpdates: 2 }] }] }, learning: { layers: [] } },
    parse: (v) => checkRun(v, 'run.json'),
  },
];

describe('parsers on hostile documents', () => {
  for (const d of DOCS) {
    it(`${d.name}: the valid document parses`, () => {
      expect(() => d.parse(d.doc)).not.toThrow();
    });
    it(`${d.name}: arbitrary JSON values give a value or an InputError naming a field`, () => {
      fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        refusesCleanly(() => d.parse(v));
      }), { numRuns: 150 });
    });
    it(`${d.name}: one part replaced or removed gives a value or an InputError naming a field`, () => {
      let refused = 0;
      fc.assert(fc.property(fc.nat(), hostileValue, (pick, value) => {
        if (refusesCleanly(() => d.parse(mutate(d.doc, pick, value)))) refused++;
      }), { numRuns: 400 });
      expect(refused).toBeGreaterThan(100); // the mutations do reach the validators

    });
  }
});

describe('the document reader on hostile bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ncsim-fuzz-'));
  it('arbitrary bytes or text: parsed JSON, or an InputError naming the file', () => {
    let k = 0;
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
      fc.jsonValue({ maxDepth: 3 }).chain((v) => fc.nat(60).map((cut) => new TextEncoder().encode(('\ufeff' + JSON.stringify(v)).slice(0, cut)))),
    );
    fc.assert(fc.property(bytes, (b) => {
      const f = join(dir, `f${k++}.json`);
      writeFileSync(f, b);
      refusesCleanly(() => readJsonDocument(f, { kind: 'case file', maxBytes: 100 }));
      refusesCleanly(() => readCaseFile(f));
    }), { numRuns: 200 });
  });
});

describe('the option table on hostile command lines', () => {
  const token = fc.oneof(
    fc.constantFrom('--steps', '--hidden', '--lr', '--out', '-o', '--no-json', '--', '-', '--=', '---x', '--steps=', '--hidden=1,,2', '1e309', '-1', 'NaN', '0x10', '1e-320', '--help'),
    ...COMMANDS.flatMap((c) => c.options.map((o) => `--${o.name}`)).map((s) => fc.constant(s)),
    fc.string({ maxLength: 12 }),
    fc.double().map(String),
    fc.integer().map(String),
  );
  for (const cmd of COMMANDS) {
    it(`${cmd.name}: arbitrary arguments parse or give an InputError naming the option`, () => {
      fc.assert(fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
        refusesCleanly(() => parseArgs(cmd, argv));
      }), { numRuns: 200 });
    });
  }
});
