// The gradient rules on a chip with conv and pool layers: learning memory sized by the shared
// weights, fixed (pool) layers never written, the conv layer learned, and what is refused.
import { describe, it, expect } from 'vitest';
import { Chip, ChipRule, ChipSpec, LayerSpec } from '../../src/chip/chip.js';
import type { ConvGeometry } from '../../src/model/types.js';
import { convWeightCount } from '../../src/reference/conv.js';
import type { RuleName } from '../../src/model/types.js';
import { createRule, adaptSpec } from '../../src/rules/index.js';
import { Stop } from '../../src/rules/stop.js';
import { Bptt } from '../../src/rules/bptt.js';
import { Rng } from '../../src/host/rng.js';

const GRADIENT_RULES: RuleName[] = ['ltl-offline', 'stop-w', 'stop-wtl', 'bptt'];
const T = 6;

/** conv 1x6x6 -> 3 ch, 3x3, pad 1 -> avg pool 2 -> dense 4 (a readout for STOP and BPTT). */
function convSpec(readout: boolean, rng: Rng): ChipSpec {
  const conv: ConvGeometry = { inChannels: 1, inHeight: 6, inWidth: 6, channels: 3, height: 6, width: 6, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1, depthwise: false };
  const pool: ConvGeometry = { inChannels: 3, inHeight: 6, inWidth: 6, channels: 3, height: 3, width: 3, kernelHeight: 2, kernelWidth: 2, stride: 2, padding: 0, depthwise: true };
  const r = (n: number, a: number) => Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * a);
  const one = Float32Array.of(1);
  const layers: LayerSpec[] = [
    { name: 'c1', nIn: 36, nOut: 108, conv, weights: r(convWeightCount(conv), 0.8), bias: r(3, 0.1), threshold: one, leak: Float32Array.of(0.9) },
    { name: 'p1', nIn: 108, nOut: 27, conv: pool, fixed: true, weights: new Float32Array(12).fill(0.25), bias: new Float32Array(3), threshold: one, leak: one },
    { name: 'out', nIn: 27, nOut: 4, weights: r(108, 0.5), bias: r(4, 0.1), threshold: one, leak: Float32Array.of(0.9), readout },
  ];
  return { inputSize: 36, reset: 'subtract', delay: 0, maxSteps: T, layers };
}

/** The same chip with the conv layer as its dense matrix (one bias per neuron): what dense buffers would cost. */
function denseTwin(spec: ChipSpec): ChipSpec {
  const c = spec.layers[0];
  return { ...spec, layers: [{ ...c, conv: undefined, weights: new Float32Array(c.nIn * c.nOut), bias: new Float32Array(c.nOut) }, ...spec.layers.slice(1)] };
}

function ruleFor(name: RuleName): ChipRule {
  return createRule(name, { learningRate: 0.05, warmup: 0, error: 'exact', updateAt: 'sample', width: 1, height: 'unit' });
}

const readoutRule = (name: RuleName) => name !== 'ltl-offline';

describe('gradient rules on conv and pool layers', () => {
  for (const name of GRADIENT_RULES) {
    it(`${name}: the conv layer's learning memory holds the shared weights' gradient, not a dense one`, () => {
      const spec = adaptSpec(name, convSpec(readoutRule(name), new Rng(3)));
      const conv = new Chip(spec, 'wasm', ruleFor(name));
      const dense = new Chip(adaptSpec(name, denseTwin(spec)), 'wasm', ruleFor(name));
      const c = spec.layers[0], nW = convWeightCount(c.conv as ConvGeometry);
      // ∂W and ∂b are the only buffers that differ: nIn*nOut vs K*C*kh*kw weights, nOut vs K biases (f32).
      expect(dense.learningBytes[0] - conv.learningBytes[0]).toBe(4 * (c.nIn * c.nOut - nW) + 4 * (c.nOut - c.bias.length));
      // Pooling learns nothing: no gradient buffer (its stored state, if any, is below a dense one's ∂W alone).
      expect(conv.learningBytes[1]).toBeLessThan(4 * spec.layers[1].nIn * spec.layers[1].nOut);
    });

    it(`${name}: trains the conv weights and biases, never the pool's`, () => {
      const rng = new Rng(7);
      const spec = adaptSpec(name, convSpec(readoutRule(name), rng));
      const rule = ruleFor(name);
      const chip = new Chip(spec, 'ts', rule);
      const w0 = chip.getWeights(0), b0 = chip.getBias(0), p0 = chip.getWeights(1);
      const x = Float32Array.from({ length: T * 36 }, () => (rng.uniform() < 0.4 ? 1 + rng.uniform() : 0));
      for (let s = 0; s < 5; s++) {
        rule.setSample({ label: s % 4, targets: spec.layers.map((l) => Array.from({ length: l.nOut }, () => rng.uniform())) });
        chip.runSample(x, T, true);
      }
      expect(chip.getWeights(0).some((v, i) => v !== w0[i])).toBe(true);
      expect(chip.getBias(0).some((v, i) => v !== b0[i])).toBe(true);
      expect(Array.from(chip.getWeights(1))).toEqual(Array.from(p0));
      expect(Array.from(chip.getBias(1))).toEqual([0, 0, 0]);
      if (name === 'stop-wtl') {
        // the pool's thresholds and leak stay as built; the conv layer's move
        expect(Array.from(chip.getThreshold(1)).every((v) => v === 1)).toBe(true);
        expect(Array.from(chip.getLeak(1))).toEqual([1]);
        expect(Array.from(chip.getThreshold(0)).some((v) => v !== 1)).toBe(true);
      }
    });
  }

  it('layerScale scales one layer\'s step only (bptt: conv at 1/2 moves half as far, the readout the same); bad factors refused', () => {
    const rng = new Rng(11);
    const spec = convSpec(true, rng);
    const x = Float32Array.from({ length: T * 36 }, () => (rng.uniform() < 0.4 ? 1 + rng.uniform() : 0));
    const moved = (layerScale: number[]) => {
      const rule = new Bptt({ learningRate: 0.05, width: 1, height: 'unit', layerScale });
      const chip = new Chip(spec, 'wasm', rule);
      const before = [chip.getWeights(0), chip.getWeights(2)];
      rule.setSample({ label: 1 });
      chip.runSample(x, T, true);
      return [0, 2].map((l, n) => Array.from(chip.getWeights(l), (v, i) => v - before[n][i]));
    };
    const [convFull, outFull] = moved([1, 1, 1]);
    const [convHalf, outHalf] = moved([0.5, 1, 1]);
    expect(convFull.some((v) => v !== 0)).toBe(true);
    convHalf.forEach((v, i) => expect(Math.abs(v - convFull[i] / 2)).toBeLessThanOrEqual(1e-6));
    expect(outHalf).toEqual(outFull);
    expect(() => new Bptt({ layerScale: [1, -1, 1] })).toThrow(/layerScale\[1\]/);
    expect(() => new Bptt({ layerScale: [NaN] })).toThrow(/layerScale\[0\]/);
  });

  it('STOP refuses a convolution with one leak per neuron (its trace would be one per connection)', () => {
    const spec = convSpec(true, new Rng(1));
    const c = spec.layers[0];
    const perNeuron = { ...spec, layers: [{ ...c, leak: new Float32Array(c.nOut).fill(0.9) }, ...spec.layers.slice(1)] };
    expect(() => new Chip(perNeuron, 'wasm', new Stop('stop-w'))).toThrow(/one leak per neuron/);
  });
});
