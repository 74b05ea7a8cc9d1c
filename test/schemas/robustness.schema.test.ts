// docs/schemas/ncsim.robustness.schema.json (a sweep over non-ideality levels) and its reader
// (`ncsim report --robustness`, readRobustnessCurves) describe the same document: a study the
// simulator writes is valid; the schema lists every field written; a key the schema requires is
// one the reader refuses to go without, an optional one is not; the varied kinds are VARIES.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { runRobustness, VARIES } from '../../src/robustness/robustness.js';
import { readRobustnessCurves } from '../../src/cli/report-commands.js';
import { TRAIN_DEFAULTS } from '../../src/train/train.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { InputError } from '../../src/io/errors.js';
import { objectPlaces, getAt, pathText } from './walk.js';

const dir = new URL('../../docs/schemas/', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('ncsim.robustness.schema.json', dir), 'utf8'));
const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addSchema(JSON.parse(readFileSync(new URL('ncsim.run.schema.json', dir), 'utf8')));
const validate = ajv.compile(schema);
const tmp = mkdtempSync(join(tmpdir(), 'ncsim-robustness-schema-'));
const readerRefuses = (doc: unknown) => {
  const f = join(tmp, 'study.json');
  writeFileSync(f, JSON.stringify(doc));
  try {
    readRobustnessCurves(f);
    return false;
  } catch (e) {
    if (e instanceof InputError) return true;
    throw e;
  }
};

let study: any;
beforeAll(() => {
  const trainOptions = { ...TRAIN_DEFAULTS, samples: 300, testSamples: 100, hidden: [16], epochs: 1, teacherEpochs: 1, teacherWorker: false };
  const r = runRobustness({
    trainOptions,
    model: loadModel('loihi'),
    studies: [
      { vary: 'mismatch', levels: [0, 0.3] },
      { vary: 'fixed-point', levels: [8] },
    ],
    calibrationEpochs: 1,
    seed: 3,
    trainOnChip: true,
    calibrationLr: 0.003,
  });
  study = JSON.parse(JSON.stringify(r));
});

describe('the robustness study schema', () => {
  it('a study the simulator writes is valid, and the reader accepts it', () => {
    expect(validate(study), JSON.stringify(validate.errors)).toBe(true);
    expect(readerRefuses(study)).toBe(false);
  });

  it('lists every field the writer writes', () => {
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(study).sort());
    for (const { path, schema: s } of objectPlaces(schema, study)) {
      for (const k of Object.keys(getAt(study, path))) expect(Object.keys(s.properties), `${pathText(path)}.${k}`).toContain(k);
    }
  });

  it('a required key is one the reader refuses to go without; an optional one it does not need; unknown keys are ignored by both', () => {
    const places = objectPlaces(schema, study);
    expect(places.length).toBeGreaterThan(4);
    for (const { path, schema: s } of places) {
      for (const k of Object.keys(s.properties)) {
        if (!(k in getAt(study, path))) continue;
        const doc = structuredClone(study);
        delete getAt(doc, path)[k];
        const required = (s.required ?? []).includes(k);
        expect([validate(doc), readerRefuses(doc)], `${pathText(path) || '(root)'} without ${k}`).toEqual(required ? [false, true] : [true, false]);
      }
      const doc = structuredClone(study);
      getAt(doc, path).someFutureField = 1;
      expect([validate(doc), readerRefuses(doc)], `${pathText(path)} + someFutureField`).toEqual([true, false]);
    }
    for (const patch of [{ kind: 'ncsim.train' }, { schemaVersion: 2 }, { studies: [] }]) expect([validate({ ...study, ...patch }), readerRefuses({ ...study, ...patch })]).toEqual([false, true]);
  });

  it('varies what the study varies', () => {
    expect(schema.$defs.study.properties.vary.enum).toEqual([...VARIES]);
  });
});
