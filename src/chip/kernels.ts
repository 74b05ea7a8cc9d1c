/**
 * The chip's circuits behind one interface with two backends: the wasm kernels (assembly/)
 * and their TypeScript twins (src/reference/). Both work on the same arena layout with the
 * same byte pointers, so any chip can run on either and the two can be compared bit for bit.
 */
import { Mem, viewsOf } from '../reference/memory.js';
import * as synapse from '../reference/synapse.js';
import * as neuron from '../reference/neuron.js';
import * as accumulator from '../reference/accumulator.js';
import * as learning from '../reference/learning.js';
import * as state from '../reference/state.js';
import * as backprop from '../reference/backprop.js';
import * as readout from '../reference/readout.js';
import * as traces from '../reference/traces.js';
import * as device from '../reference/device.js';
import * as conv from '../reference/conv.js';
import * as loihi from '../reference/loihi.js';
import * as timing from '../reference/timing.js';
import { instantiateKernels, instantiateSharedKernels, sharedKernelsModule, WasmExports } from './wasm.js';
import { ARENA_ALIGN } from './arena.js';

export type Backend = 'wasm' | 'ts';

export interface Kernels {
  readonly backend: Backend;
  /** Byte pointer of the arena's first byte. */
  readonly base: number;
  /** Views of the memory holding the arena (valid for the chip's lifetime: memory never grows after allocation). */
  readonly mem: Mem;
  /** The kernels on shared memory (createKernels' `shared`), for worker threads; absent otherwise. */
  readonly shared?: SharedKernels;
  /**
   * Room after the arena (wasm, one thread, when asked: a chip's) for one step timer's arena
   * (src/timing/step-timer.ts), so that its kernel runs in this instance and reads the chip's
   * event lists in place; `taken` once a timer moved in.
   */
  readonly spare?: { at: number; bytes: number; taken: boolean };
  gatherEvents(xPtr: number, n: number, idxPtr: number, valPtr: number): number;
  integrate(wtPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number, biasPtr: number, iPtr: number, cnt: number): void;
  neuronStep(n: number, iPtr: number, uPtr: number, sPrevPtr: number, sPtr: number, spikeIdxPtr: number, thrPtr: number, thrStride: number, leakPtr: number, leakStride: number, reset: number, cnt: number): number;
  accumulate(spikeIdxPtr: number, nSpikes: number, cPtr: number, maxCount: number, cnt: number): void;
  ltlOnlineSignal(n: number, cPtr: number, targetPtr: number, uPtr: number, thrPtr: number, thrStride: number, t: number, width: number, height: number, errorMode: number, negLr: number, mPtr: number, activeIdxPtr: number, cnt: number): number;
  outerUpdate(dstPtr: number, dstBiasPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number, mPtr: number, activeIdxPtr: number, nActive: number, writesWeights: number, cnt: number): void;
  applyAccumulated(wPtr: number, gPtr: number, n: number, bPtr: number, gbPtr: number, nb: number, cnt: number): void;
  // State memory of BPTT-style rules (assembly/state.ts)
  storeState(srcPtr: number, n: number, dstPtr: number, cnt: number): void;
  storeEvents(idxPtr: number, valPtr: number, nEv: number, analog: number, n: number, dstPtr: number, cnt: number): void;
  loadEvents(rowPtr: number, n: number, idxPtr: number, valPtr: number, cnt: number): number;
  // Back-propagation through time and SGD (assembly/backprop.ts)
  ltlOfflineError(n: number, steps: number, cPtr: number, targetPtr: number, zetaPtr: number, cnt: number): void;
  surrogateBackStep(n: number, uPtr: number, sPtr: number, errPtr: number, thrPtr: number, thrStride: number, leakPtr: number, leakStride: number, reset: number, width: number, height: number, carryPtr: number, dIPtr: number, activeIdxPtr: number, cnt: number): number;
  backpropError(wtPtr: number, nIn: number, nOut: number, dPtr: number, activeIdxPtr: number, nActive: number, dstPtr: number, cnt: number): void;
  sgdApply(wPtr: number, gPtr: number, n: number, bPtr: number, gbPtr: number, nb: number, lr: number, cnt: number): void;
  sgdApplyClamped(pPtr: number, gPtr: number, n: number, lr: number, lo: number, hi: number): void;
  // Readout cross-entropy error (assembly/readout.ts)
  readoutError(n: number, oPtr: number, label: number, dPtr: number, activeIdxPtr: number, cnt: number): number;
  // STOP traces and gradients (assembly/traces.ts)
  traceSynapses(ePtr: number, nIn: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number, leakPtr: number, leakStride: number, cnt: number): void;
  traceNeurons(n: number, ebPtr: number, leakPtr: number, leakStride: number, learnTL: number, ethPtr: number, eaPtr: number, sPrevPtr: number, uPrevPtr: number, uPtr: number, cnt: number): void;
  stopDelta(n: number, dSPtr: number, uPtr: number, thrPtr: number, thrStride: number, width: number, height: number, deltaPtr: number, activeIdxPtr: number, cnt: number): number;
  stopGrad(nIn: number, nOut: number, gPtr: number, gbPtr: number, eWPtr: number, eWPerNeuron: number, ebPtr: number, ebStride: number, deltaPtr: number, activeIdxPtr: number, nActive: number, learnTL: number, ethPtr: number, eaPtr: number, gthPtr: number, gaPtr: number, gaStride: number, cnt: number): void;
  /** STOP updating at "step": stopGrad's contributions written into W, b (x lrW) and, learnTL, thresholds and leaks (x lrTL, clamped) at once. */
  stopStep(nIn: number, nOut: number, wPtr: number, bPtr: number, eWPtr: number, eWPerNeuron: number, ebPtr: number, ebStride: number, deltaPtr: number, activeIdxPtr: number, nActive: number, lrW: number, learnTL: number, ethPtr: number, eaPtr: number, thrPtr: number, leakPtr: number, leakStride: number, lrTL: number, minParam: number, cnt: number): void;
  // Convolution with shared weights, event-driven, its online LTL writer, and the gradient rules' circuits (assembly/conv.ts)
  convIntegrate(geoPtr: number, wPtr: number, idxPtr: number, valPtr: number, nEv: number, analog: number, biasPtr: number, iPtr: number, cnt: number): void;
  convOuterUpdate(geoPtr: number, dstPtr: number, dstBiasPtr: number, idxPtr: number, valPtr: number, nEv: number, analog: number, mPtr: number, activeIdxPtr: number, nActive: number, writesWeights: number, cnt: number): void;
  convBackpropError(geoPtr: number, wPtr: number, dPtr: number, activeIdxPtr: number, nActive: number, dstPtr: number, cnt: number): void;
  convTraceSynapses(geoPtr: number, ePtr: number, idxPtr: number, valPtr: number, nEv: number, analog: number, leakPtr: number, cnt: number): void;
  convStopGrad(geoPtr: number, gPtr: number, gbPtr: number, eWPtr: number, ebPtr: number, deltaPtr: number, activeIdxPtr: number, nActive: number, learnTL: number, ethPtr: number, eaPtr: number, gthPtr: number, gaPtr: number, cnt: number): void;
  convStopStep(geoPtr: number, wPtr: number, bPtr: number, eWPtr: number, ebPtr: number, deltaPtr: number, activeIdxPtr: number, nActive: number, lrW: number, learnTL: number, ethPtr: number, eaPtr: number, thrPtr: number, leakPtr: number, lrTL: number, minParam: number, cnt: number): void;
  // Device non-idealities and the fixed-point mode (assembly/device.ts)
  integrateGain(wtPtr: number, gainPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number, biasPtr: number, iPtr: number, cnt: number): void;
  membraneNoise(iPtr: number, n: number, scale: number, rngPtr: number): void;
  quantizeWeights(wPtr: number, n: number, step: number, invStep: number, half: number, maxLevel: number, noiseScale: number, rngPtr: number, cnt: number): void;
  deviceOuterUpdate(wPtr: number, biasPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number, mPtr: number, activeIdxPtr: number, nActive: number, step: number, invStep: number, half: number, maxLevel: number, noiseScale: number, stochastic: number, rngPtr: number, cnt: number): void;
  deviceApply(wPtr: number, gPtr: number, n: number, bPtr: number, gbPtr: number, nb: number, step: number, invStep: number, half: number, maxLevel: number, noiseScale: number, stochastic: number, rngPtr: number, cnt: number): void;
  gatherEventsFixed(xPtr: number, n: number, idxPtr: number, valPtr: number, xScale: number, xMax: number, cnt: number): number;
  integrateFixed(wtPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number, xScale: number, shiftAnalog: number, shiftSpike: number, biasPtr: number, iPtr: number, stateMax: number, roundMode: number, cnt: number): void;
  neuronStepFixed(n: number, iPtr: number, uPtr: number, sPrevPtr: number, sPtr: number, spikeIdxPtr: number, thrPtr: number, thrStride: number, leakPtr: number, leakStride: number, leakMode: number, decayBits: number, reset: number, stateMax: number, roundMode: number, cnt: number): number;
  membraneNoiseFixed(iPtr: number, n: number, scale: number, stateMax: number, rngPtr: number, cnt: number): void;
  ltlOnlineSignalFixed(n: number, cPtr: number, targetPtr: number, uPtr: number, thrPtr: number, thrStride: number, t: number, halfQ: number, height: number, errorMode: number, negLr: number, mPtr: number, activeIdxPtr: number, cnt: number): number;
  fixedOuterUpdate(wPtr: number, biasPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number, mPtr: number, activeIdxPtr: number, nActive: number, invSw: number, invSu: number, wMax: number, stateMax: number, stochastic: number, rngPtr: number, cnt: number): void;
  fixedApply(wPtr: number, gPtr: number, n: number, bPtr: number, gbPtr: number, nb: number, invSw: number, invSu: number, wMax: number, stateMax: number, stochastic: number, rngPtr: number, cnt: number): void;
  // Loihi's bit-accurate Dense synapses and current-based neuron (assembly/loihi.ts)
  loihiDendrite(wtPtr: number, nOut: number, idxPtr: number, nEv: number, weightExp: number, aPtr: number, cnt: number): void;
  loihiNeuronStep(n: number, aPtr: number, curPtr: number, vPtr: number, sPrevPtr: number, sPtr: number, spikeIdxPtr: number, duPtr: number, duStride: number, dvPtr: number, dvStride: number, biasPtr: number, vthPtr: number, vthStride: number, cnt: number): number;
  // The per-step timing on the mesh, over a timer arena laid out by src/timing/step-timer.ts (assembly/timing.ts)
  timingStep(ctx: number, ovLearning: number): number;
  timingSampleEnd(ctx: number, ovLearning: number): number;
}

/**
 * What worker threads need of kernels on shared memory: the module and the memory to instantiate
 * it on, the main thread's instance, and `extraBytes` of zeroed memory at `extra` (16-byte
 * aligned, after the arena) for the threads' own buffers.
 */
export interface SharedKernels {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: WasmExports;
  extra: number;
  extraBytes: number;
}

/**
 * Allocate an arena of `bytes` on the chosen backend and return its kernels. `shared`: the wasm
 * kernels built for shared memory, with `extraBytes` more for worker threads (src/chip/threads.ts).
 * `spareBytes`: room after a wasm arena for a step timer's (Kernels.spare; a chip asks for
 * SPARE_BYTES); on shared memory the threads' buffers follow it.
 */
export function createKernels(backend: Backend, bytes: number, shared?: { extraBytes: number }, spareBytes = 0): Kernels {
  if (shared) {
    if (backend !== 'wasm') throw new RangeError(`shared memory needs the wasm backend, not ${backend}`);
    return wasmKernels(bytes, shared.extraBytes, spareBytes);
  }
  return backend === 'wasm' ? wasmKernels(bytes, undefined, spareBytes) : tsKernels(bytes);
}

/** Bytes of spare room a chip keeps after its wasm arena: a dense net's step timer on any shipped model fits (about 40 KB on loihi spread). */
export const SPARE_BYTES = 256 * 1024;

function wasmKernels(bytes: number, extraBytes?: number, spareBytes = 0): Kernels {
  let ex: WasmExports;
  let shared: SharedKernels | undefined;
  const padded = Math.ceil(bytes / ARENA_ALIGN) * ARENA_ALIGN;
  if (extraBytes !== undefined) {
    const module = sharedKernelsModule();
    // Sized up front (static data, arena, threads' buffers, slack) so that memory never grows:
    // every thread's views stay whole.
    const pages = Math.ceil((padded + spareBytes + extraBytes + (1 << 20)) / 65536) + 16;
    if (pages > 65536) throw new RangeError(`the chip needs ${pages} pages of shared memory; wasm32 has 65536`);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    ex = instantiateSharedKernels(module, memory);
    shared = { module, memory, exports: ex, extra: 0, extraBytes };
  } else {
    ex = instantiateKernels();
  }
  // The arena's buffers start on cache lines (src/chip/arena.ts ARENA_ALIGN), so its base does too.
  const base = ex.alloc(padded + (extraBytes ?? 0) + spareBytes + ARENA_ALIGN);
  const aligned = Math.ceil(base / ARENA_ALIGN) * ARENA_ALIGN;
  const mem = viewsOf(ex.memory.buffer as ArrayBuffer);
  // Freshly grown wasm memory is zero, but heap.alloc does not promise it: zero the arena.
  new Uint8Array(ex.memory.buffer, aligned, bytes).fill(0);
  if (shared) {
    shared.extra = aligned + padded + spareBytes;
    new Uint8Array(ex.memory.buffer, shared.extra, shared.extraBytes).fill(0);
  }
  return {
    backend: 'wasm', base: aligned, mem, ...(shared ? { shared } : {}), ...(spareBytes > 0 ? { spare: { at: aligned + padded, bytes: spareBytes, taken: false } } : {}),
    gatherEvents: ex.gatherEvents,
    integrate: ex.integrate,
    neuronStep: ex.neuronStep,
    accumulate: ex.accumulate,
    ltlOnlineSignal: ex.ltlOnlineSignal,
    outerUpdate: ex.outerUpdate,
    applyAccumulated: ex.applyAccumulated,
    storeState: ex.storeState,
    storeEvents: ex.storeEvents,
    loadEvents: ex.loadEvents,
    ltlOfflineError: ex.ltlOfflineError,
    surrogateBackStep: ex.surrogateBackStep,
    backpropError: ex.backpropError,
    sgdApply: ex.sgdApply,
    sgdApplyClamped: ex.sgdApplyClamped,
    readoutError: ex.readoutError,
    traceSynapses: ex.traceSynapses,
    traceNeurons: ex.traceNeurons,
    stopDelta: ex.stopDelta,
    stopGrad: ex.stopGrad,
    stopStep: ex.stopStep,
    integrateGain: ex.integrateGain,
    membraneNoise: ex.membraneNoise,
    quantizeWeights: ex.quantizeWeights,
    deviceOuterUpdate: ex.deviceOuterUpdate,
    deviceApply: ex.deviceApply,
    gatherEventsFixed: ex.gatherEventsFixed,
    integrateFixed: ex.integrateFixed,
    neuronStepFixed: ex.neuronStepFixed,
    membraneNoiseFixed: ex.membraneNoiseFixed,
    ltlOnlineSignalFixed: ex.ltlOnlineSignalFixed,
    fixedOuterUpdate: ex.fixedOuterUpdate,
    fixedApply: ex.fixedApply,
    convIntegrate: ex.convIntegrate,
    convOuterUpdate: ex.convOuterUpdate,
    convBackpropError: ex.convBackpropError,
    convTraceSynapses: ex.convTraceSynapses,
    convStopGrad: ex.convStopGrad,
    convStopStep: ex.convStopStep,
    loihiDendrite: ex.loihiDendrite,
    loihiNeuronStep: ex.loihiNeuronStep,
    // The loader wraps every export in a rest-arguments function; the step timer calls these once
    // per step (and sample), so it gets the instance's own functions.
    timingStep: unwrapped(ex.timingStep),
    timingSampleEnd: unwrapped(ex.timingSampleEnd),
  };
}

/** The export under @assemblyscript/loader's wrapper (`original`), when there is one. */
function unwrapped<F extends (...a: number[]) => number>(f: F): F {
  // An older kernel build (the bench's previous release, `--wasm FILE`) has no timer: keep it absent.
  return (f === undefined ? f : ((f as F & { original?: F }).original ?? f)) as F;
}

function tsKernels(bytes: number): Kernels {
  const base = 16;
  const m = viewsOf(new ArrayBuffer(base + Math.ceil(bytes / 16) * 16));
  return {
    backend: 'ts', base, mem: m,
    gatherEvents: (x, n, ix, vx) => synapse.gatherEvents(m, x, n, ix, vx),
    integrate: (w, no, ix, vx, ne, an, b, i, c) => synapse.integrate(m, w, no, ix, vx, ne, an, b, i, c),
    neuronStep: (n, i, u, sp, s, ix, th, ts, lk, ls, r, c) => neuron.neuronStep(m, n, i, u, sp, s, ix, th, ts, lk, ls, r, c),
    accumulate: (ix, ns, cp, mx, c) => accumulator.accumulate(m, ix, ns, cp, mx, c),
    ltlOnlineSignal: (n, cp, yp, up, th, ts, t, w, h, em, lr, mp, ap, c) =>
      learning.ltlOnlineSignal(m, n, cp, yp, up, th, ts, t, w, h, em, lr, mp, ap, c),
    outerUpdate: (d, db, no, ix, vx, ne, an, mp, ap, na, ww, c) =>
      learning.outerUpdate(m, d, db, no, ix, vx, ne, an, mp, ap, na, ww, c),
    applyAccumulated: (w, g, n, b, gb, nb, c) => learning.applyAccumulated(m, w, g, n, b, gb, nb, c),
    storeState: (src, n, dst, c) => state.storeState(m, src, n, dst, c),
    storeEvents: (ix, vx, ne, an, n, dst, c) => state.storeEvents(m, ix, vx, ne, an, n, dst, c),
    loadEvents: (row, n, ix, vx, c) => state.loadEvents(m, row, n, ix, vx, c),
    ltlOfflineError: (n, t, cp, yp, zp, c) => backprop.ltlOfflineError(m, n, t, cp, yp, zp, c),
    surrogateBackStep: (n, up, sp, ep, th, ts, lk, ls, r, w, h, cr, di, ap, c) =>
      backprop.surrogateBackStep(m, n, up, sp, ep, th, ts, lk, ls, r, w, h, cr, di, ap, c),
    backpropError: (wt, ni, no, dp, ap, na, dst, c) => backprop.backpropError(m, wt, ni, no, dp, ap, na, dst, c),
    sgdApply: (w, g, n, b, gb, nb, lr, c) => backprop.sgdApply(m, w, g, n, b, gb, nb, lr, c),
    sgdApplyClamped: (p, g, n, lr, lo, hi) => backprop.sgdApplyClamped(m, p, g, n, lr, lo, hi),
    readoutError: (n, op, lb, dp, ap, c) => readout.readoutError(m, n, op, lb, dp, ap, c),
    traceSynapses: (e, ni, no, ix, vx, ne, an, lk, ls, c) => traces.traceSynapses(m, e, ni, no, ix, vx, ne, an, lk, ls, c),
    traceNeurons: (n, eb, lk, ls, tl, eth, ea, sp, upv, up, c) => traces.traceNeurons(m, n, eb, lk, ls, tl, eth, ea, sp, upv, up, c),
    stopDelta: (n, ds, up, th, ts, w, h, dp, ap, c) => traces.stopDelta(m, n, ds, up, th, ts, w, h, dp, ap, c),
    stopGrad: (ni, no, g, gb, ew, epn, eb, ebs, dp, ap, na, tl, eth, ea, gth, ga, gas, c) =>
      traces.stopGrad(m, ni, no, g, gb, ew, epn, eb, ebs, dp, ap, na, tl, eth, ea, gth, ga, gas, c),
    stopStep: (ni, no, w, b, ew, epn, eb, ebs, dp, ap, na, lw, tl, eth, ea, th, lk, ls, lt, mn, c) =>
      traces.stopStep(m, ni, no, w, b, ew, epn, eb, ebs, dp, ap, na, lw, tl, eth, ea, th, lk, ls, lt, mn, c),
    integrateGain: (w, g, no, ix, vx, ne, an, b, i, c) => device.integrateGain(m, w, g, no, ix, vx, ne, an, b, i, c),
    membraneNoise: (i, n, sc, r) => device.membraneNoise(m, i, n, sc, r),
    quantizeWeights: (w, n, st, inv, h, mx, ns, r, c) => device.quantizeWeights(m, w, n, st, inv, h, mx, ns, r, c),
    deviceOuterUpdate: (w, b, no, ix, vx, ne, an, mp, ap, na, st, inv, h, mx, ns, sr, r, c) =>
      device.deviceOuterUpdate(m, w, b, no, ix, vx, ne, an, mp, ap, na, st, inv, h, mx, ns, sr, r, c),
    deviceApply: (w, g, n, b, gb, nb, st, inv, h, mx, ns, sr, r, c) => device.deviceApply(m, w, g, n, b, gb, nb, st, inv, h, mx, ns, sr, r, c),
    gatherEventsFixed: (x, n, ix, vx, sc, mx, c) => device.gatherEventsFixed(m, x, n, ix, vx, sc, mx, c),
    integrateFixed: (w, no, ix, vx, ne, an, sc, sa, ss, b, i, sm, rm, c) => device.integrateFixed(m, w, no, ix, vx, ne, an, sc, sa, ss, b, i, sm, rm, c),
    neuronStepFixed: (n, i, u, sp, s, ix, th, ts, lk, ls, lm, db, r, sm, rm, c) =>
      device.neuronStepFixed(m, n, i, u, sp, s, ix, th, ts, lk, ls, lm, db, r, sm, rm, c),
    membraneNoiseFixed: (i, n, sc, sm, r, c) => device.membraneNoiseFixed(m, i, n, sc, sm, r, c),
    ltlOnlineSignalFixed: (n, cp, yp, up, th, ts, t, hq, h, em, lr, mp, ap, c) =>
      device.ltlOnlineSignalFixed(m, n, cp, yp, up, th, ts, t, hq, h, em, lr, mp, ap, c),
    fixedOuterUpdate: (w, b, no, ix, vx, ne, an, mp, ap, na, iw, iu, wm, sm, sr, r, c) =>
      device.fixedOuterUpdate(m, w, b, no, ix, vx, ne, an, mp, ap, na, iw, iu, wm, sm, sr, r, c),
    fixedApply: (w, g, n, b, gb, nb, iw, iu, wm, sm, sr, r, c) => device.fixedApply(m, w, g, n, b, gb, nb, iw, iu, wm, sm, sr, r, c),
    convIntegrate: (g, w, ix, vx, ne, an, b, i, c) => conv.convIntegrate(m, g, w, ix, vx, ne, an, b, i, c),
    convOuterUpdate: (g, d, db, ix, vx, ne, an, mp, ap, na, ww, c) => conv.convOuterUpdate(m, g, d, db, ix, vx, ne, an, mp, ap, na, ww, c),
    convBackpropError: (g, w, dp, ap, na, dst, c) => conv.convBackpropError(m, g, w, dp, ap, na, dst, c),
    convTraceSynapses: (g, e, ix, vx, ne, an, lk, c) => conv.convTraceSynapses(m, g, e, ix, vx, ne, an, lk, c),
    convStopGrad: (g, gw, gb, ew, eb, dp, ap, na, tl, eth, ea, gth, ga, c) =>
      conv.convStopGrad(m, g, gw, gb, ew, eb, dp, ap, na, tl, eth, ea, gth, ga, c),
    convStopStep: (g, w, b, ew, eb, dp, ap, na, lw, tl, eth, ea, th, lk, lt, mn, c) =>
      conv.convStopStep(m, g, w, b, ew, eb, dp, ap, na, lw, tl, eth, ea, th, lk, lt, mn, c),
    loihiDendrite: (w, no, ix, ne, we, a, c) => loihi.loihiDendrite(m, w, no, ix, ne, we, a, c),
    loihiNeuronStep: (n, a, cu, v, sp, s, ix, du, dus, dv, dvs, b, th, ths, c) =>
      loihi.loihiNeuronStep(m, n, a, cu, v, sp, s, ix, du, dus, dv, dvs, b, th, ths, c),
    timingStep: (ctx, ov) => timing.timingStep(m, ctx, ov),
    timingSampleEnd: (ctx, ov) => timing.timingSampleEnd(m, ctx, ov),
  };
}
