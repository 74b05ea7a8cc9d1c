// Learning memory vs time window for a run's own network (src/rules/memory.ts), against the
// bench's table (bench/memory.ts builds its chips independently).
import { describe, it, expect } from 'vitest';
import { accumulatorBytes, batchBytes, learningMemoryCurves, ruleLearningBytes, ruleMemorySplit } from '../../src/rules/memory.js';
import { memoryTable } from '../../bench/memory.js';
import type { ChipSpec } from '../../src/chip/chip.js';

function mlp(sizes: number[], delay: 0 | 1 = 0): ChipSpec {
  return {
    inputSize: sizes[0], reset: 'subtract', delay, maxSteps: 16,
    layers: sizes.slice(1).map((nOut, l) => ({
      name: `l${l}`, nIn: sizes[l], nOut, weights: new Float32Array(sizes[l] * nOut), bias: new Float32Array(nOut),
      threshold: Float32Array.of(1), leak: Float32Array.of(0.9),
    })),
  };
}

describe('learning memory curves', () => {
  it('equal the bench\'s measurement for the same network; STOP flat, BPTT and offline LTL growing with T', () => {
    const sizes = [20, 12, 8, 4], windows = [2, 4, 8];
    const c = learningMemoryCurves(mlp(sizes), windows);
    const t = memoryTable(sizes, windows);
    const bench = (name: string) => t.rows.find((r) => r.name === name)!.bytes;
    const ours = (name: string) => c.rules.find((r) => r.rule === name)!.bytes;
    expect(ours('ltl-online (updates at step)')).toEqual(bench('ltl-online (updates at step)'));
    expect(ours('ltl-online (updates at sample)')).toEqual(bench('ltl-online'));
    expect(ours('ltl-offline')).toEqual(bench('ltl-offline'));
    expect(ours('stop-w')).toEqual(bench('stop-w'));
    expect(ours('stop-wtl')).toEqual(bench('stop-wtl (leak per layer)'));
    expect(ours('bptt')).toEqual(bench('bptt'));
    expect(new Set(ours('stop-w')).size).toBe(1);
    for (const r of ['bptt', 'ltl-offline']) expect(ours(r)[2]).toBeGreaterThan(ours(r)[0]);
    // the split the run report carries is the one the bench prints
    for (const r of c.rules) {
      expect(r.perSampleBytes.map((b, i) => b + r.accumulatorBytes)).toEqual(r.bytes);
    }
    expect(c.rules.find((r) => r.rule === 'ltl-online (updates at step)')!.accumulatorBytes).toBe(0);
    const stop = c.rules.find((r) => r.rule === 'stop-w')!;
    expect(stop.accumulatorBytes).toBe(ruleMemorySplit(mlp(sizes), 'stop-w', 'sample', 4).accumulatorBytes);
  });

  it('leaves out the rules that cannot run the network (STOP with a synaptic delay)', () => {
    const c = learningMemoryCurves(mlp([10, 6, 3], 1), [4]);
    expect(c.rules.map((r) => r.rule)).toEqual(['ltl-online (updates at step)', 'ltl-online (updates at sample)', 'ltl-offline', 'bptt']);
  });
});

describe('learning memory as the papers count it', () => {
  it('the accumulators are what online LTL saves by writing at every step (measured in the arena), the rest is per-sample state', () => {
    for (const sizes of [[20, 12, 8, 4], [30, 5, 3]]) {
      const spec = mlp(sizes);
      const saved = ruleLearningBytes(spec, 'ltl-online', 'sample', 8) - ruleLearningBytes(spec, 'ltl-online', 'step', 8);
      expect(accumulatorBytes(spec, 'ltl-online', 'sample')).toBe(saved);
      expect(accumulatorBytes(spec, 'ltl-online', 'step')).toBe(0);
      // every gradient rule keeps the same ∂W, ∂b; STOP-WTL also ∂ϑ per neuron and ∂α per layer of its spiking layers
      const dWdb = saved;
      for (const r of ['ltl-offline', 'stop-w', 'bptt'] as const) expect(accumulatorBytes(spec, r, 'sample')).toBe(dWdb);
      const spiking = sizes.slice(1, -1).reduce((a, n) => a + n + 1, 0);
      expect(accumulatorBytes(spec, 'stop-wtl', 'sample')).toBe(dWdb + 4 * spiking);
    }
  });

  it('splits the total; a batch of B holds B copies of the per-sample state and one set of accumulators', () => {
    const spec = mlp([20, 12, 8, 4]);
    for (const [rule, at] of [['bptt', 'sample'], ['stop-w', 'sample'], ['ltl-online', 'step']] as const) {
      const s = ruleMemorySplit(spec, rule, at, 8);
      expect(s.perSampleBytes + s.accumulatorBytes).toBe(s.totalBytes);
      expect(s.perSampleBytes).toBeGreaterThan(0);
      expect(batchBytes(s, 1)).toBe(s.totalBytes);
      expect(batchBytes(s, 64) - batchBytes(s, 63)).toBe(s.perSampleBytes);
    }
    // BPTT's per-sample state grows with T (stored U and S), STOP's does not
    const at = (r: 'bptt' | 'stop-w', T: number) => ruleMemorySplit(spec, r, 'sample', T).perSampleBytes;
    expect(at('bptt', 16)).toBeGreaterThan(at('bptt', 8));
    expect(at('stop-w', 16)).toBe(at('stop-w', 8));
  });

  it('the bench prints the split with the batch columns, BPTT over STOP-W growing with B', () => {
    const t = memoryTable([20, 12, 8, 4], [4, 8], 8, [1, 64]);
    const stop = t.split.find((r) => r.name === 'stop-w')!;
    expect(stop.bpttRatio[1]).toBeGreaterThan(stop.bpttRatio[0]);
    expect(t.text).toContain('B = 64');
  });
});
