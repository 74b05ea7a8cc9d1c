// Loihi cases (`"neuron": {"model": "loihi"}`, src/trace/loihi-case.ts): resolved defaults, and
// every refusal names its field; the ALGORITHMS cases read as before.
import { describe, it, expect } from 'vitest';
import { InputError } from '../../src/io/errors.js';
import { parseAnyCase } from '../../src/trace/case.js';
import { isLoihiCase, LoihiCase } from '../../src/trace/loihi-case.js';

const LOIHI = {
  format: 'ncsim.case/1',
  neuron: { model: 'loihi', du: 4095, dv: 0, vth: 50, delay: 1 },
  layers: [
    { name: 'a', weights: [[100], [255]], numWeightBits: 6, weightExp: -1, biasMant: [0, -100], biasExp: [0, 3] },
    { name: 'b', weights: [[-3, 7]], weightExp: 2, biasMant: [0], dv: 2048, vth: 1 },
  ],
  input: [[1], [1], [0], [1]],
};

type Doc = Record<string, any>;
const patch = (f: (d: Doc) => void): Doc => { const d = structuredClone(LOIHI) as Doc; f(d); return d; };
function refusal(json: unknown): InputError {
  try { parseAnyCase(json); } catch (e) { expect(e).toBeInstanceOf(InputError); return e as InputError; }
  throw new Error('expected the case to be refused');
}

describe('Loihi case: valid', () => {
  it('resolves per-layer overrides and defaults', () => {
    const c = parseAnyCase(LOIHI) as LoihiCase;
    expect(isLoihiCase(c)).toBe(true);
    expect(c.steps).toBe(4);
    expect(c.layers[0]).toMatchObject({ nIn: 1, nOut: 2, du: 4095, dv: 0, vth: 50, weightExp: -1, numWeightBits: 6, biasExp: [0, 3] });
    expect(c.layers[1]).toMatchObject({ nIn: 2, nOut: 1, du: 4095, dv: 2048, vth: 1, weightExp: 2, numWeightBits: 8, biasExp: [0] });
  });
  it('a case without neuron.model, or with "algorithms", is an ALGORITHMS case', () => {
    const alg = {
      format: 'ncsim.case/1', neuron: { leak: 1, threshold: 1, reset: 'zero', delay: 0 }, surrogate: { width: 1, height: 'unit' },
      rule: { name: 'ltl-offline', learningRate: 0.5 }, layers: [{ name: 'a', weights: [[1]], bias: [0] }], input: [[1]], targets: { a: [1] },
    };
    expect(isLoihiCase(parseAnyCase(alg))).toBe(false);
    expect(isLoihiCase(parseAnyCase({ ...alg, neuron: { ...alg.neuron, model: 'algorithms' } }))).toBe(false);
  });
});

const REFUSALS: [string, (d: Doc) => void, string, RegExp][] = [
  ['unknown neuron model', (d) => { d.neuron.model = 'loihi2'; }, 'neuron.model', /"algorithms" \(the default\) or "loihi"/],
  ['du above 12 bits', (d) => { d.neuron.du = 4096; }, 'neuron.du', /\[0, 4095\]/],
  ['dv missing', (d) => { delete d.neuron.dv; }, 'neuron.dv', /got nothing/],
  ['vth above 17 bits', (d) => { d.neuron.vth = 131072; }, 'neuron.vth', /\[0, 131071\]/],
  ['vth not an integer', (d) => { d.neuron.vth = 1.5; }, 'neuron.vth', /integer/],
  ['delay 2', (d) => { d.neuron.delay = 2; }, 'neuron.delay', /0 or 1/],
  ['a learning rule', (d) => { d.rule = { name: 'ltl-online', learningRate: 0.1 }; }, 'rule', /not supported yet/],
  ['weight out of range', (d) => { d.layers[0].weights[1][0] = 256; }, 'layers[0].weights[1][0]', /\[-256, 255\]/],
  ['weight row too short', (d) => { d.layers[1].weights[0] = [1]; }, 'layers[1].weights[0]', /2 integers/],
  ['bias mantissa beyond 13 bits', (d) => { d.layers[0].biasMant[0] = 4096; }, 'layers[0].biasMant[0]', /\[-4096, 4095\]/],
  ['bias exponent 8', (d) => { d.layers[0].biasExp[1] = 8; }, 'layers[0].biasExp[1]', /\[0, 7\]/],
  ['bias mantissa missing', (d) => { delete d.layers[1].biasMant; }, 'layers[1].biasMant', /1 integer/],
  ['weight exponent 8', (d) => { d.layers[1].weightExp = 8; }, 'layers[1].weightExp', /\[-8, 7\]/],
  ['weight bits 0', (d) => { d.layers[0].numWeightBits = 0; }, 'layers[0].numWeightBits', /\[1, 8\]/],
  ['per-layer du out of range', (d) => { d.layers[1].du = -1; }, 'layers[1].du', /\[0, 4095\]/],
  ['input not a spike', (d) => { d.input[2][0] = 0.5; }, 'input[2][0]', /binary spike/],
  ['input rows of different widths', (d) => { d.input[1] = [1, 0]; }, 'input[1]', /width of input\[0\]/],
  ['no layers', (d) => { d.layers = []; }, 'layers', /non-empty/],
  ['duplicate layer names', (d) => { d.layers[1].name = 'a'; }, 'layers[1].name', /no other layer/],
];

describe('Loihi case: refusals name the field', () => {
  it.each(REFUSALS)('%s', (_what, mutate, field, message) => {
    const err = refusal(patch(mutate));
    expect(err.field).toBe(field);
    expect(err.message).toContain(`"${field}"`);
    expect(err.message).toMatch(message);
  });
});
