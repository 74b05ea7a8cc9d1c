// docs/schemas/ncsim.case.schema.json and the golden-case reader (src/trace/case.ts, parseCase)
// accept the same documents at every point a single edit can reach from a golden case: every
// shipped case is valid under both; removing any field, adding an unknown one, giving null, or
// a value out of its enum or bounds is accepted by both or refused by both; so are the rules'
// own constraints (targets for LTL, a label for readout rules, STOP's delay and reset, "step").
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { parseCase } from '../../src/trace/case.js';
import { InputError } from '../../src/io/errors.js';
import { objectPlaces, getAt, pathText, resolve } from './walk.js';

const schema = JSON.parse(readFileSync(new URL('../../docs/schemas/ncsim.case.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true }).compile(schema);
const golden = new URL('../golden/', import.meta.url);
// Loihi-neuron cases (neuron.model "loihi") are their own format (docs/loihi.md), not this schema's.
const cases = readdirSync(golden)
  .filter((f) => f.endsWith('.case.json'))
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, golden), 'utf8'))] as const)
  .filter(([, c]) => c.neuron?.model !== 'loihi');
const reads = (doc: unknown) => {
  try {
    parseCase(doc);
    return true;
  } catch (e) {
    if (e instanceof InputError) return false;
    throw e;
  }
};
const agree = (doc: unknown, what: string) => expect(validate(doc), `${what}: schema ${JSON.stringify(validate.errors?.[0])}, reader ${reads(doc)}`).toBe(reads(doc));

describe('the golden case schema', () => {
  it('every shipped golden case is valid under the schema and the reader, every rule among them', () => {
    expect(new Set(cases.map(([, c]) => c.rule.name))).toEqual(new Set(schema.properties.rule.properties.name.enum));
    for (const [f, c] of cases) {
      expect(validate(c), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(reads(c), f).toBe(true);
    }
  });

  it('at every object: without a field, with an unknown one, with null — both accept or both refuse', () => {
    for (const [f, c] of cases) {
      for (const { path, schema: s } of objectPlaces(schema, c)) {
        const where = `${f} ${pathText(path) || '(root)'}`;
        for (const k of Object.keys(s.properties)) {
          if (!(k in getAt(c, path))) continue;
          const without = structuredClone(c);
          delete getAt(without, path)[k];
          agree(without, `${where} without ${k}`);
          const nulled = structuredClone(c);
          getAt(nulled, path)[k] = null;
          agree(nulled, `${where}.${k} = null`);
        }
        const extra = structuredClone(c);
        getAt(extra, path).someFutureField = 1;
        agree(extra, `${where} + someFutureField`);
      }
    }
  });

  it('enums and bounds: every allowed value and a value just outside — both agree', () => {
    for (const [f, c] of cases) {
      for (const { path, schema: s } of objectPlaces(schema, c)) {
        for (const [k, sub] of Object.entries(s.properties as Record<string, any>)) {
          const p = resolve(schema, sub);
          const set = (v: unknown) => {
            const d = structuredClone(c);
            getAt(d, path)[k] = v;
            agree(d, `${f} ${pathText([...path, k])} = ${JSON.stringify(v)}`);
          };
          if (p.enum) {
            for (const v of p.enum) set(v);
            set('bogus');
            set(2);
          }
          if (p.exclusiveMinimum === 0) {
            set(0);
            set(-1);
            set(1e-9);
          }
          if (p.maximum !== undefined) {
            set(p.maximum);
            set(p.maximum + 0.5);
          }
          if (p.type === 'integer') {
            set(1.5);
            set(-1);
          }
          if (p.type === 'number') set('1');
        }
      }
    }
  });

  it("the rules' own constraints are the schema's", () => {
    const ltl = cases.find(([, c]) => c.rule.name === 'ltl-online')![1];
    const stop = cases.find(([, c]) => c.rule.name === 'stop-w')![1];
    const bptt = cases.find(([, c]) => c.rule.name === 'bptt')![1];
    const edit = (c: any, f: (d: any) => void) => {
      const d = structuredClone(c);
      f(d);
      return d;
    };
    const refusedByBoth = [
      edit(ltl, (d) => {
        delete d.targets;
      }),
      edit(stop, (d) => {
        delete d.label;
      }),
      edit(stop, (d) => {
        d.neuron.delay = 1;
      }),
      edit(stop, (d) => {
        d.neuron.reset = 'zero';
      }),
      edit(bptt, (d) => {
        d.rule.updateAt = 'step';
      }),
      edit(bptt, (d) => {
        d.layers = d.layers.slice(-1);
        d.input = d.input.map((r: number[]) => r.slice(0, d.layers[0].weights[0].length));
      }),
    ];
    for (const d of refusedByBoth) expect([validate(d), reads(d)]).toEqual([false, false]);
    const acceptedByBoth = [
      edit(ltl, (d) => {
        d.rule.updateAt = 'step';
      }),
      edit(ltl, (d) => {
        d.label = 3;
      }),
      edit(stop, (d) => {
        delete d.targets;
      }),
    ];
    for (const d of acceptedByBoth) expect([validate(d), reads(d)]).toEqual([true, true]);
  });
});
