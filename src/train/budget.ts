/**
 * The memory a training run will need, computed from the network, the rule, T, the data and the
 * options before anything big is allocated or trained, and refused above a budget
 * (`--max-memory`) or above what wasm and typed arrays can hold. Sizes are checked per field by
 * the option table; only their products tell whether a run fits (`--hidden 100000` is 79 M
 * synapses; `--steps 10000 --rule bptt` keeps 10,000 steps of every neuron's state).
 *
 * The figures, per layer:
 * - chip arena (wasm or the TS twin's one ArrayBuffer): weights, biases, thresholds, leaks, the
 *   neuron state and spike lists, counters — the same reservations as Chip's constructor;
 * - rule state: the rule's own reservations, asked of the rule itself on an ArenaPlan (exact;
 *   BPTT's grow with T);
 * - host copies: the initial weights handed to the chip (f32), and the teacher — f32 weights
 *   plus f64 gradient and two Adam moments (28 B a weight) and a copy in the teacher worker;
 * - calibration: the teacher's activations over the calibration set (f32, then f64 sorted).
 * The data set is already loaded when this runs (its bytes are counted as they are).
 */
import { platform } from '../platform.js';
import { ARENA_ALIGN, ArenaPlan } from '../chip/arena.js';
import type { ChipRule, ChipShape } from '../chip/chip.js';
import { COUNTER_SLOTS } from '../reference/counters.js';
import { GEO_SLOTS, convWeightCount } from '../reference/conv.js';
import type { Net } from '../net/file.js';
import type { ActivityLayer } from '../cost/activity.js';
import { InputError } from '../io/errors.js';
import { DEFAULT_CALIBRATION_SAMPLES } from '../host/targets.js';

/** wasm32 memory holds at most 65,536 pages of 64 KiB; the module's own data and stack need a little of it. */
export const WASM_MAX_BYTES = 4 * 1024 ** 3 - 64 * 1024 ** 2;
/** The largest typed array this Node (this browser) can allocate, in bytes. */
export function typedArrayMaxBytes(): number {
  return platform().memory().maxTypedArrayBytes;
}

/** Default --max-memory: Node's is half of the machine's memory (src/node/platform.ts; the rest is the OS's, V8's and other programs'). */
export function defaultMaxMemory(): number {
  return platform().memory().defaultBudget;
}

export interface LayerBudget {
  name: string;
  weights: number;
  /** Bytes of the chip arena for this layer (weights, state, counters). */
  arenaBytes: number;
  /** Bytes the rule reserves for this layer (its learning memory). */
  ruleBytes: number;
  /** Host copies: the chip's initial weights and the teacher with its optimizer state. */
  hostBytes: number;
}

export interface RunBudget {
  layers: LayerBudget[];
  /** The whole chip arena (all layers, input buffers, the rule's state). */
  arenaBytes: number;
  /** Activations kept to calibrate the targets. */
  calibrationBytes: number;
  dataBytes: number;
  totalBytes: number;
}

export interface BudgetInput {
  net: Net;
  /** The rule as the chip will run it (its reservations are measured). */
  rule: ChipRule | undefined;
  /** The rule makes the last layer a non-spiking readout. */
  readout: boolean;
  /** Thresholds stored per neuron (stop-wtl). */
  thresholdPerNeuron: boolean;
  /** T, the time window. */
  steps: number;
  /** Bytes of the loaded data set. */
  dataBytes: number;
  /** Training samples (calibration uses at most DEFAULT_CALIBRATION_SAMPLES of them). */
  samples: number;
  /** The teacher also lives in a worker thread. */
  teacherWorker: boolean;
}

const align = (b: number) => Math.ceil(Math.max(b, 4) / ARENA_ALIGN) * ARENA_ALIGN;

/** Bytes a training run needs (see the header). Pure arithmetic plus the rule's reservations: allocates nothing big. */
export function runBudget(b: BudgetInput): RunBudget {
  const L = b.net.layers.length;
  const shape: ChipShape = {
    inputSize: b.net.layers[0].nIn, maxSteps: b.steps, reset: 'subtract', delay: 0,
    layers: b.net.layers.map((l, n) => {
      const readout = b.readout && n === L - 1;
      return {
        nIn: l.nIn, nOut: l.nOut, readout, thresholdPerNeuron: b.thresholdPerNeuron && !readout, leakPerNeuron: false,
        ...(l.conv ? { conv: l.conv, weights: convWeightCount(l.conv), biases: l.conv.channels } : {}),
        ...(l.type === 'pool' ? { fixed: true } : {}),
      };
    }),
  } as ChipShape;
  const plan = new ArenaPlan();
  plan.owner = 'rule';
  b.rule?.reserve(plan, shape);
  const ruleTotal = plan.totalBytes;
  const layers: LayerBudget[] = b.net.layers.map((l, n) => {
    const weights = l.conv ? convWeightCount(l.conv) : l.nIn * l.nOut;
    const biases = l.conv ? l.conv.channels : l.nOut;
    const thr = shape.layers[n].thresholdPerNeuron ? l.nOut : 1;
    const arenaBytes = align(4 * weights) + align(4 * biases) + align(4 * thr) + align(4) + (l.conv ? align(4 * GEO_SLOTS) : 0)
      + 4 * align(4 * l.nOut) + 3 * align(4 * l.nOut) + align(8 * COUNTER_SLOTS);
    const teacherPerWeight = l.type === 'pool' ? 4 : 28;
    const hostBytes = 4 * weights + teacherPerWeight * weights + (b.teacherWorker ? 4 * weights : 0);
    return { name: l.name, weights, arenaBytes, ruleBytes: plan.bytesOf('rule', n), hostBytes };
  });
  const inputBytes = 3 * align(4 * shape.inputSize) + 2 * align(4 * shape.inputSize);
  const arenaBytes = layers.reduce((s, l) => s + l.arenaBytes, 0) + inputBytes + ruleTotal;
  const calibration = Math.min(b.samples, DEFAULT_CALIBRATION_SAMPLES);
  const calibrationBytes = 12 * calibration * b.net.layers.reduce((s, l) => s + l.nOut, 0);
  const hostBytes = layers.reduce((s, l) => s + l.hostBytes, 0);
  // the time window's input frames (x) on the host
  const frameBytes = 4 * b.steps * shape.inputSize;
  return { layers, arenaBytes, calibrationBytes, dataBytes: b.dataBytes, totalBytes: arenaBytes + hostBytes + calibrationBytes + b.dataBytes + frameBytes };
}

/** `1.5 GB` (decimal units, as the refusals print them). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let x = n, u = 0;
  while (x >= 1000 && u < units.length - 1) { x /= 1000; u++; }
  return `${u === 0 ? x : x.toPrecision(3)} ${units[u]}`;
}

export interface BudgetLimits {
  /** --max-memory in bytes. */
  maxMemory: number;
  /** The option that sized the network, named in refusals ("--hidden" or "--net"). */
  sizeOption: string;
}

/**
 * Refuse a run whose budget does not fit: a layer whose arrays exceed a typed array, an arena
 * beyond wasm's 4 GiB, or a total above --max-memory. The message names the layer or option and
 * the figure (exit status 2).
 */
export function checkBudget(budget: RunBudget, limits: BudgetLimits, backend: 'wasm' | 'ts', steps: number): void {
  const opt = { kind: 'option' } as const;
  const biggestRule = (n: number) => budget.layers[n].ruleBytes;
  for (let n = 0; n < budget.layers.length; n++) {
    const l = budget.layers[n];
    // The teacher's f64 gradient is the largest single array of a layer.
    if (8 * l.weights > typedArrayMaxBytes()) {
      throw new InputError(limits.sizeOption, `a network whose every layer has at most ${Math.floor(typedArrayMaxBytes() / 8)} weights (the largest typed array of this Node, as f64 gradients), got layer "${l.name}" with ${l.weights}`, undefined,
        { ...opt, showGot: false });
    }
    if (biggestRule(n) > typedArrayMaxBytes()) {
      throw new InputError('--steps', `a time window whose learning state fits one typed array (${formatBytes(typedArrayMaxBytes())}), got ${steps}`, undefined,
        { ...opt, showGot: false, note: `layer "${l.name}" needs ${formatBytes(l.ruleBytes)}` });
    }
  }
  const arenaLimit = backend === 'wasm' ? WASM_MAX_BYTES : typedArrayMaxBytes();
  if (budget.arenaBytes > arenaLimit) {
    const top = [...budget.layers].sort((a, b) => b.arenaBytes + b.ruleBytes - a.arenaBytes - a.ruleBytes)[0];
    const ruleShare = budget.layers.reduce((s, l) => s + l.ruleBytes, 0);
    const culprit = ruleShare > budget.arenaBytes / 2 ? '--steps' : limits.sizeOption;
    throw new InputError(culprit, `a network whose chip arena fits ${backend === 'wasm' ? 'wasm memory' : 'one ArrayBuffer'} (${formatBytes(arenaLimit)}), got ${formatBytes(budget.arenaBytes)}`, undefined,
      { ...opt, showGot: false, note: `layer "${top.name}": ${formatBytes(top.arenaBytes)} of synapses and state, ${formatBytes(top.ruleBytes)} of learning state` });
  }
  if (budget.totalBytes > limits.maxMemory) {
    const top = [...budget.layers].sort((a, b) => (b.arenaBytes + b.ruleBytes + b.hostBytes) - (a.arenaBytes + a.ruleBytes + a.hostBytes))[0];
    throw new InputError('--max-memory', `at least ${formatBytes(budget.totalBytes)} for this run (or a smaller network, time window or data set), got ${formatBytes(limits.maxMemory)}`, undefined,
      { ...opt, showGot: false, note: `largest layer "${top.name}": ${top.weights} weights, ${formatBytes(top.arenaBytes + top.ruleBytes + top.hostBytes)} with its teacher and learning state` });
  }
}

/** The layers as the activity record will list them, from the plan (for a does-it-fit-the-hardware check before training). */
export function plannedLayers(b: BudgetInput, budget: RunBudget, analogInput: boolean): ActivityLayer[] {
  const L = b.net.layers.length;
  return b.net.layers.map((l, n) => ({
    name: l.name, nIn: l.nIn, nOut: l.nOut, readout: b.readout && n === L - 1, analogInput: n === 0 && analogInput,
    learningStateBytes: budget.layers[n].ruleBytes,
    ...(l.conv ? { conv: l.conv, weights: convWeightCount(l.conv) } : {}),
    ...(l.type === 'pool' ? { fixed: true } : {}),
  }));
}
