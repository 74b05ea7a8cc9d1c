// hw-models/ncsim.hw.schema.json and the reader (src/cost/hwmodel.ts) describe the same format:
// every shipped model is valid under both; at every object of a model, the keys the schema
// requires are the ones the reader refuses to go without, its other keys are optional for the
// reader too, and a key the schema does not list is refused by both; every unit the schema
// allows is accepted, one it does not is refused; bounds agree.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { parseHwModel } from '../../src/cost/hwmodel.js';
import { ACTION_NAMES, PHASES } from '../../src/cost/actions.js';
import { InputError } from '../../src/io/errors.js';
import { objectPlaces, getAt, pathText, resolve } from './walk.js';

const dir = new URL('../../hw-models/', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('ncsim.hw.schema.json', dir), 'utf8'));
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
const models = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'ncsim.hw.schema.json');
const load = (f: string) => JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
const loihi = load('loihi.json');
const reads = (doc: unknown) => {
  try {
    parseHwModel(doc, 'x');
    return true;
  } catch (e) {
    if (e instanceof InputError) return false;
    throw e;
  }
};
const both = (doc: unknown) => [validate(doc), reads(doc)];

describe('the hardware model schema', () => {
  it('every shipped model is valid under the schema and the reader', () => {
    expect(models.length).toBeGreaterThanOrEqual(4);
    for (const f of models) {
      const m = load(f);
      expect(validate(m), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(reads(m), f).toBe(true);
    }
  });

  it("prices the reader's actions and phases", () => {
    expect(Object.keys(schema.properties.actions.properties).sort()).toEqual([...ACTION_NAMES].sort());
    expect(schema.properties.actions.required.sort()).toEqual([...ACTION_NAMES].sort());
    expect(Object.keys(schema.properties.overheads.properties)).toEqual([...PHASES]);
    expect(Object.keys(schema.properties.cores.properties.lanes.properties)).toEqual([...PHASES]);
  });

  it('at every object: required keys are required by the reader, optional ones are optional, unknown ones refused by both', () => {
    for (const f of models) {
      const m = load(f);
      const places = objectPlaces(schema, m);
      expect(places.length).toBeGreaterThan(50);
      for (const { path, schema: s } of places) {
        const where = `${f} ${pathText(path) || '(root)'}`;
        for (const k of Object.keys(s.properties)) {
          if (!(k in getAt(m, path))) continue;
          const doc = structuredClone(m);
          delete getAt(doc, path)[k];
          const required = (s.required ?? []).includes(k) || (s.minProperties === 1 && Object.keys(getAt(m, path)).length === 1);
          expect(both(doc), `${where} without ${k}`).toEqual(required ? [false, false] : [true, true]);
        }
        if (s.additionalProperties === false) {
          const doc = structuredClone(m);
          getAt(doc, path).bogusKey = 1;
          expect(both(doc), `${where} + bogusKey`).toEqual([false, false]);
        }
      }
    }
  });

  it("every quantity: the units and the bounds of the schema are the reader's", () => {
    const places = objectPlaces(schema, loihi).filter((p) => p.schema.properties.unit && p.schema.properties.value);
    expect(places.length).toBeGreaterThan(40);
    for (const { path, schema: s } of places) {
      const where = pathText(path);
      const set = (patch: Record<string, unknown>) => {
        const doc = structuredClone(loihi);
        Object.assign(getAt(doc, path), patch);
        return both(doc);
      };
      const units: string[] | undefined = resolve(schema, s.properties.unit).enum;
      if (units) {
        for (const u of units) expect(set({ unit: u }), `${where} in ${u}`).toEqual([true, true]);
        expect(set({ unit: 'furlong' }), `${where} in furlong`).toEqual([false, false]);
      }
      const v = s.properties.value;
      if (v.exclusiveMinimum === 0) expect(set({ value: 0 }), `${where} = 0`).toEqual([false, false]);
      if (v.minimum === 0) {
        expect(set({ value: 0 }), `${where} = 0`).toEqual([true, true]);
        expect(set({ value: -1 }), `${where} = -1`).toEqual([false, false]);
      }
      if (v.type === 'integer') expect(set({ value: 2.5 }), `${where} = 2.5`).toEqual([false, false]);
      if (v.maximum !== undefined) expect(set({ value: v.maximum + 1 }), `${where} > max`).toEqual([false, false]);
      expect(set({ source: '' }), `${where} empty source`).toEqual([false, false]);
    }
  });
});
