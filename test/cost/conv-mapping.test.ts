// Convolutions on cores: shared weights per channel held (copies when a channel is split),
// capacities never exceeded, receptive-field reach of a core (NoC packets, row activations).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChipCapacity, MapLayer, mapLayers, MappingError, mapActivity } from '../../src/cost/mapping.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { convReach } from '../../src/cost/reach.js';
import type { ConvGeometry } from '../../src/model/types.js';
import { convFanIn, convOutSize } from '../../src/reference/conv.js';
import { readNetFile, parseNet, Net } from '../../src/net/file.js';
import { exitStatusFor } from '../../src/io/errors.js';
import { costRun } from '../../src/cost/cost.js';
import type { Activity } from '../../src/cost/activity.js';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** Map layers of a net (no learning state). */
function netLayers(file: string | Net): MapLayer[] {
  return (typeof file === 'string' ? readNetFile(join(root, 'nets', file)) : file).layers.map((l) => ({ name: l.name, nIn: l.nIn, nOut: l.nOut, learningStateBytes: 0, ...(l.conv ? { conv: l.conv } : {}) }));
}

const geometry = (inC: number, H: number, W: number, K: number, k: number, s: number, pad: number, depthwise = false): ConvGeometry => ({
  inChannels: inC, inHeight: H, inWidth: W, channels: depthwise ? inC : K, height: convOutSize(H, k, s, pad), width: convOutSize(W, k, s, pad),
  kernelHeight: k, kernelWidth: k, stride: s, padding: pad, depthwise,
});

const convLayer = (name: string, g: ConvGeometry): MapLayer => ({
  name, nIn: g.inChannels * g.inHeight * g.inWidth, nOut: g.channels * g.height * g.width, learningStateBytes: 0, conv: g,
});

describe('mapping convolutions onto cores', () => {
  it('maps a small CNN on Loihi as worked out by hand (pack)', () => {
    const loihi = loadModel('loihi');
    const small = parseNet({
      format: 'ncsim.net/1', input: { channels: 1, height: 28, width: 28 },
      layers: [{ type: 'conv', channels: 8, kernel: 5, stride: 2, padding: 2 }, { type: 'pool', kernel: 2 }, { type: 'dense', units: 128 }, { type: 'dense', units: 10 }],
    });
    const m = mapActivity(netLayers(small).map((l) => ({ ...l, readout: false, analogInput: false })), loihi, { policy: 'pack' });
    // c1: 8 channels x 14x14 = 196 positions, 25 shared weights (1 B each) per channel.
    // core 0: channels 0-4 whole (980 neurons) + 44 of channel 5 -> 1024 neurons, 6 channels' weights = 150 B;
    // core 1: the other 152 of channel 5 + channels 6, 7 (544 neurons, 3 channels = 75 B; channel 5 stored twice),
    //         p1 (392 neurons, depthwise 2x2: 8 channels x 4 B = 32 B), then 88 of h1 (88 x 392 B);
    // core 2: the other 40 of h1 (40 x 392 B) and out (10 x 128 B).
    expect(m.layers.map((l) => l.slices.map((s) => [s.core, s.firstNeuron, s.neurons]))).toEqual([
      [[0, 0, 1024], [1, 1024, 544]],
      [[1, 0, 392]],
      [[1, 0, 88], [2, 88, 40]],
      [[2, 0, 10]],
    ]);
    expect(m.cores.map((c) => [c.neurons, c.synapseBytes])).toEqual([
      [1024, 150],
      [544 + 392 + 88, 75 + 32 + 88 * 392],
      [50, 40 * 392 + 10 * 128],
    ]);
  });

  it('splits a channel too big for one core by positions, each core storing a copy of its weights', () => {
    const cap: ChipCapacity = { chip: 'c', cores: 16, neuronsPerCore: 100, synapseBytesPerCore: 1000, learningBytesPerCore: 0, weightBits: 8, mesh: { x: 4, y: 4, coresPerTile: 1 } };
    const g = geometry(3, 16, 16, 2, 3, 1, 1); // 2 channels x 256 positions, 27 weights each
    const m = mapLayers([convLayer('c', g)], cap);
    expect(m.layers[0].slices.map((s) => s.neurons)).toEqual([100, 100, 100, 100, 100, 12]);
    // core 2 holds the tail of channel 0 (56) and the head of channel 1 (44): both channels' weights
    expect(m.cores.map((c) => c.synapseBytes)).toEqual([27, 27, 54, 27, 27, 27]);
  });

  it('never exceeds a capacity and stores the weights of every channel a core touches (random geometries)', () => {
    const arbGeo = fc.record({
      inC: fc.integer({ min: 1, max: 6 }), H: fc.integer({ min: 1, max: 12 }), W: fc.integer({ min: 1, max: 12 }), K: fc.integer({ min: 1, max: 8 }),
      k: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 3 }), pad: fc.integer({ min: 0, max: 2 }), dw: fc.boolean(),
    }).filter((r) => 2 * r.pad <= r.k && r.H + 2 * r.pad >= r.k && r.W + 2 * r.pad >= r.k)
      .map((r) => geometry(r.inC, r.H, r.W, r.K, r.k, r.s, r.pad, r.dw));
    const arbCap = fc.record({
      cores: fc.integer({ min: 1, max: 40 }), neuronsPerCore: fc.integer({ min: 1, max: 200 }),
      synapseBytesPerCore: fc.integer({ min: 1, max: 400 }), weightBits: fc.integer({ min: 1, max: 9 }),
    }).map((c): ChipCapacity => ({ chip: 'random', ...c, learningBytesPerCore: 0, mesh: { x: c.cores, y: 1, coresPerTile: 1 } }));
    fc.assert(fc.property(fc.array(arbGeo, { minLength: 1, maxLength: 3 }), arbCap, fc.constantFrom('pack' as const, 'layer-per-core' as const, 'spread' as const), (geos, cap, policy) => {
      const layers = geos.map((g, i) => convLayer(`c${i}`, g));
      let m;
      try {
        m = mapLayers(layers, cap, { policy });
      } catch (e) {
        if (!(e instanceof MappingError)) throw e;
        expect(layers.map((l) => l.name)).toContain(e.layer);
        expect(exitStatusFor(e)).toBe(2);
        return;
      }
      for (const c of m.cores) {
        expect(c.neurons).toBeLessThanOrEqual(cap.neuronsPerCore);
        expect(c.synapseBytes).toBeLessThanOrEqual(cap.synapseBytesPerCore);
        for (const s of c.slices) {
          const g = layers[s.layer].conv as ConvGeometry, P = g.height * g.width;
          const channels = Math.floor((s.firstNeuron + s.neurons - 1) / P) - Math.floor(s.firstNeuron / P) + 1;
          expect(s.synapseBytes).toBe(Math.ceil((channels * convFanIn(g) * cap.weightBits) / 8));
        }
      }
      layers.forEach((l, li) => {
        const slices = m.layers[li].slices;
        expect(slices.reduce((a, s) => a + s.neurons, 0)).toBe(l.nOut);
        expect(new Set(slices.map((s) => s.core)).size).toBe(slices.length); // one slice per core and layer
      });
    }), { numRuns: 300 });
  });

  it('refuses full-width VGG-11 on one Loihi chip: 183,306 neurons for 128 x 1,024 compartments', () => {
    const g = (inC: number, side: number, K: number) => geometry(inC, side, side, K, 3, 1, 1);
    const pool = (C: number, side: number) => geometry(C, side, side, C, 2, 2, 0, true);
    const layers = [
      convLayer('c1', g(3, 32, 64)), convLayer('p1', pool(64, 32)), convLayer('c2', g(64, 16, 128)), convLayer('p2', pool(128, 16)),
      convLayer('c3', g(128, 8, 256)), convLayer('c4', g(256, 8, 256)),
    ];
    let err: unknown;
    try { mapLayers(layers, { chip: 'loihi', cores: 128, neuronsPerCore: 1024, synapseBytesPerCore: 131072, learningBytesPerCore: 16384, weightBits: 8, mesh: { x: 8, y: 4, coresPerTile: 4 } }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(MappingError);
    // c1 64 + p1 16 + c2 32 + p2 8 = 120 cores; c3 gets the last 8 and 8,192 of its neurons are left
    expect((err as MappingError).layer).toBe('c3');
    expect((err as MappingError).overflow.neurons).toBe(8192);
    expect((err as Error).message).toMatch(/^network layer "c3" does not fit chip "loihi": all 128 cores are used and 8,192 of its 16,384 neurons are left over/);
  });

  it('maps the shipped vgg11-32 on Loihi within 128 cores', () => {
    const m = mapActivity(netLayers('vgg11-32.json').map((l) => ({ ...l, readout: false, analogInput: false })), loadModel('loihi'), { policy: 'pack' });
    expect(m.cores.length).toBeLessThanOrEqual(128);
    for (const c of m.cores) expect(c.neurons).toBeLessThanOrEqual(1024);
  });
});

describe('receptive-field reach of a core (convReach)', () => {
  it('counts a hand example: the first 2x2 output of a 3x3 kernel over a 4x4 image', () => {
    const g = geometry(1, 4, 4, 1, 3, 1, 0);
    const r = convReach(g, 0, 1); // output (0, 0) sees rows 0-2, columns 0-2
    expect(r.fraction).toBe(9 / 16);
    expect(r.reached(0, 4)).toBe(3); // the first input row: columns 0-2
    expect(r.reached(12, 4)).toBe(0); // the last row is outside
    const pool = geometry(2, 4, 4, 2, 2, 2, 0, true); // depthwise: channel 1's outputs see channel 1 only
    expect(convReach(pool, 4, 4).reached(0, 16)).toBe(0);
    expect(convReach(pool, 4, 4).reached(16, 16)).toBe(16);
  });

  it('agrees with enumerating every synapse (random geometries and slices)', () => {
    fc.assert(fc.property(
      fc.record({ inC: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 2, max: 7 }), W: fc.integer({ min: 2, max: 7 }), K: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }), dw: fc.boolean() }),
      fc.nat(), fc.nat(), fc.nat(), fc.nat(),
      (r, a0, n0, b0, m0) => {
        fc.pre(2 * r.pad <= r.k && r.H + 2 * r.pad >= r.k && r.W + 2 * r.pad >= r.k);
        const g = geometry(r.inC, r.H, r.W, r.K, r.k, r.s, r.pad, r.dw);
        const nOut = g.channels * g.height * g.width, nIn = r.inC * r.H * r.W;
        const first = a0 % nOut, count = 1 + (n0 % (nOut - first));
        const a = b0 % nIn, n = 1 + (m0 % (nIn - a));
        // brute force: every output neuron of the slice, every synapse
        const hit = new Uint8Array(nIn);
        for (let i = first; i < first + count; i++) {
          const k = Math.floor(i / (g.height * g.width)), p = i % (g.height * g.width), oy = Math.floor(p / g.width), ox = p % g.width;
          for (let c = 0; c < r.inC; c++) {
            if (g.depthwise && c !== k) continue;
            for (let dy = 0; dy < r.k; dy++) for (let dx = 0; dx < r.k; dx++) {
              const iy = oy * r.s + dy - r.pad, ix = ox * r.s + dx - r.pad;
              if (iy >= 0 && iy < r.H && ix >= 0 && ix < r.W) hit[(c * r.H + iy) * r.W + ix] = 1;
            }
          }
        }
        let want = 0;
        for (let j = a; j < a + n; j++) want += hit[j];
        expect(convReach(g, first, count).reached(a, n)).toBe(want);
      }), { numRuns: 500 });
  });

  it('routes a pooling core only the spikes of its own channels', () => {
    // c1: 2 channels of 4x4 on core 0; p1 (2x2 pool) split by channel over cores 0 and 1 by a
    // core of 4 B synapse memory (one pool channel's 4 weights): each pool core must get only its
    // channel's spikes (half of c1's).
    const c1 = geometry(1, 4, 4, 2, 1, 1, 0), p1 = geometry(2, 4, 4, 2, 2, 2, 0, true);
    const act: Activity = {
      schema: 'ncsim.activity/1', rule: 'none', timeWindow: 1, inputSize: 16, samplesPerEpoch: 0,
      layers: [
        { name: 'c1', nIn: 16, nOut: 32, readout: false, analogInput: false, learningStateBytes: 0, conv: c1, weights: 2 },
        { name: 'p1', nIn: 32, nOut: 8, readout: false, analogInput: false, learningStateBytes: 0, conv: p1, weights: 8, fixed: true },
      ],
      host: { teacherFlopsPerSample: 0, bytesToChipPerSample: 0, bytesToHostPerSample: 0 },
      phases: {
        train: { samples: 0, steps: 0, learning: false, counters: { c1: {}, p1: {} } },
        test: { samples: 1, steps: 1, learning: false, counters: { c1: { 'synapse.event': 16, 'neuron.spike': 32 }, p1: { 'synapse.event': 32 } } },
      },
    };
    const model = loadModel('loihi');
    const mapping = mapLayers(act.layers, { chip: 'tiny', cores: 3, neuronsPerCore: 36, synapseBytesPerCore: 4, learningBytesPerCore: 0, weightBits: 8, mesh: { x: 3, y: 1, coresPerTile: 1 } });
    expect(mapping.layers[1].slices.map((s) => [s.core, s.neurons])).toEqual([[1, 4], [2, 4]]);
    const noc = costRun(act, model, mapping).phases.test.noc;
    // 16 input packets to c1's core 0 (all reach it); c1's 32 spikes: core 0's 32 neurons hold
    // all of c1, 16 of each channel, so 16 packets to each pool core (not 32 to each)
    expect(mapping.layers[0].slices.map((s) => [s.core, s.neurons])).toEqual([[0, 32]]);
    expect(noc.inputPackets).toBe(16);
    // loihi's input events come from spike sources on c1's core (noc.inputSource "cores"): sent there too
    expect(noc.packetsSent).toBe(32 + 16);
    expect(costRun(act, { ...model, noc: { ...model.noc, inputSource: { value: 'port', source: 'test' } } }, mapping).phases.test.noc.packetsSent).toBe(32);
  });
});
