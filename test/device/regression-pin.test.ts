// Regression pin of the device layer: fixed-seed chips with every kind of device (float
// non-idealities, quantized cells with write noise, fixed point with either leak), learning with
// online LTL at "step" and at "sample", on both backends. Each run's bytes (every step's
// membranes, spikes and counts; the final weights, biases, thresholds, leaks; every counter)
// are hashed with SHA-256.
//
// How the expected hashes were obtained: this file was first run on branch `devices` at commit
// 88ae2c3 (before the chip's circuits were put behind one interface chosen at construction,
// src/chip/circuits.ts), with the hashes printed; they are recorded below. Any change of a bit
// in what a device chip computes or counts changes a hash. wasm and the TS twin must also give
// the same hash (the twin property, on whole chips).
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { Chip, ChipSpec } from '../../src/chip/chip.js';
import { DeviceSpec } from '../../src/chip/device.js';
import { LtlOnline } from '../../src/rules/ltl-online.js';
import { Rng } from '../../src/host/rng.js';
import { NEURON_SPIKES, LEARN_WEIGHT_WRITES } from '../../src/reference/counters.js';

const F = (a: ArrayLike<number>) => Float32Array.from(a);

/** A 12-16-10-6 chip with seeded weights, inputs and targets, trained for 3 samples of 8 steps; the SHA-256 of all it computed. */
function runHash(device: DeviceSpec, updateAt: 'step' | 'sample', backend: 'wasm' | 'ts', reset: 'subtract' | 'zero'): { hash: string; spikes: number; writes: number } {
  const rng = new Rng(7);
  const sizes = [12, 16, 10, 6], steps = 8;
  const spec: ChipSpec = {
    inputSize: sizes[0], reset, delay: 1, maxSteps: steps, device,
    layers: sizes.slice(1).map((nOut, l) => ({
      name: `l${l}`, nIn: sizes[l], nOut,
      weights: F(Array.from({ length: sizes[l] * nOut }, () => rng.normal() * 0.4)),
      bias: F(Array.from({ length: nOut }, () => rng.normal() * 0.05)),
      threshold: F([0.6]), leak: F([l === 1 ? 0.875 : 1]),
    })),
  };
  const x = F(Array.from({ length: steps * sizes[0] }, () => (rng.uniform() < 0.4 ? rng.uniform() : 0)));
  const targets = spec.layers.map((l) => Array.from({ length: l.nOut }, () => rng.uniform() * 0.6));
  const rule = new LtlOnline({ learningRate: 0.05, updateAt, width: 1, error: 'exact' });
  const chip = new Chip(spec, backend, rule);
  rule.setTargets(targets);
  const h = createHash('sha256');
  const put = (a: Float32Array | Uint32Array | Float64Array) => h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  for (let s = 0; s < 3; s++) {
    chip.runSample(x, steps, true, () => spec.layers.forEach((_, l) => { put(F(chip.membrane(l))); put(chip.spikes(l)); put(chip.counts(l)); }));
  }
  let spikes = 0, writes = 0;
  spec.layers.forEach((_, l) => {
    put(chip.getWeights(l)); put(chip.getBias(l)); put(chip.getThreshold(l)); put(chip.getLeak(l)); put(F(chip.counters(l)));
    spikes += chip.counters(l)[NEURON_SPIKES];
    writes += chip.counters(l)[LEARN_WEIGHT_WRITES];
  });
  return { hash: h.digest('hex'), spikes, writes };
}

const DEVICES: Record<string, DeviceSpec> = {
  analog: {
    seed: 11, mismatch: { sigma: 0.2, distribution: 'lognormal' }, thermal: { sigma: 0.1 }, silencing: { fraction: 0.2 },
  },
  quantized: {
    seed: 12, mismatch: { sigma: 0.1 }, quantization: { levels: 15, rounding: 'stochastic', writeNoise: 0.01 }, thermal: { sigma: 0.05 },
  },
  'fixed-multiply-shift': {
    seed: 13, fixedPoint: { weightBits: 8, stateBits: 16, leak: 'multiply-shift', shiftRounding: 'nearest', updateRounding: 'stochastic' },
    thermal: { sigma: 0.1 }, silencing: { fraction: 0.2 },
  },
  'fixed-bit-shift': {
    seed: 14, fixedPoint: { weightBits: 6, stateBits: 12, leak: 'bit-shift', shiftRounding: 'toward-zero', updateRounding: 'nearest' },
    mismatch: { sigma: 0, neuronSigma: 0.2 },
  },
};

/** Printed by the unchanged code at 88ae2c3 (see the file comment). */
const PINNED: Record<string, string> = {
  'analog/step': 'f68af8e0a13641dddc6c22237199853c7873b85d31df491b1e0bd9e79b6bfdf9',
  'analog/sample': 'b0e1c6721d7c9bff38343ece5871aed94638530b0a325e98c5ffbc836c4dc665',
  'quantized/step': '9c68b43439e5348843163145fc3464274309bcba1d094f63c56337bb0928173d',
  'quantized/sample': '945e96d3023ae71305c38019923d5cbcb30386b471df4901412d04eb1e160c3f',
  'fixed-multiply-shift/step': 'd6466f7386f1aacf14c393c42358a025468f1c1824d685e8c0f5c01c852c2c1d',
  'fixed-multiply-shift/sample': 'a133b1ae16321abcec2c564c89cf7f1b677a57caa5cfe9bd8b45e4abe8c75998',
  'fixed-bit-shift/step': '2748f74b09c8861c5d168fe02b8d5ff2423cb7d303fea3b6a69e519713c8a6e3',
  'fixed-bit-shift/sample': 'c5fbe6aff66d7d2becc9b19805d482731f2050d5ac3dbb609cf0dbad106f3351',
};

describe('device chips are pinned bit for bit', () => {
  for (const [name, device] of Object.entries(DEVICES)) {
    for (const updateAt of ['step', 'sample'] as const) {
      const reset = updateAt === 'step' ? 'subtract' : 'zero';
      it(`${name}, updates at ${updateAt}: wasm and twin give the pinned hash`, () => {
        const w = runHash(device, updateAt, 'wasm', reset), t = runHash(device, updateAt, 'ts', reset);
        if (process.env.NCSIM_PRINT_PINS) console.log(`  '${name}/${updateAt}': '${w.hash}',`);
        // The run exercises the devices: neurons fire and the learning circuit writes cells.
        expect(w.spikes).toBeGreaterThan(0);
        expect(w.writes).toBeGreaterThan(0);
        expect(t).toEqual(w);
        expect(w.hash).toBe(PINNED[`${name}/${updateAt}`]);
      });
    }
  }
});
