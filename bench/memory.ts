/**
 * Learning memory, measured: the bytes each rule reserves in the chip's arena for learning
 * (Chip.learningBytes, summed over layers), for one network, at several time windows T. No
 * training is needed: a chip is built for each rule and each T (maxSteps = T) and its rule's
 * reservations are read back. STOP's memory must not depend on T; BPTT's and offline LTL's
 * grow linearly (U and S of every step of every layer).
 *
 * Networks: the LTL rules train every layer spiking (sizes as given); the readout rules
 * (BPTT, STOP) train spiking hidden layers and a non-spiking readout of the last size.
 * STOP-WTL is measured twice: one leak per neuron (e_W is nOut x nIn per layer) and one leak
 * per layer (e_W is one vector of nIn).
 */
import type { ChipSpec } from '../src/chip/chip.js';
import type { RuleName, UpdateAt } from '../src/model/types.js';
import { RULE_TABLE } from '../src/rules/table.js';
import { batchBytes, MemorySplit, ruleLearningBytes, ruleMemorySplit } from '../src/rules/memory.js';

export interface MemoryRow {
  /** Row label, e.g. "stop-wtl (leak per neuron)". */
  name: string;
  rule: RuleName;
  leakPerNeuron: boolean;
  /** Total learning bytes at each window of `windows`. */
  bytes: number[];
}

export interface MemoryTable {
  sizes: number[];
  windows: number[];
  rows: MemoryRow[];
  /** BPTT's bytes divided by another rule's, at each window. */
  ratios: { name: string; values: number[] }[];
  /**
   * Bytes of the per-sample gradient accumulators (∂W, ∂b of every layer, f32), which every rule
   * here keeps (all write once per sample): Σ_l (nIn·nOut + nOut)·4. The same for every row.
   */
  gradientBytes: number;
  /** BPTT's bytes divided by another rule's, both without the gradient accumulators. */
  ratiosBeyondGradients: { name: string; values: number[] }[];
  /**
   * At the window `splitWindow`: each row's per-sample state and accumulators, its bytes for a
   * batch of B samples held at once (`batches`), and BPTT's bytes divided by the row's there.
   */
  splitWindow: number;
  batches: number[];
  split: { name: string; split: MemorySplit; batchBytes: number[]; bpttRatio: number[] }[];
  /** The table as printed. */
  text: string;
}

function mlpSpec(sizes: number[], T: number, leakPerNeuron: boolean): ChipSpec {
  return {
    inputSize: sizes[0], reset: 'subtract', delay: 0, maxSteps: T,
    layers: sizes.slice(1).map((nOut, l) => ({
      name: `l${l}`, nIn: sizes[l], nOut, weights: new Float32Array(sizes[l] * nOut), bias: new Float32Array(nOut),
      threshold: Float32Array.of(1), leak: leakPerNeuron ? new Float32Array(nOut).fill(0.9) : Float32Array.of(0.9),
    })),
  };
}

function learningBytes(rule: RuleName, sizes: number[], T: number, leakPerNeuron: boolean, updateAt: UpdateAt = 'sample'): number {
  return ruleLearningBytes(mlpSpec(sizes, T, leakPerNeuron), rule, updateAt, T);
}

export function memoryTable(
  sizes: number[] = [784, 256, 256, 10], windows: number[] = [4, 8, 16, 32, 64], splitWindow = 16, batches: number[] = [1, 16, 64, 128],
): MemoryTable {
  const cases: [string, RuleName, boolean][] = [
    ['bptt', 'bptt', false],
    ['ltl-offline', 'ltl-offline', false],
    ['ltl-online', 'ltl-online', false],
    ['ltl-online (updates at step)', 'ltl-online', false],
    ['stop-w', 'stop-w', false],
    ['stop-wtl (leak per neuron)', 'stop-wtl', true],
    ['stop-wtl (leak per layer)', 'stop-wtl', false],
    ['stop-w (updates at step)', 'stop-w', false],
    ['stop-wtl (leak per neuron, updates at step)', 'stop-wtl', true],
    ['stop-wtl (leak per layer, updates at step)', 'stop-wtl', false],
  ];
  // "... (updates at step)" writes every step's changes at once: no per-sample accumulator.
  const rows: MemoryRow[] = cases.map(([name, rule, pn]) => ({
    name, rule, leakPerNeuron: pn, bytes: windows.map((T) => learningBytes(rule, sizes, T, pn, name.includes('at step') ? 'step' : 'sample')),
  }));
  const bptt = rows[0].bytes;
  const ratios = rows.filter((r) => RULE_TABLE[r.rule].family === 'STOP').map((r) => ({
    name: `bptt / ${r.name}`, values: bptt.map((b, i) => b / r.bytes[i]),
  }));
  let gradientBytes = 0;
  for (let l = 0; l + 1 < sizes.length; l++) gradientBytes += (sizes[l] * sizes[l + 1] + sizes[l + 1]) * 4;
  const ratiosBeyondGradients = rows.filter((r) => RULE_TABLE[r.rule].family === 'STOP' && !r.name.includes('at step')).map((r) => ({
    name: `  without them: bptt / ${r.name}`, values: bptt.map((b, i) => (b - gradientBytes) / (r.bytes[i] - gradientBytes)),
  }));

  const w0 = Math.max(...rows.map((r) => r.name.length), ...ratios.map((r) => r.name.length), ...ratiosBeyondGradients.map((r) => r.name.length)) + 2;
  const cols = windows.map((T, i) => Math.max(`T = ${T}`.length, ...rows.map((r) => String(r.bytes[i]).length)) + 2);
  const line = (first: string, cells: string[]) => first.padEnd(w0) + cells.map((c, i) => c.padStart(cols[i])).join('');
  const out = [
    `Learning memory (bytes reserved by the rule, all layers), network ${sizes.join('-')}; readout rules: spiking ${sizes.slice(0, -1).join('-')} + readout ${sizes[sizes.length - 1]}`,
    line('rule', windows.map((T) => `T = ${T}`)),
    ...rows.map((r) => line(r.name, r.bytes.map(String))),
    ...ratios.map((r) => line(r.name, r.values.map((v) => `${v.toFixed(3)}x`))),
    `of which gradient accumulators (∂W, ∂b of every layer, kept by every rule above that writes once per sample): ${gradientBytes} bytes`,
    ...ratiosBeyondGradients.map((r) => line(r.name, r.values.map((v) => `${v.toFixed(2)}x`))),
  ];
  // As the papers count it: per-sample state once per sample held at once, accumulators once.
  const splitRows = cases.map(([name, rule, pn]) => ({
    name, split: ruleMemorySplit(mlpSpec(sizes, splitWindow, pn), rule, name.includes('at step') ? 'step' : 'sample', splitWindow),
  }));
  const bpttSplit = splitRows[0].split;
  const split = splitRows.map((r) => ({
    ...r, batchBytes: batches.map((B) => batchBytes(r.split, B)), bpttRatio: batches.map((B) => batchBytes(bpttSplit, B) / batchBytes(r.split, B)),
  }));
  const sw = Math.max(...split.map((r) => r.name.length)) + 2;
  const cell = (x: string, w = 14) => x.padStart(w);
  out.push(
    '',
    `Split as the papers count it, T = ${splitWindow}: per-sample state (held once per sample in flight) and gradient accumulators (held once); bytes for a batch of B samples held at once = B x per-sample + accumulators; bptt / rule at each B`,
    'rule'.padEnd(sw) + cell('per-sample') + cell('accumulators') + batches.map((B) => cell(`B = ${B}`)).join('') + batches.map((B) => cell(`bptt/ B=${B}`, 12)).join(''),
    ...split.map((r) => r.name.padEnd(sw) + cell(String(r.split.perSampleBytes)) + cell(String(r.split.accumulatorBytes))
      + r.batchBytes.map((b) => cell(String(b))).join('') + r.bpttRatio.map((x) => cell(`${x.toFixed(2)}x`, 12)).join('')),
  );
  return { sizes, windows, rows, ratios, gradientBytes, ratiosBeyondGradients, splitWindow, batches, split, text: out.join('\n') };
}
