// Noise and draw statistics of the devices match their models within sampling error
// (6 standard errors; the draws are seeded, so these tests are deterministic).
import { describe, it, expect } from 'vitest';
import { createKernels } from '../../src/chip/kernels.js';
import { Chip, ChipSpec } from '../../src/chip/chip.js';
import { DeviceSpec } from '../../src/chip/device.js';
import { irwinHallDraw } from '../../src/reference/device.js';

const GAUSS = Math.sqrt(3) / 65536;

function moments(v: ArrayLike<number>): { mean: number; variance: number; n: number } {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  const mean = s / v.length;
  let q = 0;
  for (let i = 0; i < v.length; i++) q += (v[i] - mean) ** 2;
  return { mean, variance: q / (v.length - 1), n: v.length };
}

/** mean within 6 standard errors of mu, variance within 6 standard errors of sigma2 (kurtosis ~3 or less). */
function expectMoments(v: ArrayLike<number>, mu: number, sigma2: number): void {
  const m = moments(v);
  expect(Math.abs(m.mean - mu)).toBeLessThan(6 * Math.sqrt(sigma2 / m.n));
  expect(Math.abs(m.variance - sigma2)).toBeLessThan(6 * sigma2 * Math.sqrt(2 / m.n));
}

describe('noise statistics', () => {
  it('the kernels\' Gaussian (Irwin-Hall of four 16-bit uniforms) has mean 0 and unit variance, bounded at ±sqrt(12)', () => {
    let state = 12345;
    const z = new Float64Array(200_000);
    for (let i = 0; i < z.length; i++) {
      const d = irwinHallDraw(state);
      state = d.state;
      z[i] = d.h * GAUSS;
    }
    expectMoments(z, 0, 1);
    expect(z.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThanOrEqual(Math.sqrt(12));
  });

  it('membraneNoise adds N(0, sigma^2) to every current (wasm)', () => {
    const n = 100_000, sigma = 0.7;
    const k = createKernels('wasm', n * 4 + 64);
    const I = k.base, R = k.base + n * 4;
    k.mem.u32[R >>> 2] = 987654321;
    k.membraneNoise(I, n, Math.fround(sigma * GAUSS), R);
    expectMoments(k.mem.f32.subarray(I >>> 2, (I >>> 2) + n), 0, sigma * sigma);
  });

  it('thermal noise on a chip: sigma x threshold on the membrane at every step', () => {
    const nOut = 1000, theta = 2, sigma = 0.1, samples = 40;
    const spec: ChipSpec = {
      inputSize: 1, reset: 'subtract', delay: 0, maxSteps: 1, device: { seed: 3, thermal: { sigma } },
      layers: [{ name: 'h', nIn: 1, nOut, weights: new Float32Array(nOut), bias: new Float32Array(nOut), threshold: Float32Array.of(theta), leak: Float32Array.of(1) }],
    };
    const chip = new Chip(spec, 'wasm');
    const u: number[] = [];
    for (let s = 0; s < samples; s++) {
      chip.runSample(new Float32Array(1), 1, false);
      u.push(...chip.membrane(0));
    }
    expectMoments(u, 0, (sigma * theta) ** 2);
  });

  it('mismatch gains: Gaussian N(1, sigma) and log-normal exp(N(0, sigma)), per synapse and per neuron', () => {
    const nIn = 200, nOut = 200;
    const make = (d: DeviceSpec) => new Chip({
      inputSize: nIn, reset: 'subtract', delay: 0, maxSteps: 1, device: d,
      layers: [{ name: 'h', nIn, nOut, weights: new Float32Array(nIn * nOut).fill(0.1), bias: new Float32Array(nOut), threshold: Float32Array.of(1), leak: Float32Array.of(1) }],
    }, 'wasm');
    const g = make({ seed: 5, mismatch: { sigma: 0.1 } });
    expectMoments(g.device!.layers[0].gain!, 1, 0.01);
    const s = 0.2, l = make({ seed: 5, mismatch: { sigma: s, distribution: 'lognormal' } });
    expectMoments(l.device!.layers[0].gain!, Math.exp(s * s / 2), (Math.exp(s * s) - 1) * Math.exp(s * s));
    // Thresholds: one per neuron, theta x gain (200 neurons: a looser check of the same moments).
    const th = g.getThreshold(0);
    expect(th.length).toBe(nOut);
    expectMoments(th, 1, 0.01);
    // The gains live in the arena: a read of w = 0.1 through gain g gives 0.1 g.
    const x = new Float32Array(nIn);
    x[7] = 1;
    g.analogInput = true;
    g.forward(x);
    const I = g.f32(g.layers[0].i, nOut), G = g.device!.layers[0].gain!;
    for (let i = 0; i < nOut; i++) expect(I[i]).toBe(Math.fround(Math.fround(Math.fround(0.1) * G[7 * nOut + i]) * 1));
  });

  it('write noise: a programmed weight lands round(k + N(0, sigma_levels)) levels away', () => {
    const n = 50_000, levels = 1001, sigmaLevels = 1.5;
    const k = createKernels('wasm', n * 4 + 256);
    const W = k.base, R = W + n * 4, CNT = R + 16;
    const maxLevel = levels - 1, half = maxLevel / 2, step = Math.fround(2 / maxLevel);
    k.mem.f32.fill(0, W >>> 2, (W >>> 2) + n); // level 500 (w = 0)
    k.mem.u32[R >>> 2] = 42;
    k.quantizeWeights(W, n, step, Math.fround(1 / step), half, maxLevel, Math.fround(sigmaLevels * GAUSS), R, CNT);
    const moved = Array.from(k.mem.f32.subarray(W >>> 2, (W >>> 2) + n), (w) => Math.round(w / step));
    // Rounding a continuous N(0, s^2) to integers adds ~1/12 of variance.
    expectMoments(moved, 0, sigmaLevels ** 2 + 1 / 12);
  });

  it('stochastic rounding of updates is unbiased: quantized cells (with write noise) and fixed-point weights', () => {
    const n = 40_000, frac = 0.3;
    // Quantized cells: n neurons, one synapse each from presynaptic neuron 0, each update 0.3
    // of a step, write noise 0.1 level: the mean level change is 0.3.
    {
      const maxLevel = 30, half = 15, step = Math.fround(2 / maxLevel);
      const k = createKernels('wasm', n * 16 + 512);
      const W = k.base, M = W + n * 4, A = M + n * 4, B = A + n * 4, IX = B + n * 4, R = IX + 16, CNT = R + 16;
      k.mem.f32.fill(0, W >>> 2, (W >>> 2) + n); // level 15
      k.mem.f32.fill(Math.fround(frac * step), M >>> 2, (M >>> 2) + n);
      k.mem.i32.set(Int32Array.from({ length: n }, (_, i) => i), A >>> 2);
      k.mem.u32[R >>> 2] = 7;
      k.deviceOuterUpdate(W, B, n, IX, IX, 1, 0, M, A, n, step, Math.fround(1 / step), half, maxLevel, Math.fround(0.1 * GAUSS), 1, R, CNT);
      const m = moments(Array.from(k.mem.f32.subarray(W >>> 2, (W >>> 2) + n), (w) => Math.round(w / step)));
      expect(Math.abs(m.mean - frac)).toBeLessThan(6 * Math.sqrt(m.variance / n));
    }
    // Fixed point: 0.3 LSB per update.
    {
      const k = createKernels('wasm', n * 16 + 512);
      const W = k.base, M = W + n * 4, A = M + n * 4, B = A + n * 4, IX = B + n * 4, R = IX + 16, CNT = R + 16;
      k.mem.f32.fill(Math.fround(frac), M >>> 2, (M >>> 2) + n);
      k.mem.i32.set(Int32Array.from({ length: n }, (_, i) => i), A >>> 2);
      k.mem.u32[R >>> 2] = 11;
      k.fixedOuterUpdate(W, B, n, IX, IX, 1, 0, M, A, n, 1, 1, 127, 32767, 1, R, CNT);
      const m = moments(k.mem.i32.subarray(W >>> 2, (W >>> 2) + n));
      expect(Math.abs(m.mean - frac)).toBeLessThan(6 * Math.sqrt(frac * (1 - frac) / n));
      expect(Math.abs(m.variance - frac * (1 - frac))).toBeLessThan(0.01);
    }
  });
});
