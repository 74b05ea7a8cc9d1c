/**
 * How a chip splits over threads (`--threads N`), without starting any: the limits, what cannot
 * run on threads, the slices and the bytes the threads' buffers take. Node-free (the core and the
 * option table read it); the threads themselves are src/chip/threads.ts, Node's.
 */
import type { ChipSpec } from './chip.js';
import { COUNTER_SLOTS } from '../reference/counters.js';
import { STATE, historyBytes, planBytes } from './thread-loop.js';
import { isIdeal } from './device.js';
import { GEO_SLOTS } from '../reference/conv.js';

/** Bytes of the outer-product writer's scratch in assembly/learning.ts (LEARNING_SCRATCH_BYTES). */
export const SCRATCH_BYTES = (4096 << 2) + ((4096 / 32) << 2);

/** Bytes of the convolution kernels' scratch in assembly/conv.ts (CONV_SCRATCH_BYTES). */
export const CONV_SCRATCH_BYTES = 32768 << 2;

/** The most threads `--threads` takes (a slice per thread of a layer of 32 neurons or more). */
export const MAX_THREADS = 64;

/**
 * `--threads auto` takes a thread per AUTO_SLICE neurons of the network's widest layer, up to the
 * cores: 128-neuron slices pay on the default network (784-256-256-10: 1.6-1.8x the chip loop's
 * samples/s on 2 threads, docs/speed.md "Threads"); narrower slices were not measured, and
 * below them the meetings per step would outweigh the work.
 */
export const AUTO_SLICE = 128;

/** `--threads auto`: threads for a chip whose widest layer has `widest` neurons on `cores` cores (at least 1). */
export function autoThreads(widest: number, cores: number): number {
  return Math.max(1, Math.min(cores, MAX_THREADS, Math.floor(widest / AUTO_SLICE)));
}

/**
 * Why this chip cannot run on several threads (a phrase naming the part), or null when it can.
 * `rule`: the rule's name (absent: no rule, inference only).
 */
export function threadsUnsupported(spec: Pick<ChipSpec, 'layers' | 'device'>, rule?: string): string | null {
  if (rule !== undefined && rule !== 'ltl-online') return `the rule ${rule} (only ltl-online runs on several threads)`;
  if (!isIdeal(spec.device)) return 'a chip with device non-idealities or fixed point (only the ideal f32 chip runs on several threads)';
  const i = spec.layers.findIndex((l) => l.readout);
  if (i >= 0) return `a readout layer (layer ${i}, ${spec.layers[i].name}; only spiking layers run on several threads)`;
  return null;
}

/**
 * Slice bounds of n units over N threads: multiples of `unit` (32 neurons: the dense kernels'
 * register blocks; 4 channels: the convolution kernels' f32x4), as even as that allows.
 */
export function sliceBounds(n: number, threads: number, unit = 32): number[] {
  const b = [0];
  for (let k = 1; k < threads; k++) b.push(Math.min(n, Math.max(b[k - 1], Math.round((k * n) / threads / unit) * unit)));
  b.push(n);
  return b;
}

/** A layer as the threads split it (the chip spec's layer, or its shape). */
type SplitLayer = Pick<ChipSpec['layers'][number], 'nIn' | 'nOut' | 'conv'>;

/**
 * How a layer splits over N threads: its neurons' bounds (threads + 1), its biases' bounds (a
 * convolution has one bias per output channel), and its stored weights as a thread's block sees
 * them: rows x cols row-major, thread k's columns [cols0[k], cols0[k + 1]). Dense: nIn rows of
 * nOut; a convolution, by output channels: C*kh*kw rows (one per tap) of K; a depthwise one, by
 * channels: one row of C*kh*kw (each channel's taps together). A convolution's neurons are
 * channel-major, so a slice of channels is a slice of neurons.
 */
export function layerSplit(l: SplitLayer, threads: number): { neurons: number[]; biases: number[]; rows: number; cols: number; cols0: number[] } {
  const g = l.conv;
  if (!g) {
    const b = sliceBounds(l.nOut, threads);
    return { neurons: b, biases: b, rows: l.nIn, cols: l.nOut, cols0: b };
  }
  const ch = sliceBounds(g.channels, threads, 4), P = g.height * g.width, taps = g.kernelHeight * g.kernelWidth;
  const neurons = ch.map((c) => c * P);
  return g.depthwise
    ? { neurons, biases: ch, rows: 1, cols: g.channels * taps, cols0: ch.map((c) => c * taps) }
    : { neurons, biases: ch, rows: g.inChannels * taps, cols: g.channels, cols0: ch };
}

/** Bytes rounded up to whole cache lines: each thread's buffers start on a line of their own. */
export const alignLine = (n: number) => Math.ceil(n / 64) * 64;

/**
 * Bytes between two threads' weight blocks: the prefetchers fetch about 2 lines past a thread's
 * accesses (docs/speed.md, "Threads"), and a line they pull from a block the other thread writes
 * moves between the cores.
 */
export const BLOCK_GAP = 256;

/** Bytes of one thread's block of a layer's weights (or accumulated changes): `rows` rows of its slice's w columns, and the gap after it. */
export const blockBytes = (rows: number, w: number) => alignLine(rows * w * 4) + BLOCK_GAP;

/** Bytes of a thread's state block of a slice of w neurons (src/chip/thread-loop.ts STATE), and the gap after it. */
export const stateBytes = (w: number) => STATE.ARRAYS * alignLine(w * 4) + BLOCK_GAP;

/** Bytes the threads' own buffers take for a chip of `spec` on `threads` threads (Chip's threadBytes option). */
export function threadBytes(spec: ChipSpec, threads: number): number {
  let b = BLOCK_GAP + alignLine(spec.maxSteps * spec.inputSize * 4);
  for (let k = 0; k < threads; k++) {
    b += SCRATCH_BYTES + CONV_SCRATCH_BYTES;
    for (const l of spec.layers) b += alignLine(COUNTER_SLOTS * 8) + 4 * alignLine(l.nOut * 4);
  }
  // Each thread's slice of every layer's weights and accumulated changes (updates at "sample"),
  // its state block; a convolution's geometry of its channels, a depthwise one's event list.
  for (const l of spec.layers) {
    const s = layerSplit(l, threads);
    for (let k = 0; k < threads; k++) {
      b += 2 * blockBytes(s.rows, s.cols0[k + 1] - s.cols0[k]) + stateBytes(s.neurons[k + 1] - s.neurons[k]);
      if (l.conv) b += alignLine(GEO_SLOTS * 4) + (l.conv.depthwise ? 2 * alignLine(l.nIn * 4) : 0);
    }
  }
  return b + historyBytes(spec.maxSteps, spec.inputSize, spec.layers.map((l) => l.nOut), threads, COUNTER_SLOTS) + planBytes(spec.layers.length, threads);
}

