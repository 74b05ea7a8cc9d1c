// Learning memory vs time window for a run's own network (src/rules/memory.ts), against the
// bench's table (bench/memory.ts builds its chips independently).
import { describe, it, expect } from 'vitest';
import { learningMemoryCurves } from '../../src/rules/memory.js';
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
  });

  it('leaves out the rules that cannot run the network (STOP with a synaptic delay)', () => {
    const c = learningMemoryCurves(mlp([10, 6, 3], 1), [4]);
    expect(c.rules.map((r) => r.rule)).toEqual(['ltl-online (updates at step)', 'ltl-online (updates at sample)', 'ltl-offline', 'bptt']);
  });
});
