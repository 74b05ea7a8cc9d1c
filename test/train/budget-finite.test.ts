/** The memory budget (src/train/budget.ts) and the non-finite stops (src/train/finite.ts). */
import { describe, expect, it } from 'vitest';
import { runBudget, checkBudget, WASM_MAX_BYTES } from '../../src/train/budget.js';
import { checkChipState, checkChipWeights, checkTeacher } from '../../src/train/finite.js';
import { mlpNet } from '../../src/net/file.js';
import { createRule } from '../../src/rules/index.js';
import { InputError, NonFiniteError, exitStatusFor, EXIT_NON_FINITE } from '../../src/io/errors.js';
import type { Chip } from '../../src/chip/chip.js';
import type { Teacher } from '../../src/host/teacher.js';

const RULE = { learningRate: 0.01, warmup: 0, error: 'exact' as const, updateAt: 'sample' as const, width: 1, height: 'unit' as const };
const input = { channels: 1, height: 28, width: 28 };

function budget(hidden: number[], rule: 'ltl-online' | 'bptt', steps: number) {
  return runBudget({
    net: mlpNet(input, hidden, 10), rule: createRule(rule, RULE), readout: rule === 'bptt', thresholdPerNeuron: false,
    steps, dataBytes: 1000, samples: 100, teacherWorker: true,
  });
}

describe('memory budget', () => {
  it('grows with the synapses, and BPTT state with T (LTL state does not)', () => {
    const small = budget([100], 'ltl-online', 16), big = budget([1000], 'ltl-online', 16);
    expect(big.layers[0].weights).toBe(784 * 1000);
    expect(big.totalBytes).toBeGreaterThan(9 * small.totalBytes);
    const b16 = budget([256], 'bptt', 16), b1024 = budget([256], 'bptt', 1024);
    // BPTT keeps u and S of every step (T x 256 f32 each) and layer 1's input (T x 784 f32)
    expect(b1024.layers[0].ruleBytes - b16.layers[0].ruleBytes).toBe((1024 - 16) * 4 * (256 + 256 + 784));
    const l16 = budget([256], 'ltl-online', 16), l1024 = budget([256], 'ltl-online', 1024);
    expect(l1024.layers[0].ruleBytes).toBe(l16.layers[0].ruleBytes);
  });

  it('refuses above --max-memory, naming the option and the figure', () => {
    const b = budget([1000], 'ltl-online', 16);
    expect(() => checkBudget(b, { maxMemory: b.totalBytes + 1, sizeOption: '--hidden' }, 'wasm', 16)).not.toThrow();
    try {
      checkBudget(b, { maxMemory: b.totalBytes - 1, sizeOption: '--hidden' }, 'wasm', 16);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).field).toBe('--max-memory');
      expect((e as Error).message).toMatch(/layer "h1": 784000 weights/);
    }
  });

  it('refuses a chip arena beyond wasm memory, blaming --steps when learning state dominates', () => {
    const b = budget([1500, 1500], 'bptt', 160_000);
    expect(b.arenaBytes).toBeGreaterThan(WASM_MAX_BYTES);
    expect(() => checkBudget(b, { maxMemory: Infinity, sizeOption: '--hidden' }, 'wasm', 160_000)).toThrow(/option "--steps": expected a network whose chip arena fits wasm memory/);
  });
});

/** A stand-in with the parts of a Chip the checks read. */
function fakeChip(u: number[], w: number[], readout: number[] = [0]): Chip {
  const mem = new Float32Array([...u, ...w]);
  return {
    spec: { layers: [{ name: 'h1', nIn: 1, nOut: u.length, weights: new Float32Array(w.length) }] },
    layers: [{ u: 0, wt: u.length * 4 }],
    f32: (p: number, n: number) => mem.subarray(p / 4, p / 4 + n),
    readoutSum: Float64Array.from(readout),
  } as unknown as Chip;
}

describe('non-finite stops', () => {
  it('a NaN membrane potential stops the run naming layer, neuron, step, sample and epoch (exit 3)', () => {
    const where = { phase: 'train' as const, epoch: 2, sample: 37, steps: 16 };
    expect(() => checkChipState(fakeChip([0.5, 1], [0.1]), where, 'hint')).not.toThrow();
    try {
      checkChipState(fakeChip([0.5, NaN], [0.1]), where, 'lower --lr');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NonFiniteError);
      expect((e as Error).message).toBe('layer "h1": membrane potential of neuron 1 is NaN at step 16 of train sample 37 of epoch 2 (lower --lr)');
      expect(exitStatusFor(e)).toBe(EXIT_NON_FINITE);
    }
    expect(() => checkChipState(fakeChip([0], [0.1], [Infinity]), where, 'h')).toThrow(/readout sum of unit 0 is Infinity/);
  });

  it('an infinite weight stops the run after the epoch', () => {
    expect(() => checkChipWeights(fakeChip([0], [1]), 1, 100, 'h')).not.toThrow();
    expect(() => checkChipWeights(fakeChip([0], [-Infinity]), 3, 100, 'lower --lr')).toThrow('layer "h1": weight 0 is -Infinity after the 100 samples of epoch 3 (lower --lr)');
  });

  it('a diverged teacher is named, not a percentile RangeError', () => {
    const t = { sizes: [2, 1], clip: 1, layers: [{ nIn: 2, nOut: 1, weights: Float32Array.of(0, NaN), bias: Float32Array.of(0) }] } as unknown as Teacher;
    expect(() => checkTeacher(t, 'lower --teacher-lr')).toThrow(/teacher layer 1: weight 1 is NaN after training: the ANN teacher diverged \(lower --teacher-lr\)/);
  });
});
