// docs/schemas/ncsim.run.schema.json and the readers of a run (checkRun for `ncsim report` and
// `ncsim compare`, parseActivity for `ncsim cost`) describe the same document: a run the
// library writes is valid; the schema lists every field the writer writes; a key the schema
// requires is one a reader refuses to go without, an optional one is not; the options' bounds
// and choices are the option table's.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { train } from '../../src/train/api.js';
import { checkRun } from '../../src/cli/report-commands.js';
import { parseActivity } from '../../src/cost/activity-io.js';
import { TRAIN } from '../../src/cli/commands.js';
import { TRAIN_DEFAULTS } from '../../src/train/train.js';
import { InputError } from '../../src/io/errors.js';
import { objectPlaces, getAt, pathText, resolve } from './walk.js';

const schema = JSON.parse(readFileSync(new URL('../../docs/schemas/ncsim.run.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
const refuses = (f: () => unknown) => {
  try {
    f();
    return false;
  } catch (e) {
    if (e instanceof InputError) return true;
    throw e;
  }
};
// Some reader refuses it: `ncsim report` (checkRun) or `ncsim cost` (parseActivity).
const someReaderRefuses = (doc: unknown) => refuses(() => checkRun(doc, 'run.json')) || refuses(() => parseActivity(doc, 'run.json'));
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

let run: any;
let conv: any;
beforeAll(() => {
  const small = { samples: 200, testSamples: 50, epochs: 1, teacherEpochs: 1, teacherWorker: false };
  run = JSON.parse(JSON.stringify(train({ ...small, hidden: [8] })));
  conv = JSON.parse(JSON.stringify(train({ ...small, net: new URL('../../nets/cnn-mnist-s2.json', import.meta.url).pathname, samples: 100, epochs: 0 })));
});

describe('the run report schema', () => {
  it('a run the library writes (MLP and CNN) is valid, and the readers accept it', () => {
    for (const r of [run, conv]) {
      expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
      expect(someReaderRefuses(r)).toBe(false);
    }
  });

  it('lists every field the writer writes, at every level it describes', () => {
    for (const r of [run, conv]) {
      for (const { path, schema: s } of objectPlaces(schema, r)) {
        const at = getAt(r, path);
        for (const k of Object.keys(at)) expect(Object.keys(s.properties), `${pathText(path) || '(root)'}.${k}`).toContain(k);
      }
    }
    // robustness: written by a robustness study into a run, not by train().
    expect(
      Object.keys(schema.properties)
        .filter((k) => k !== 'robustness')
        .sort(),
    ).toEqual(Object.keys(run).sort());
  });

  it('a required key is one a reader refuses to go without; an optional one no reader needs', () => {
    for (const r of [run, conv]) {
      const places = objectPlaces(schema, r);
      expect(places.length).toBeGreaterThan(15);
      for (const { path, schema: s } of places) {
        for (const k of Object.keys(s.properties)) {
          if (!(k in getAt(r, path))) continue;
          const doc = structuredClone(r);
          delete getAt(doc, path)[k];
          const required = (s.required ?? []).includes(k);
          expect([validate(doc), someReaderRefuses(doc)], `${pathText(path) || '(root)'} without ${k}`).toEqual(required ? [false, true] : [true, false]);
        }
        // Readers ignore unknown keys (forward compatibility), and so does the schema.
        const doc = structuredClone(r);
        getAt(doc, path).someFutureField = 1;
        expect([validate(doc), someReaderRefuses(doc)], `${pathText(path)} + someFutureField`).toEqual([true, false]);
      }
    }
  });

  it('a wrong kind, version or counter name is refused by both', () => {
    for (const patch of [{ kind: 'ncsim.other' }, { schemaVersion: 2 }]) expect([validate({ ...run, ...patch }), someReaderRefuses({ ...run, ...patch })]).toEqual([false, true]);
    const doc = structuredClone(run);
    doc.activity.phases.train.counters.h1['synapse.red'] = 3;
    expect(someReaderRefuses(doc)).toBe(true);
  });

  it("its options are the option table's: same names, choices and bounds", () => {
    const opts = resolve(schema, schema.properties.options).properties;
    const table = TRAIN.options.filter((o) => camel(o.name) in TRAIN_DEFAULTS || ['lr', 'update-at', 'net', 'teacher', 'dt', 'max-memory', 'preset'].includes(o.name));
    expect(Object.keys(opts).sort()).toEqual(table.map((o) => camel(o.name)).sort());
    for (const o of table) {
      const p = opts[camel(o.name)];
      if (o.type === 'enum') expect(p.enum, o.name).toEqual(o.choices);
      if (o.type === 'int' || o.type === 'number') {
        expect(p.type, o.name).toBe(o.type === 'int' ? 'integer' : 'number');
        expect([p.minimum, p.maximum], o.name).toEqual([o.min, o.max]);
      }
      if (o.type === 'list') expect([p.items.minimum, p.items.maximum], o.name).toEqual([o.min, o.max]);
    }
  });
});
