/**
 * Kernel throughput, wasm vs the TypeScript twin, measured in one run: synaptic events per
 * second (event-driven integration of a 1024x1024 layer at 10-20 % input spike rate) and neuron
 * updates per second; the same for a convolution (benchConvKernels). Both backends run the same calls on the same arena layout.
 */
import { createKernels, Backend } from '../src/chip/kernels.js';
import { ArenaPlan } from '../src/chip/arena.js';
import { Rng } from '../src/host/rng.js';
import { COUNTER_SLOTS, SYN_READS, LEARN_UPDATES } from '../src/reference/counters.js';
import type { ConvGeometry } from '../src/model/types.js';
import { convWeightCount, geometryBlock, GEO_SLOTS } from '../src/reference/conv.js';

export interface KernelBench { backend: Backend; synapticEventsPerSec: number; neuronUpdatesPerSec: number; learnEventsPerSec: number }

function timeIt(minSeconds: number, fn: () => number): number {
  // warm up (JIT tiers), then count work per second
  for (let i = 0; i < 5; i++) fn();
  let work = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minSeconds * 1000) {
    work += fn();
    t = performance.now();
  }
  return work / ((t - t0) / 1000);
}

export function benchKernels(backend: Backend, n = 1024, rate = 0.15, seconds = 1): KernelBench {
  const plan = new ArenaPlan();
  const o = {
    wt: plan.f32(n * n), b: plan.f32(n), i: plan.f32(n), u: plan.f32(n), s0: plan.f32(n), s1: plan.f32(n), ix: plan.i32(n),
    th: plan.f32(1), lk: plan.f32(1), ev: plan.i32(n), val: plan.f32(n), c: plan.i32(n), y: plan.f32(n), m: plan.f32(n),
    act: plan.i32(n), g: plan.f32(n * n), gb: plan.f32(n), cnt: plan.f64(COUNTER_SLOTS),
  };
  const k = createKernels(backend, plan.totalBytes);
  const p = (off: number) => k.base + off;
  const rng = new Rng(42);
  const f32 = k.mem.f32;
  for (let q = 0; q < n * n; q++) f32[(p(o.wt) >>> 2) + q] = (rng.uniform() - 0.5) * 0.1;
  f32[p(o.th) >>> 2] = 1;
  f32[p(o.lk) >>> 2] = 0.95;
  // a fixed 15 % of presynaptic neurons spike
  const nEv = Math.round(rate * n);
  const idx = Array.from({ length: n }, (_, j) => j);
  rng.shuffle(idx);
  const events = idx.slice(0, nEv).sort((a, b) => a - b);
  k.mem.i32.set(events, p(o.ev) >>> 2);
  for (let q = 0; q < n; q++) {
    f32[(p(o.y) >>> 2) + q] = rng.uniform();
    f32[(p(o.u) >>> 2) + q] = rng.uniform() * 2;
    k.mem.u32[(p(o.c) >>> 2) + q] = rng.int(8);
  }
  const synapticEventsPerSec = timeIt(seconds, () => {
    k.integrate(p(o.wt), n, p(o.ev), p(o.val), nEv, 0, p(o.b), p(o.i), p(o.cnt));
    return nEv * n;
  });
  const neuronUpdatesPerSec = timeIt(seconds, () => {
    for (let r = 0; r < 16; r++) k.neuronStep(n, p(o.i), p(o.u), p(o.s0), p(o.s1), p(o.ix), p(o.th), 0, p(o.lk), 0, 0, p(o.cnt));
    return 16 * n;
  });
  const learnEventsPerSec = timeIt(seconds, () => {
    const na = k.ltlOnlineSignal(n, p(o.c), p(o.y), p(o.u), p(o.th), 0, 8, 1, 1, 0, -1e-3, p(o.m), p(o.act), p(o.cnt));
    k.outerUpdate(p(o.g), p(o.gb), n, p(o.ev), p(o.val), nEv, 0, p(o.m), p(o.act), na, 0, p(o.cnt));
    return nEv * na;
  });
  return { backend, synapticEventsPerSec, neuronUpdatesPerSec, learnEventsPerSec };
}

export interface ConvKernelBench { backend: Backend; synapticEventsPerSec: number; learnEventsPerSec: number }

/**
 * The convolution kernels (assembly/conv.ts vs src/reference/conv.ts): a 3x3 / 1, padding 1
 * convolution from C x side x side to K x side x side at `rate` presynaptic spikes. A synaptic
 * event is a weight read (one per spike, valid kernel offset and output channel), as for the
 * dense kernel; a learning event is a shared-weight update issued by convOuterUpdate with every
 * neuron's learning signal nonzero (the dense count).
 */
export function benchConvKernels(backend: Backend, C = 16, side = 16, K = 32, rate = 0.15, seconds = 1): ConvKernelBench {
  const g: ConvGeometry = { inChannels: C, inHeight: side, inWidth: side, channels: K, height: side, width: side, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1, depthwise: false };
  const nIn = C * side * side, nOut = K * side * side, nW = convWeightCount(g);
  const plan = new ArenaPlan();
  const o = {
    geo: plan.i32(GEO_SLOTS), wt: plan.f32(nW), b: plan.f32(K), i: plan.f32(nOut), ev: plan.i32(nIn), val: plan.f32(nIn),
    m: plan.f32(nOut), act: plan.i32(nOut), cnt: plan.f64(COUNTER_SLOTS),
  };
  const k = createKernels(backend, plan.totalBytes);
  const p = (off: number) => k.base + off;
  const rng = new Rng(42);
  const f32 = k.mem.f32;
  k.mem.i32.set(geometryBlock(g), p(o.geo) >>> 2);
  for (let q = 0; q < nW; q++) f32[(p(o.wt) >>> 2) + q] = (rng.uniform() - 0.5) * 0.1;
  const nEv = Math.round(rate * nIn);
  const idx = Array.from({ length: nIn }, (_, j) => j);
  rng.shuffle(idx);
  k.mem.i32.set(idx.slice(0, nEv).sort((a, b) => a - b), p(o.ev) >>> 2);
  for (let q = 0; q < nOut; q++) {
    f32[(p(o.m) >>> 2) + q] = (rng.uniform() - 0.5) * 1e-3;
    k.mem.i32[(p(o.act) >>> 2) + q] = q;
  }
  const cnt = k.mem.f64.subarray(p(o.cnt) >>> 3, (p(o.cnt) >>> 3) + COUNTER_SLOTS);
  // the work of one call, from the kernels' own counters
  k.convIntegrate(p(o.geo), p(o.wt), p(o.ev), p(o.val), nEv, 0, p(o.b), p(o.i), p(o.cnt));
  const reads = cnt[SYN_READS];
  const before = cnt[LEARN_UPDATES];
  k.convOuterUpdate(p(o.geo), p(o.wt), p(o.b), p(o.ev), p(o.val), nEv, 0, p(o.m), p(o.act), nOut, 1, p(o.cnt));
  const updates = cnt[LEARN_UPDATES] - before;
  const synapticEventsPerSec = timeIt(seconds, () => {
    k.convIntegrate(p(o.geo), p(o.wt), p(o.ev), p(o.val), nEv, 0, p(o.b), p(o.i), p(o.cnt));
    return reads;
  });
  const learnEventsPerSec = timeIt(seconds, () => {
    k.convOuterUpdate(p(o.geo), p(o.wt), p(o.b), p(o.ev), p(o.val), nEv, 0, p(o.m), p(o.act), nOut, 1, p(o.cnt));
    return updates;
  });
  return { backend, synapticEventsPerSec, learnEventsPerSec };
}
