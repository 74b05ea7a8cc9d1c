import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/io/errors.js';
import { parseCase, readCaseFile } from '../../src/trace/case.js';
import { locateJsonError } from '../../src/io/json-syntax.js';

/** The example of CASE-FORMAT.md, verbatim. */
const EXAMPLE = {
  format: 'ncsim.case/1',
  neuron: { leak: 0.9, threshold: 0.6, reset: 'subtract', delay: 1 },
  surrogate: { width: 0.4, height: 'unit' },
  rule: { name: 'ltl-online', learningRate: 0.01, warmup: 0, error: 'exact', updateAt: 'sample' },
  layers: [
    { name: 'h1', weights: [[0.1, -0.2], [0.3, 0.05], [0.0, 0.4]], bias: [0, 0.1, 0] },
    { name: 'h2', weights: [[0.2, 0.1, -0.3]], bias: [0.05] },
  ],
  input: [[1, 0], [0.5, 1], [0, 0]],
  targets: { h1: [0.5, 0.0, 1.0], h2: [0.25] },
  label: 0,
};

/** A readout case: one spiking layer of 3, a readout of 2. */
const READOUT = {
  format: 'ncsim.case/1',
  neuron: { leak: 1, threshold: 1, reset: 'subtract', delay: 0 },
  surrogate: { width: 1, height: 'normalized' },
  rule: { name: 'stop-w', learningRate: 0.1 },
  layers: [
    { name: 'h1', weights: [[1, 0], [0, 1], [1, 1]], bias: [0, 0, 0] },
    { name: 'out', weights: [[1, 0, 0], [0, 1, 1]], bias: [0, 0] },
  ],
  input: [[1, 0], [0, 1]],
  label: 1,
};

type Doc = Record<string, any>;
const patch = (base: Doc, f: (d: Doc) => void): Doc => {
  const d = structuredClone(base);
  f(d);
  return d;
};

function refusal(json: unknown): InputError {
  try {
    parseCase(json);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected parseCase to refuse the case');
}

describe('parseCase: valid cases', () => {
  it('parses the CASE-FORMAT.md example', () => {
    const c = parseCase(EXAMPLE);
    expect(c.neuron).toEqual({ leak: 0.9, threshold: 0.6, reset: 'subtract', delay: 1 });
    expect(c.surrogate).toEqual({ width: 0.4, height: 'unit' });
    expect(c.rule).toEqual({ name: 'ltl-online', learningRate: 0.01, warmup: 0, error: 'exact', updateAt: 'sample' });
    expect(c.steps).toBe(3);
    expect(c.input).toEqual(EXAMPLE.input);
    expect(c.layers.map((l) => [l.name, l.nOut, l.nIn])).toEqual([['h1', 3, 2], ['h2', 1, 3]]);
    expect(c.layers[0].threshold).toEqual([0.6, 0.6, 0.6]);
    expect(c.layers[0].leak).toEqual([0.9, 0.9, 0.9]);
    expect(c.layers[1].threshold).toEqual([0.6]);
    expect(c.layers[0].leakPerNeuron).toBe(false);
    expect(c.targets).toEqual({ h1: [0.5, 0, 1], h2: [0.25] });
    expect(c.label).toBeNull(); // LTL ignores label
  });

  it('applies the defaults of warmup, error and updateAt', () => {
    const c = parseCase(patch(EXAMPLE, (d) => { d.rule = { name: 'ltl-offline', learningRate: 0.5 }; }));
    expect(c.rule).toEqual({ name: 'ltl-offline', learningRate: 0.5, warmup: 0, error: 'exact', updateAt: 'sample' });
  });

  it('honours per-layer threshold and leak arrays', () => {
    const c = parseCase(patch(EXAMPLE, (d) => {
      d.layers[0].threshold = [0.1, 0.2, 0.3];
      d.layers[1].leak = [0.5];
    }));
    expect(c.layers[0].threshold).toEqual([0.1, 0.2, 0.3]);
    expect(c.layers[0].leak).toEqual([0.9, 0.9, 0.9]);
    expect(c.layers[0].leakPerNeuron).toBe(false);
    expect(c.layers[1].threshold).toEqual([0.6]);
    expect(c.layers[1].leak).toEqual([0.5]);
    expect(c.layers[1].leakPerNeuron).toBe(true);
  });

  it('parses a readout case: label kept, targets ignored', () => {
    const c = parseCase(patch(READOUT, (d) => { d.targets = 'whatever'; }));
    expect(c.label).toBe(1);
    expect(c.targets).toBeNull();
    expect(c.layers[1].nIn).toBe(3);
  });

  it('accepts ltl-online with updateAt step, sign error and a warm-up', () => {
    const c = parseCase(patch(EXAMPLE, (d) => { d.rule = { name: 'ltl-online', learningRate: 1, warmup: 2, error: 'sign', updateAt: 'step' }; }));
    expect(c.rule).toMatchObject({ warmup: 2, error: 'sign', updateAt: 'step' });
  });

  it('accepts bptt with delay 1 and reset zero (only stop-* forbid them)', () => {
    const c = parseCase(patch(READOUT, (d) => { d.rule.name = 'bptt'; d.neuron.delay = 1; d.neuron.reset = 'zero'; }));
    expect(c.rule.name).toBe('bptt');
  });

  it('ignores unknown fields and a bad label under LTL rules', () => {
    const c = parseCase(patch(EXAMPLE, (d) => { d.comment = 'x'; d.neuron.extra = [1]; d.label = 'not a label'; }));
    expect(c.label).toBeNull();
  });

  it('uses targets as given, without clamping', () => {
    const c = parseCase(patch(EXAMPLE, (d) => { d.targets.h2 = [1.5]; d.targets.h1 = [-1, 0, 2]; }));
    expect(c.targets).toEqual({ h1: [-1, 0, 2], h2: [1.5] });
  });

  it('copies arrays (later edits of the JSON do not leak in)', () => {
    const d = structuredClone(EXAMPLE);
    const c = parseCase(d);
    d.layers[0].weights[0][0] = 42;
    d.input[0][0] = 42;
    expect(c.layers[0].weights[0][0]).toBe(0.1);
    expect(c.input[0][0]).toBe(1);
  });

  it('accepts leak exactly 1 and a name "__proto__"', () => {
    const d = JSON.parse(JSON.stringify(patch(EXAMPLE, (x) => { x.neuron.leak = 1; x.layers[1].name = 'PROTO'; }))
      .replaceAll('"PROTO"', '"__proto__"').replace('"h2":[0.25]', '"__proto__":[0.25]'));
    const c = parseCase(d);
    expect(Object.keys(c.targets!)).toEqual(['h1', '__proto__']);
    expect(c.targets!['__proto__']).toEqual([0.25]);
  });
});

// [what, base, mutation, field named]
const REFUSALS: [string, Doc, (d: Doc) => void, string][] = [
  ['not an object', EXAMPLE, () => {}, '(case)'],
  ['unknown format', EXAMPLE, (d) => { d.format = 'ncsim.case/2'; }, 'format'],
  ['missing format', EXAMPLE, (d) => { delete d.format; }, 'format'],
  ['unknown rule', EXAMPLE, (d) => { d.rule.name = 'stdp'; }, 'rule.name'],
  ['missing rule', EXAMPLE, (d) => { delete d.rule; }, 'rule'],
  ['missing neuron', EXAMPLE, (d) => { delete d.neuron; }, 'neuron'],
  ['missing neuron.leak', EXAMPLE, (d) => { delete d.neuron.leak; }, 'neuron.leak'],
  ['missing surrogate', EXAMPLE, (d) => { delete d.surrogate; }, 'surrogate'],
  // shapes
  ['weights row too short', EXAMPLE, (d) => { d.layers[1].weights[0] = [0.2, 0.1]; }, 'layers[1].weights[0]'],
  ['layer 0 columns != input width', EXAMPLE, (d) => { d.layers[0].weights[2] = [0, 0.4, 1]; }, 'layers[0].weights[2]'],
  ['weights not an array', EXAMPLE, (d) => { d.layers[0].weights = 'w'; }, 'layers[0].weights'],
  ['weights empty', EXAMPLE, (d) => { d.layers[0].weights = []; }, 'layers[0].weights'],
  ['bias length != rows', EXAMPLE, (d) => { d.layers[0].bias = [0, 0]; }, 'layers[0].bias'],
  ['bias missing', EXAMPLE, (d) => { delete d.layers[1].bias; }, 'layers[1].bias'],
  ['input rows of different widths', EXAMPLE, (d) => { d.input[2] = [0]; }, 'input[2]'],
  ['input empty', EXAMPLE, (d) => { d.input = []; }, 'input'],
  ['input row empty', EXAMPLE, (d) => { d.input = [[]]; }, 'input[0]'],
  ['input missing', EXAMPLE, (d) => { delete d.input; }, 'input'],
  ['layers empty', EXAMPLE, (d) => { d.layers = []; }, 'layers'],
  ['layer not an object', EXAMPLE, (d) => { d.layers[1] = [1]; }, 'layers[1]'],
  ['targets of wrong length', EXAMPLE, (d) => { d.targets.h1 = [0.5, 0]; }, 'targets.h1'],
  ['threshold array of wrong length', EXAMPLE, (d) => { d.layers[0].threshold = [1, 1]; }, 'layers[0].threshold'],
  ['threshold scalar on a layer', EXAMPLE, (d) => { d.layers[0].threshold = 1; }, 'layers[0].threshold'],
  ['leak array of wrong length', EXAMPLE, (d) => { d.layers[1].leak = [0.5, 0.5]; }, 'layers[1].leak'],
  // non-numbers
  ['string weight', EXAMPLE, (d) => { d.layers[0].weights[2][1] = '0.4'; }, 'layers[0].weights[2][1]'],
  ['null weight', EXAMPLE, (d) => { d.layers[0].weights[0][0] = null; }, 'layers[0].weights[0][0]'],
  ['boolean bias', EXAMPLE, (d) => { d.layers[1].bias[0] = true; }, 'layers[1].bias[0]'],
  ['NaN input (from JS)', EXAMPLE, (d) => { d.input[1][1] = NaN; }, 'input[1][1]'],
  ['Infinity weight (from JS)', EXAMPLE, (d) => { d.layers[0].weights[1][0] = Infinity; }, 'layers[0].weights[1][0]'],
  ['string target', EXAMPLE, (d) => { d.targets.h2 = ['0.25']; }, 'targets.h2[0]'],
  ['string threshold', EXAMPLE, (d) => { d.neuron.threshold = '0.6'; }, 'neuron.threshold'],
  ['string learningRate', EXAMPLE, (d) => { d.rule.learningRate = '0.01'; }, 'rule.learningRate'],
  ['missing learningRate', EXAMPLE, (d) => { delete d.rule.learningRate; }, 'rule.learningRate'],
  ['NaN learningRate', EXAMPLE, (d) => { d.rule.learningRate = NaN; }, 'rule.learningRate'],
  // ranges and enums
  ['threshold 0', EXAMPLE, (d) => { d.neuron.threshold = 0; }, 'neuron.threshold'],
  ['threshold < 0', EXAMPLE, (d) => { d.neuron.threshold = -1; }, 'neuron.threshold'],
  ['layer threshold 0', EXAMPLE, (d) => { d.layers[0].threshold = [1, 0, 1]; }, 'layers[0].threshold[1]'],
  ['leak 0', EXAMPLE, (d) => { d.neuron.leak = 0; }, 'neuron.leak'],
  ['leak > 1', EXAMPLE, (d) => { d.neuron.leak = 1.01; }, 'neuron.leak'],
  ['leak < 0', EXAMPLE, (d) => { d.neuron.leak = -0.5; }, 'neuron.leak'],
  ['layer leak > 1', EXAMPLE, (d) => { d.layers[0].leak = [0.5, 2, 0.5]; }, 'layers[0].leak[1]'],
  ['delay 2', EXAMPLE, (d) => { d.neuron.delay = 2; }, 'neuron.delay'],
  ['delay "1"', EXAMPLE, (d) => { d.neuron.delay = '1'; }, 'neuron.delay'],
  ['delay 0.5', EXAMPLE, (d) => { d.neuron.delay = 0.5; }, 'neuron.delay'],
  ['reset other', EXAMPLE, (d) => { d.neuron.reset = 'hard'; }, 'neuron.reset'],
  ['surrogate width 0', EXAMPLE, (d) => { d.surrogate.width = 0; }, 'surrogate.width'],
  ['surrogate width < 0', EXAMPLE, (d) => { d.surrogate.width = -0.4; }, 'surrogate.width'],
  ['surrogate height other', EXAMPLE, (d) => { d.surrogate.height = 'tall'; }, 'surrogate.height'],
  ['error other', EXAMPLE, (d) => { d.rule.error = 'approx'; }, 'rule.error'],
  ['error null', EXAMPLE, (d) => { d.rule.error = null; }, 'rule.error'],
  ['updateAt other', EXAMPLE, (d) => { d.rule.updateAt = 'epoch'; }, 'rule.updateAt'],
  ['warmup negative', EXAMPLE, (d) => { d.rule.warmup = -1; }, 'rule.warmup'],
  ['warmup fractional', EXAMPLE, (d) => { d.rule.warmup = 1.5; }, 'rule.warmup'],
  ['warmup string', EXAMPLE, (d) => { d.rule.warmup = '2'; }, 'rule.warmup'],
  // rule constraints
  ['stop-w with delay 1', READOUT, (d) => { d.neuron.delay = 1; }, 'neuron.delay'],
  ['stop-wtl with delay 1', READOUT, (d) => { d.rule.name = 'stop-wtl'; d.neuron.delay = 1; }, 'neuron.delay'],
  ['stop-w with reset zero', READOUT, (d) => { d.neuron.reset = 'zero'; }, 'neuron.reset'],
  ['stop-wtl with reset zero', READOUT, (d) => { d.rule.name = 'stop-wtl'; d.neuron.reset = 'zero'; }, 'neuron.reset'],
  ['updateAt step for ltl-offline', EXAMPLE, (d) => { d.rule.name = 'ltl-offline'; d.rule.updateAt = 'step'; }, 'rule.updateAt'],
  ['updateAt step for stop-w', READOUT, (d) => { d.rule.updateAt = 'step'; }, 'rule.updateAt'],
  ['updateAt step for bptt', READOUT, (d) => { d.rule.name = 'bptt'; d.rule.updateAt = 'step'; }, 'rule.updateAt'],
  ['missing targets (ltl-online)', EXAMPLE, (d) => { delete d.targets; }, 'targets'],
  ['missing targets (ltl-offline)', EXAMPLE, (d) => { d.rule.name = 'ltl-offline'; delete d.targets; }, 'targets'],
  ['targets an array', EXAMPLE, (d) => { d.targets = [[0.5, 0, 1], [0.25]]; }, 'targets'],
  ['a layer missing from targets', EXAMPLE, (d) => { delete d.targets.h2; }, 'targets.h2'],
  ['targets keyed by an inherited name', EXAMPLE, (d) => { d.layers[1].name = 'toString'; }, 'targets.toString'],
  ['readout rule with 1 layer', READOUT, (d) => { d.layers.pop(); }, 'layers'],
  ['bptt with 1 layer', READOUT, (d) => { d.rule.name = 'bptt'; d.layers.pop(); }, 'layers'],
  ['missing label', READOUT, (d) => { delete d.label; }, 'label'],
  ['label not an integer', READOUT, (d) => { d.label = 0.5; }, 'label'],
  ['label a string', READOUT, (d) => { d.label = '1'; }, 'label'],
  ['label = readout width', READOUT, (d) => { d.label = 2; }, 'label'],
  ['label negative', READOUT, (d) => { d.label = -1; }, 'label'],
  // names
  ['duplicate layer names', EXAMPLE, (d) => { d.layers[1].name = 'h1'; }, 'layers[1].name'],
  ['empty layer name', EXAMPLE, (d) => { d.layers[0].name = ''; }, 'layers[0].name'],
  ['numeric layer name', EXAMPLE, (d) => { d.layers[0].name = 1; }, 'layers[0].name'],
];

describe('parseCase: refusals name the field', () => {
  it.each(REFUSALS)('%s', (_what, base, mutate, field) => {
    const doc = _what === 'not an object' ? [base] : patch(base, mutate);
    const err = refusal(doc);
    expect(err.field).toBe(field);
    expect(err.message).toContain(`"${field}"`);
    expect(err.message).toMatch(/expected /);
  });

  it('shows what was expected and what was given', () => {
    const err = refusal(patch(EXAMPLE, (d) => { d.layers[1].weights[0] = [0.2, 'x']; }));
    expect(err.message).toBe(
      'case field "layers[1].weights[0]": expected an array of 3 finite numbers (one per neuron of layer "h1"), got [0.2, "x"]',
    );
    expect(refusal(patch(EXAMPLE, (d) => { d.rule.name = 'stdp'; })).message).toContain('"ltl-online"');
    expect(refusal(patch(READOUT, (d) => { d.label = 5; })).message).toContain('[0, 2)');
    expect(refusal(patch(EXAMPLE, (d) => { delete d.targets.h2; })).message).toContain('got nothing');
  });

  it('writes a non-identifier layer name as targets["..."]', () => {
    const err = refusal(patch(EXAMPLE, (d) => { d.layers[1].name = 'hidden 2'; }));
    expect(err.field).toBe('targets["hidden 2"]');
  });
});

describe('readCaseFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ncsim-case-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('reads a valid file (with a byte-order mark)', () => {
    const c = readCaseFile(file('ok.json', '\ufeff' + JSON.stringify(EXAMPLE, null, 2)));
    expect(c.steps).toBe(3);
  });

  it('names the file and the position of bad JSON', () => {
    const p = file('bad.json', '{\n  "format": "ncsim.case/1",\n  "neuron": }\n');
    const err = (() => { try { readCaseFile(p); } catch (e) { return e; } })() as InputError;
    expect(err).toBeInstanceOf(InputError);
    expect(err.field).toBe(p);
    expect(err.message).toContain(p);
    expect(err.message).toContain('line 3, column 13');
  });

  it('names the file when the file is missing', () => {
    const p = join(dir, 'absent.json');
    expect(() => readCaseFile(p)).toThrowError(InputError);
    expect(() => readCaseFile(p)).toThrowError(/absent\.json.*ENOENT/);
  });

  it('prefixes field errors with the file', () => {
    const p = file('field.json', JSON.stringify(patch(EXAMPLE, (d) => { d.neuron.delay = 3; })));
    expect(() => readCaseFile(p)).toThrowError(`${p}: case field "neuron.delay"`);
  });
});

describe('locateJsonError', () => {
  it.each([
    ['{"a":}', 5],
    ['{', 1],
    ['[1,2', 4],
    ['{"a":1,}', 7],
    ['nul', 0],
    ['[1 2]', 3],
    ['"abc', 0],
    ['[01]', 2],
    ['[1.]', 3],
    ['{"a":1} x', 8],
    ['["\\x"]', 2],
    ['', 0],
  ])('%j fails at %i', (text, offset) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)?.offset).toBe(offset);
  });

  it('accepts what JSON.parse accepts', () => {
    for (const t of ['0', '-1.5e+3', ' {"a": [true, false, null, "\\u00e9\\n"]} ', '[]', '{}', JSON.stringify(EXAMPLE)]) {
      expect(locateJsonError(t)).toBeNull();
    }
  });
});
