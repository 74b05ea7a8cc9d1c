/**
 * How a chip splits over threads (`--threads N`), without starting any: the limits, what cannot
 * run on threads, the slices and the bytes the threads' buffers take. Node-free (the core and the
 * option table read it); the threads themselves are src/chip/threads.ts, Node's.
 */
import type { ChipSpec } from './chip.js';
import { COUNTER_SLOTS } from '../reference/counters.js';
import { STATE, historyBytes, planBytes } from './thread-loop.js';
import { isIdeal } from './device.js';

/** Bytes of the outer-product writer's scratch in assembly/learning.ts (LEARNING_SCRATCH_BYTES). */
export const SCRATCH_BYTES = (4096 << 2) + ((4096 / 32) << 2);

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
  const i = spec.layers.findIndex((l) => l.conv || l.fixed || l.readout);
  if (i >= 0) {
    const l = spec.layers[i];
    const what = l.conv ? 'a convolution' : l.fixed ? 'a fixed (pooling) layer' : 'a readout layer';
    return `${what} (layer ${i}, ${l.name}; only dense spiking layers run on several threads)`;
  }
  return null;
}

/** Slice bounds of nOut neurons over N threads: multiples of 32 (the kernels' register blocks), as even as that allows. */
export function sliceBounds(nOut: number, threads: number): number[] {
  const b = [0];
  for (let k = 1; k < threads; k++) b.push(Math.min(nOut, Math.max(b[k - 1], Math.round((k * nOut) / threads / 32) * 32)));
  b.push(nOut);
  return b;
}

/** Bytes rounded up to whole cache lines: each thread's buffers start on a line of their own. */
export const alignLine = (n: number) => Math.ceil(n / 64) * 64;

/**
 * Bytes between two threads' weight blocks: the prefetchers fetch about 2 lines past a thread's
 * accesses (docs/speed.md, "Threads"), and a line they pull from a block the other thread writes
 * moves between the cores.
 */
export const BLOCK_GAP = 256;

/** Bytes of one thread's block of a layer's weights (or accumulated changes): nIn rows of its slice's w columns, and the gap after it. */
export const blockBytes = (nIn: number, w: number) => alignLine(nIn * w * 4) + BLOCK_GAP;

/** Bytes of a thread's state block of a slice of w neurons (src/chip/thread-loop.ts STATE), and the gap after it. */
export const stateBytes = (w: number) => STATE.ARRAYS * alignLine(w * 4) + BLOCK_GAP;

/** Bytes the threads' own buffers take for a chip of `spec` on `threads` threads (Chip's threadBytes option). */
export function threadBytes(spec: ChipSpec, threads: number): number {
  let b = BLOCK_GAP + alignLine(spec.maxSteps * spec.inputSize * 4);
  for (let k = 0; k < threads; k++) {
    b += SCRATCH_BYTES;
    for (const l of spec.layers) b += alignLine(COUNTER_SLOTS * 8) + 4 * alignLine(l.nOut * 4);
  }
  // Each thread's slice of every layer's weights and accumulated changes (updates at "sample"), and its state block.
  for (const l of spec.layers) {
    const s = sliceBounds(l.nOut, threads);
    for (let k = 0; k < threads; k++) b += 2 * blockBytes(l.nIn, s[k + 1] - s[k]) + stateBytes(s[k + 1] - s[k]);
  }
  return b + historyBytes(spec.maxSteps, spec.inputSize, spec.layers.map((l) => l.nOut), threads, COUNTER_SLOTS) + planBytes(spec.layers.length, threads);
}

