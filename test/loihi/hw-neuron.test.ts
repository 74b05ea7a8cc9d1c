// The model file says which neuron a chip has: `"neuron"` in ncsim.hw/1 (src/cost/hwmodel.ts).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, parseHwModel } from '../../src/cost/hwmodel.js';
import { InputError } from '../../src/io/errors.js';

const loihiJson = () => JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'hw-models', 'loihi.json'), 'utf8'));

describe('hardware model: neuron', () => {
  it('the loihi model runs the Loihi neuron; a model without the field runs the ALGORITHMS neuron', () => {
    expect(loadModel('loihi').neuron).toBe('loihi-cuba');
    const j = loihiJson();
    delete j.neuron;
    expect(parseHwModel(j).neuron).toBe('algorithms');
  });
  it('an unknown neuron is refused, naming the field', () => {
    const j = loihiJson();
    j.neuron = 'loihi2';
    expect(() => parseHwModel(j)).toThrowError(InputError);
    expect(() => parseHwModel(j)).toThrowError(/"neuron".*"algorithms", "loihi-cuba"/);
  });
});
