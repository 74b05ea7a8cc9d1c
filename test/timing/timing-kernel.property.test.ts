// The step timer's wasm kernel (assembly/timing.ts) against its TypeScript twin
// (src/reference/timing.ts), bit for bit: random meshes, placements, networks (dense and
// convolutional), model figures, spike patterns (in and out of neuron order), count deltas and
// phases. Both timers get the same calls; every call's cycles, the arenas' tables and state, the
// header's figures and the final reports must be identical.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mapLayers, type ChipCapacity, type MapPolicy } from '../../src/cost/mapping.js';
import type { HwModel } from '../../src/cost/hwmodel.js';
import type { ActivityLayer } from '../../src/cost/activity.js';
import { COUNTERS } from '../../src/chip/counters.js';
import { COUNTER_SLOTS } from '../../src/reference/counters.js';
import { convOutSize } from '../../src/reference/conv.js';
import { StepTimer, type StepSource } from '../../src/timing/step-timer.js';
import { tinyModel } from '../cost/fixtures.js';
import { createKernels, SPARE_BYTES } from '../../src/chip/kernels.js';

const fig = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 20, noNaN: true, noDefaultInfinity: true }));
const pos = fc.double({ min: 0.01, max: 20, noNaN: true, noDefaultInfinity: true });
const ACTION_NAMES = Object.keys(tinyModel().actions);

/** The tiny model with random timing figures, mesh and input source. */
const modelArb = fc.record({
  nx: fc.integer({ min: 1, max: 4 }), ny: fc.integer({ min: 1, max: 3 }), cpt: fc.integer({ min: 1, max: 3 }),
  lat: fc.array(fig, { minLength: ACTION_NAMES.length, maxLength: ACTION_NAMES.length }),
  lanes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }),
  ov: fc.array(fig, { minLength: 4, maxLength: 4 }),
  hopX: fig, hopY: fig, sent: fig, recv: fig, barrier: pos, port: fc.boolean(),
});

function buildModel(r: fc.RecordValue<typeof modelArb> extends infer T ? T : never): HwModel {
  const m = structuredClone(tinyModel()) as HwModel;
  ACTION_NAMES.forEach((n, i) => { m.actions[n].latency.value = r.lat[i]; });
  (['routing', 'integration', 'neuron', 'learning'] as const).forEach((k, i) => {
    m.cores.lanes[k].value = r.lanes[i];
    m.overheads[k].value = r.ov[i];
  });
  m.noc.mesh.x.value = r.nx; m.noc.mesh.y.value = r.ny; m.noc.mesh.coresPerTile.value = r.cpt;
  m.noc.hopX.latency.value = r.hopX; m.noc.hopY.latency.value = r.hopY;
  m.noc.packetSent.latency.value = r.sent; m.noc.packetReceived.latency.value = r.recv;
  m.noc.inputSource.value = r.port ? 'port' : 'cores';
  m.barrier.latency.value = r.barrier;
  return m;
}

const dense = (name: string, nIn: number, nOut: number, analog = false): ActivityLayer => ({ name, nIn, nOut, readout: false, analogInput: analog, learningStateBytes: 0 });
/** A small convolution: 1 x 4 x 4 in, `k` channels, 3 x 3 kernel, stride 1, padding 1. */
function conv(k: number): ActivityLayer {
  const H = 4, out = convOutSize(H, 3, 1, 1);
  const g = { inChannels: 1, inHeight: H, inWidth: H, channels: k, height: out, width: out, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1, depthwise: false };
  return { name: 'c', nIn: H * H, nOut: k * out * out, readout: false, analogInput: false, learningStateBytes: 0, conv: g };
}

const netArb = fc.record({
  conv: fc.boolean(), k: fc.integer({ min: 1, max: 2 }), nIn: fc.integer({ min: 1, max: 12 }),
  hidden: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }), analog: fc.boolean(),
  policy: fc.constantFrom<MapPolicy>('pack', 'spread', 'layer-per-core'), spare: fc.integer({ min: 0, max: 4 }),
});

const slots = COUNTERS.filter((c) => c.name.startsWith('learn.') || c.name.startsWith('neuron.') || c.name.startsWith('accumulator.') || c.name.startsWith('trace.') || c.name.startsWith('state.') || c.name === 'synapse.write').map((c) => c.slot);

describe('the step timer kernel equals its TypeScript twin bit for bit', () => {
  it('on random meshes, placements, figures, spike patterns and phases', () => {
    fc.assert(fc.property(modelArb, netArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), fc.boolean(), (mr, net, seed, shuffled, hosted) => {
      const model = buildModel(mr);
      const layers: ActivityLayer[] = [];
      let nIn = net.nIn;
      if (net.conv) { layers.push(conv(net.k)); nIn = layers[0].nOut; }
      net.hidden.forEach((n, i) => { layers.push(dense(`d${i}`, nIn, n, i === 0 && !net.conv && net.analog)); nIn = n; });
      const cores = mr.nx * mr.ny * mr.cpt;
      const total = layers.reduce((a, l) => a + l.nOut, 0);
      const cap: ChipCapacity = { chip: 'tiny', cores, neuronsPerCore: Math.ceil(total / cores) + 2 * layers.length + net.spare, synapseBytesPerCore: 1 << 24, learningBytesPerCore: 1 << 24, weightBits: 8, mesh: { x: mr.nx, y: mr.ny, coresPerTile: mr.cpt } };
      let mapping;
      try { mapping = mapLayers(layers, cap, { policy: net.policy }); } catch { fc.pre(false); return; }
      const timers = [new StepTimer(model, mapping, layers, 'wasm'), new StepTimer(model, mapping, layers, 'ts')];
      let s = seed >>> 0;
      const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
      const sizes = [layers[0].nIn, ...layers.map((l) => l.nOut)];
      let ev: Int32Array[] = sizes.map(() => new Int32Array(0));
      const blocks = layers.map(() => new Float64Array(COUNTER_SLOTS));
      // Events at an offset in a larger buffer, as a chip's spike lists sit in its memory; hosted:
      // in a chip's kernels' memory (the wasm timer moves its arena there and reads them in place).
      const host = hosted ? createKernels('wasm', 4 * sizes.reduce((a, n) => a + n + 3, 0), undefined, SPARE_BYTES) : undefined;
      const src: StepSource = host
        ? { host, counters: (l) => blocks[l], events: (l) => {
            const off = (host.base >>> 2) + 3 + sizes.slice(0, l + 1).reduce((a, n) => a + n + 3, 0);
            host.mem.i32.set(ev[l + 1], off);
            return { buf: host.mem.i32, off, n: ev[l + 1].length };
          } }
        : { events: (l) => { const b = new Int32Array(ev[l + 1].length + 3); b.set(ev[l + 1], 3); return { buf: b, off: 3, n: ev[l + 1].length }; }, counters: (l) => blocks[l] };
      const draw = () => {
        const rate = rnd();
        ev = sizes.map((n) => {
          const out: number[] = [];
          for (let i = 0; i < n; i++) if (rnd() < rate) out.push(i);
          if (shuffled) for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
          return Int32Array.from(out);
        });
        for (const b of blocks) for (const k of slots) if (rnd() < 0.5) b[k] += Math.floor(rnd() * 50) + rnd();
      };
      const same = (got: number[]) => {
        expect(Object.is(got[0], got[1])).toBe(true);
        const [a, b] = timers.map((t) => t.arenaState());
        expect(Buffer.compare(Buffer.from(a.tables), Buffer.from(b.tables))).toBe(0);
        expect(Array.from(a.figures)).toEqual(Array.from(b.figures));
      };
      for (const [phase, learning, steps] of [['train', true, 3], ['test', false, 2], ['train', true, 2]] as const) {
        for (const t of timers) t.beginPhase(phase, learning, src);
        for (let k = 0; k < steps; k++) {
          draw();
          same(timers.map((t) => t.step(src)));
        }
        if (learning) {
          for (const b of blocks) for (const k of slots) if (rnd() < 0.5) b[k] += Math.floor(rnd() * 100);
          same(timers.map((t) => t.sampleEnd(src)));
        }
      }
      expect(timers[0].result()).toEqual(timers[1].result());
      expect(timers[0].hosted).toBe(hosted);
    }), { numRuns: 150 });
  });
});
