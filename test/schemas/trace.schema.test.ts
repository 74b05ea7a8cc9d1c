// docs/schemas/ncsim.trace.schema.json describes what `ncsim trace` writes: every golden trace
// and the trace runTrace writes now for every golden case (both backends) are valid, every field
// written is listed, and a trace with a field missing, renamed or of the wrong kind is not valid.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { readCaseFile, parseCase } from '../../src/trace/case.js';
import { randomCase } from '../../src/trace/random-cases.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { runTrace } from '../../src/trace/trace.js';

const schema = JSON.parse(readFileSync(new URL('../../docs/schemas/ncsim.trace.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
const golden = new URL('../golden/', import.meta.url);
const files = readdirSync(golden);
// Loihi-neuron cases (neuron.model "loihi") trace in their own shape (docs/loihi.md).
const isLoihi = (f: string) => JSON.parse(readFileSync(new URL(f, golden), 'utf8')).neuron?.model === 'loihi';
const written = files
  .filter((f) => f.endsWith('.case.json') && !isLoihi(f))
  .flatMap((f) => (['wasm', 'ts'] as const).map((b) => [`${f} (${b})`, JSON.parse(JSON.stringify(runTrace(readCaseFile(new URL(f, golden).pathname), b)))] as const));
// Fixed-point cases (docs/rtl.md) add the chip's integers: random ones from `ncsim cases`' generator.
const loihi = loadModel('loihi');
written.push(...[0, 1, 2].map((k) => [`random fixed-point case ${k}`, JSON.parse(JSON.stringify(runTrace(parseCase(randomCase({ rule: 'ltl-online', seed: 3, fixedPoint: loihi }, k)))))] as const));
const stored = files.filter((f) => f.endsWith('.trace.json') && !f.startsWith('loihi-')).map((f) => [f, JSON.parse(readFileSync(new URL(f, golden), 'utf8'))] as const);

describe('the trace schema', () => {
  it('every golden trace and every trace written now is valid', () => {
    expect(stored.length).toBeGreaterThanOrEqual(8);
    for (const [f, t] of [...stored, ...written]) expect(validate(t), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
  });

  it('lists every field written, learned thresholds and leaks (both shapes) included', () => {
    const defs = schema.$defs;
    const seen = { trace: new Set<string>(), layer: new Set<string>(), updates: new Set<string>(), events: new Set<string>(), leakKinds: new Set<string>() };
    for (const [, t] of written) {
      for (const k of Object.keys(t)) seen.trace.add(k);
      for (const l of Object.values(t.layers) as object[]) for (const k of Object.keys(l)) seen.layer.add(k);
      for (const u of Object.values(t.updates) as Record<string, unknown>[]) {
        for (const k of Object.keys(u)) seen.updates.add(k);
        if ('dLeak' in u) seen.leakKinds.add(Array.isArray(u.dLeak) ? 'array' : 'number');
      }
      for (const e of Object.values(t.events) as object[]) for (const k of Object.keys(e)) seen.events.add(k);
    }
    expect([...seen.trace].sort()).toEqual(Object.keys(schema.properties).sort());
    expect([...seen.layer].sort()).toEqual(Object.keys(defs.layerTrace.properties).sort());
    expect([...seen.updates].sort()).toEqual(Object.keys(defs.layerUpdates.properties).sort());
    expect([...seen.events].sort()).toEqual(Object.keys(defs.layerEvents.properties).sort());
    expect([...seen.leakKinds].sort()).toEqual(['array', 'number']);
  });

  it('a field missing, unknown or of the wrong kind makes a trace invalid', () => {
    const [, t] = written[0];
    const layer = Object.keys(t.layers)[0];
    const edits: ((d: any) => void)[] = [
      (d) => delete d.events,
      (d) => {
        d.format = 'ncsim.trace/2';
      },
      (d) => {
        d.extra = 1;
      },
      (d) => delete d.layers[layer].count,
      (d) => {
        d.layers[layer].s[0][0] = 2;
      },
      (d) => {
        d.updates[layer].db = 'x';
      },
      (d) => {
        d.events[layer].updates = -1;
      },
    ];
    for (const e of edits) {
      const d = structuredClone(t);
      e(d);
      expect(validate(d), e.toString()).toBe(false);
    }
  });
});
