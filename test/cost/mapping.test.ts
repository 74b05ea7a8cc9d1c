import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChipCapacity, MapLayer, mapLayers, MappingError, mapActivity, corePlace } from '../../src/cost/mapping.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { exitStatusFor, InputError } from '../../src/io/errors.js';

const arbCap: fc.Arbitrary<ChipCapacity> = fc.record({
  meshX: fc.integer({ min: 1, max: 6 }),
  meshY: fc.integer({ min: 1, max: 6 }),
  perTile: fc.integer({ min: 1, max: 4 }),
  neuronsPerCore: fc.integer({ min: 1, max: 300 }),
  synapseBytesPerCore: fc.integer({ min: 1, max: 20000 }),
  learningBytesPerCore: fc.integer({ min: 0, max: 5000 }),
  weightBits: fc.integer({ min: 1, max: 16 }),
}).chain((c) => fc.integer({ min: 1, max: c.meshX * c.meshY * c.perTile }).map((cores) => ({
  chip: 'random', cores, neuronsPerCore: c.neuronsPerCore, synapseBytesPerCore: c.synapseBytesPerCore,
  learningBytesPerCore: c.learningBytesPerCore, weightBits: c.weightBits, mesh: { x: c.meshX, y: c.meshY, coresPerTile: c.perTile },
})));

const arbLayers: fc.Arbitrary<MapLayer[]> = fc.array(
  fc.record({ nIn: fc.integer({ min: 1, max: 400 }), nOut: fc.integer({ min: 1, max: 400 }), perNeuron: fc.integer({ min: 0, max: 40 }), extra: fc.integer({ min: 0, max: 10 }) }),
  { minLength: 1, maxLength: 5 },
).map((ls) => ls.map((l, i) => ({ name: `l${i}`, nIn: l.nIn, nOut: l.nOut, learningStateBytes: l.perNeuron * l.nOut + l.extra })));

/** Check a mapping against its capacity and its layers. */
function checkMapping(layers: MapLayer[], cap: ChipCapacity, policy: 'pack' | 'layer-per-core' = 'pack') {
  const m = mapLayers(layers, cap, { policy });
  if (policy === 'layer-per-core') for (const c of m.cores) expect(new Set(c.slices.map((s) => s.layer)).size).toBe(1);
  expect(m.cores.length).toBeLessThanOrEqual(cap.cores);
  m.cores.forEach((c, i) => {
    expect(c.index).toBe(i);
    expect(c.neurons).toBeLessThanOrEqual(cap.neuronsPerCore);
    expect(c.synapseBytes).toBeLessThanOrEqual(cap.synapseBytesPerCore);
    expect(c.learningBytes).toBeLessThanOrEqual(cap.learningBytesPerCore);
    expect(c.neurons).toBe(c.slices.reduce((a, s) => a + s.neurons, 0));
    expect(c.synapseBytes).toBe(c.slices.reduce((a, s) => a + s.synapseBytes, 0));
    expect(c.slices.length).toBeGreaterThan(0);
    expect({ tile: c.tile, x: c.x, y: c.y }).toEqual(corePlace(cap, i));
    expect(c.y).toBeLessThan(cap.mesh.y);
  });
  // every neuron of every layer placed exactly once, in order
  layers.forEach((l, li) => {
    let next = 0;
    for (const s of m.layers[li].slices) {
      expect(s.firstNeuron).toBe(next);
      expect(s.neurons).toBeGreaterThan(0);
      next += s.neurons;
    }
    expect(next).toBe(l.nOut);
    // a layer is on distinct cores
    const cores = m.layers[li].slices.map((s) => s.core);
    expect(new Set(cores).size).toBe(cores.length);
  });
  return m;
}

describe('mapping layers onto cores', () => {
  it('never exceeds a capacity, or refuses naming a layer (random layer sizes)', () => {
    fc.assert(fc.property(arbLayers, arbCap, fc.constantFrom('pack' as const, 'layer-per-core' as const), (layers, cap, policy) => {
      try {
        checkMapping(layers, cap, policy);
      } catch (e) {
        if (!(e instanceof MappingError)) throw e;
        expect(layers.map((l) => l.name)).toContain(e.layer);
        expect(e.message).toContain(`network layer "${e.layer}" does not fit chip "random"`);
        expect(e.message).toMatch(/overflows by/);
        expect(e.overflow.neurons).toBeGreaterThan(0);
      }
    }), { numRuns: 400 });
  });

  it('fits whenever there are enough cores for one neuron each', () => {
    fc.assert(fc.property(arbLayers, arbCap, (layers, cap0) => {
      const fitsOne = layers.every((l) => l.nIn * cap0.weightBits <= cap0.synapseBytesPerCore * 8 && l.learningStateBytes <= cap0.learningBytesPerCore * l.nOut);
      fc.pre(fitsOne);
      const total = layers.reduce((a, l) => a + l.nOut, 0);
      const cap = { ...cap0, cores: total, mesh: { x: total, y: 1, coresPerTile: 1 } };
      checkMapping(layers, cap);
    }), { numRuns: 100 });
  });

  it('packs small layers on one core and splits large ones by output neurons', () => {
    const cap: ChipCapacity = { chip: 'c', cores: 8, neuronsPerCore: 100, synapseBytesPerCore: 10_000, learningBytesPerCore: 0, weightBits: 8, mesh: { x: 2, y: 2, coresPerTile: 2 } };
    const m = mapLayers([
      { name: 'a', nIn: 10, nOut: 30, learningStateBytes: 0 },
      { name: 'b', nIn: 30, nOut: 250, learningStateBytes: 0 }, // 30 B per neuron: 100 neurons per core
      { name: 'c', nIn: 250, nOut: 10, learningStateBytes: 0 },
    ], cap);
    expect(m.layers.map((l) => l.slices.map((s) => [s.core, s.neurons]))).toEqual([
      [[0, 30]],
      [[0, 70], [1, 100], [2, 80]],
      [[2, 10]],
    ]);
    expect(m.cores.map((c) => [c.tile, c.x, c.y])).toEqual([[0, 0, 0], [0, 0, 0], [1, 1, 0]]);
    expect(m.cores[0].synapseBytes).toBe(30 * 10 + 70 * 30);
    expect(m.cores[2].synapseBytes).toBe(80 * 30 + 10 * 250);
  });

  it('starts every layer on a fresh core with policy layer-per-core', () => {
    const cap: ChipCapacity = { chip: 'c', cores: 4, neuronsPerCore: 100, synapseBytesPerCore: 10_000, learningBytesPerCore: 0, weightBits: 8, mesh: { x: 2, y: 2, coresPerTile: 1 } };
    const layers = [{ name: 'a', nIn: 10, nOut: 30, learningStateBytes: 0 }, { name: 'b', nIn: 30, nOut: 150, learningStateBytes: 0 }, { name: 'c', nIn: 150, nOut: 10, learningStateBytes: 0 }];
    const m = mapLayers(layers, cap, { policy: 'layer-per-core' });
    expect(m.layers.map((l) => l.slices.map((s) => [s.core, s.neurons]))).toEqual([[[0, 30]], [[1, 100], [2, 50]], [[3, 10]]]);
    expect(() => mapLayers(layers, { ...cap, cores: 3 }, { policy: 'layer-per-core' })).toThrow(/network layer "c" does not fit chip "c": all 3 cores are used and 10 of its 10 neurons are left over/);
    expect(mapLayers(layers, { ...cap, cores: 3 }).cores.length).toBe(2); // packed
  });

  it('refuses a network that exhausts the cores, naming the layer and the overflow', () => {
    const xylo = loadModel('xylo');
    const layers = [
      { name: 'h1', nIn: 784, nOut: 100, readout: false, analogInput: true, learningStateBytes: 1200 },
      { name: 'out', nIn: 100, nOut: 10, readout: false, analogInput: false, learningStateBytes: 120 },
    ];
    let err: unknown;
    try { mapActivity(layers, xylo); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(MappingError);
    expect(err).toBeInstanceOf(InputError);
    expect(exitStatusFor(err)).toBe(2);
    const e = err as MappingError;
    expect(e.layer).toBe('h1');
    // 64,000 B / 784 B per neuron = 81 neurons on the single core; 19 left over
    expect(e.overflow).toEqual({ neurons: 19, synapseBytes: 19 * 784, learningBytes: 19 * 12 });
    expect(e.message).toBe(
      'network layer "h1" does not fit chip "xylo": its only core is full and 19 of its 100 neurons are left over ' +
      '(overflows by 19 neurons, 14,896 B of synapse memory, 228 B of learning memory; a core holds at most 81 of its neurons, ' +
      'limited by synapse memory: 1,000 neurons, 64,000 B synapse memory, 8,192 B learning memory per core)');
  });

  it('refuses a layer one neuron of which does not fit a core', () => {
    const cap: ChipCapacity = { chip: 'small', cores: 4, neuronsPerCore: 8, synapseBytesPerCore: 64, learningBytesPerCore: 16, weightBits: 8, mesh: { x: 2, y: 2, coresPerTile: 1 } };
    const syn = (() => { try { mapLayers([{ name: 'wide', nIn: 100, nOut: 2, learningStateBytes: 0 }], cap); } catch (e) { return e as MappingError; } })();
    expect(syn?.message).toBe('network layer "wide" does not fit chip "small": one neuron needs 100 inputs x 8-bit weights = 100 B of synapse memory but a core has 64 B (overflows by 36 B per neuron)');
    expect(syn?.resource).toBe('synapse memory');
    const learn = (() => { try { mapLayers([{ name: 'greedy', nIn: 4, nOut: 2, learningStateBytes: 40 }], cap); } catch (e) { return e as MappingError; } })();
    expect(learn?.message).toBe('network layer "greedy" does not fit chip "small": one neuron needs 20 B of learning memory (40 B for 2 neurons) but a core has 16 B (overflows by 4 B per neuron)');
  });

  it('maps an MNIST-sized network on Loihi within capacity', () => {
    const loihi = loadModel('loihi');
    const layers = [
      { name: 'h1', nIn: 784, nOut: 1000, readout: false, analogInput: true, learningStateBytes: 12_000 },
      { name: 'h2', nIn: 1000, nOut: 500, readout: false, analogInput: false, learningStateBytes: 6_000 },
      { name: 'out', nIn: 500, nOut: 10, readout: false, analogInput: false, learningStateBytes: 120 },
    ];
    const m = mapActivity(layers, loihi);
    // 128 KiB / 784 B = 167 neurons of h1 per core; 131 of h2 (1000 B each)
    expect(m.layers[0].slices.map((s) => s.neurons)).toEqual([167, 167, 167, 167, 167, 165]);
    expect(m.cores.length).toBeLessThanOrEqual(128);
  });
});
