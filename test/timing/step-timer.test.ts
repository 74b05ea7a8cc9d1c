/**
 * The step timer (src/timing) on the worked example of hw-models/README.md: the 3 -> 6 -> 2
 * network on the tiny 4-core model (2 x 2 mesh, one core per tile). Every expected number below
 * was worked out by hand in docs/timing.md ("A step worked by hand"), not by the code.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mapActivity, mapLayers, ChipCapacity } from '../../src/cost/mapping.js';
import { parseHwModel, readModelFile } from '../../src/cost/hwmodel.js';
import { COUNTERS } from '../../src/chip/counters.js';
import { COUNTER_SLOTS } from '../../src/reference/counters.js';
import { StepTimer, StepSource } from '../../src/timing/step-timer.js';
import { Mesh, barrierCycles } from '../../src/timing/mesh.js';
import { exitStatusFor, InputError } from '../../src/cli/errors.js';
import { TINY_PATH, tinyModel, workedActivity } from '../cost/fixtures.js';
import { readFileSync } from 'node:fs';
import type { ActivityLayer } from '../../src/cost/activity.js';

const slot = (name: string) => (COUNTERS.find((c) => c.name === name) as { slot: number }).slot;

/** A fake chip: fixed event lists per layer (-1: input) and counters that grow by `delta` at each read. */
function source(events: Record<number, number[]>, layers: number, delta: Record<number, Record<string, number>> = {}): StepSource & { tick(): void } {
  const blocks = Array.from({ length: layers }, () => new Float64Array(COUNTER_SLOTS));
  return {
    events(l) {
      const v = events[l] ?? [];
      return { buf: Int32Array.from(v), off: 0, n: v.length };
    },
    counters: (l) => blocks[l],
    tick() {
      for (const [l, d] of Object.entries(delta)) for (const [name, n] of Object.entries(d)) blocks[Number(l)][slot(name)] += n;
    },
  };
}

describe('one step worked by hand (docs/timing.md)', () => {
  const model = tinyModel();
  const activity = workedActivity();
  const mapping = mapActivity(activity.layers, model);
  // input events 0 and 2; h spikes 1 (core 0) and 4 (core 1); out spikes 0 (core 1)
  const events = { [-1]: [0, 2], 0: [1, 4], 1: [0] };

  it('times a forward step: serialized link, critical core, barrier', () => {
    const timer = new StepTimer(model, mapping, activity.layers);
    const src = source(events, 2);
    timer.beginPhase('test', false, src);
    expect(timer.step(src)).toBe(30.5); // core 1: max(send 6, receive max(2.5 + 14, 12.5)) + 4 overhead = 20.5, + barrier 10
    const t = timer.result().test;
    expect(t.steps).toBe(1);
    expect(t.stepLatency.meanS).toBeCloseTo(30.5e-6, 15); // 1 MHz
    expect(t.criticalCores).toEqual([{ core: 1, steps: 1, fraction: 1 }]);
    expect(t.messages).toEqual({ sent: 2, fromInput: 4, hopsX: 3, hopsY: 0, perStep: 6 });
    expect(t.hottestLinks).toEqual([{ from: { x: 0, y: 0 }, to: { x: 1, y: 0 }, dir: 'east', messages: 3, maxPerStep: 3, busyS: 9e-6 }]);
    expect(t.barrierS).toBeCloseTo(10e-6, 15);
    expect(t.tilesUsed).toBe(2);
    // busy: core 0 max(send 5.5, receive 11) + 4; core 1 max(6, 14) + 4
    expect(t.cores.map((c) => c.busyS * 1e6)).toEqual([15, 18]);
  });

  it('adds the learning phase: the step\'s learning actions split by neurons held', () => {
    const timer = new StepTimer(model, mapping, activity.layers);
    const src = source(events, 2, { 0: { 'learn.update': 6, 'synapse.write': 6 }, 1: { 'learn.update': 2 } });
    timer.beginPhase('train', true, src);
    src.tick();
    // h: 6 x 1 + 6 x 2 = 18 cycles, core 0 holds 4/6 (12), core 1 2/6 (6); out: 2 on core 1; + 3 overhead each
    expect(timer.step(src)).toBe(20.5 + 15 + 10);
    expect(timer.result().train.criticalCores[0].core).toBe(1); // 20.5 + 11 > 16 + 15
    src.tick();
    expect(timer.sampleEnd(src)).toBe(15 + 10);
    expect(timer.result().train.updates).toEqual({ count: 1, meanS: 25e-6, maxS: 25e-6 });
  });

  it('with no activity, a step is the neurons\' updates, the overheads and the barrier', () => {
    const timer = new StepTimer(model, mapping, activity.layers);
    const src = source({}, 2);
    timer.beginPhase('test', false, src);
    expect(timer.step(src)).toBe(4 * 1 + 4 + 10); // 4 neurons x 1 cycle (2 cycles / 2 lanes) + overheads + barrier
    expect(timer.result().test.messages.perStep).toBe(0);
  });
});

describe('the mesh', () => {
  const mesh = new Mesh(tinyModel());

  it('routes X first, then Y, one directed link per hop', () => {
    const out = new Int32Array(8);
    expect(mesh.route(0, 0, 1, 1, out)).toBe(2);
    expect([...out.slice(0, 2)].map((l) => mesh.linkEnds(l))).toEqual([
      { from: { x: 0, y: 0 }, to: { x: 1, y: 0 }, dir: 'east' },
      { from: { x: 1, y: 0 }, to: { x: 1, y: 1 }, dir: 'north' },
    ]);
    expect(mesh.linkLatency(out[0])).toBe(3);
    expect(mesh.linkLatency(out[1])).toBe(4);
    expect(mesh.route(1, 1, 1, 1, out)).toBe(0);
  });

  it('prices the barrier from the tiles in use (loihi: SANA-FE\'s table)', () => {
    const loihi = readModelFile('hw-models/loihi.json');
    expect([1, 2, 3, 4, 28, 29, 32].map((t) => Math.round(barrierCycles(loihi, t)))).toEqual([600, 1000, 1000, 1400, 1400, 1800, 1800]);
    expect(barrierCycles(tinyModel(), 4)).toBe(10);
  });

  it('refuses a bad barrier table naming the field (exit status 2)', () => {
    const raw = JSON.parse(readFileSync(TINY_PATH, 'utf8'));
    const q = (v: number) => ({ value: v, unit: 'cycles', source: 'test' });
    for (const [byTiles, field] of [
      [[{ tiles: 2, latency: q(5) }, { tiles: 2, latency: q(6) }], 'barrier.byTiles[1].tiles'],
      [[{ tiles: 0.5, latency: q(5) }], 'barrier.byTiles[0].tiles'],
      [[{ tiles: 2 }], 'barrier.byTiles[0].latency'],
      [[], 'barrier.byTiles'],
      [[{ tiles: 2, latency: q(5), when: 1 }], 'barrier.byTiles[0].when'],
    ] as const) {
      let err: unknown;
      try { parseHwModel({ ...raw, barrier: { ...raw.barrier, byTiles } }, 'tiny'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(InputError);
      expect(exitStatusFor(err)).toBe(2);
      expect((err as Error).message).toContain(field);
    }
  });
});

describe('properties', () => {
  const model = tinyModel();
  const cap: ChipCapacity = { chip: 'tiny', cores: 4, neuronsPerCore: 4, synapseBytesPerCore: 1 << 20, learningBytesPerCore: 1 << 20, weightBits: 4, mesh: { x: 2, y: 2, coresPerTile: 1 } };
  const layers: ActivityLayer[] = [
    { name: 'a', nIn: 5, nOut: 6, readout: false, analogInput: false, learningStateBytes: 0 },
    { name: 'b', nIn: 6, nOut: 5, readout: false, analogInput: false, learningStateBytes: 0 },
    { name: 'c', nIn: 5, nOut: 3, readout: false, analogInput: false, learningStateBytes: 0 },
  ];
  const mapping = mapLayers(layers, cap);
  const sizes = [5, 6, 5, 3];
  /** A random step: a subset of each layer's neurons (input included) as sorted index lists. */
  const step = fc.tuple(...sizes.map((n) => fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: n }).map((v) => v.sort((a, b) => a - b))));
  const time = (ev: number[][]) => {
    const timer = new StepTimer(model, mapping, layers);
    const src = source({ [-1]: ev[0], 0: ev[1], 1: ev[2], 2: ev[3] }, 3);
    timer.beginPhase('test', false, src);
    return timer.step(src);
  };

  it('more activity never makes a step shorter', () => {
    fc.assert(fc.property(step, fc.integer({ min: 0, max: 3 }), fc.nat(), (ev, layer, pick) => {
      const n = sizes[layer];
      const missing = [...Array(n).keys()].filter((i) => !ev[layer].includes(i));
      if (!missing.length) return;
      const more = ev.map((v) => v.slice());
      more[layer] = [...more[layer], missing[pick % missing.length]].sort((a, b) => a - b);
      expect(time(more)).toBeGreaterThanOrEqual(time(ev));
    }));
  });

  it('loads each link with exactly the messages whose XY route crosses it', () => {
    const mesh = new Mesh(model);
    fc.assert(fc.property(step, (ev) => {
      const timer = new StepTimer(model, mapping, layers);
      const src = source({ [-1]: ev[0], 0: ev[1], 1: ev[2], 2: ev[3] }, 3);
      timer.beginPhase('test', false, src);
      timer.step(src);
      // brute force: every event to every core of the next layer along its route (input from the port at (0, 0))
      const want = new Map<string, number>();
      const route = new Int32Array(8);
      layers.forEach((_, L) => {
        const from = (i: number) => (L === 0 ? { x: 0, y: 0 } : mapping.cores[mapping.layers[L - 1].slices.find((s) => i >= s.firstNeuron && i < s.firstNeuron + s.neurons)!.core]);
        for (const i of ev[L]) {
          for (const sl of mapping.layers[L].slices) {
            const a = from(i), b = mapping.cores[sl.core];
            const k = mesh.route(a.x, a.y, b.x, b.y, route);
            for (let q = 0; q < k; q++) {
              const e = mesh.linkEnds(route[q]), key = `${e.from.x},${e.from.y}->${e.to.x},${e.to.y}`;
              want.set(key, (want.get(key) ?? 0) + 1);
            }
          }
        }
      });
      const got = new Map(timer.result().test.hottestLinks.map((l) => [`${l.from.x},${l.from.y}->${l.to.x},${l.to.y}`, l.messages]));
      expect(got).toEqual(want);
    }));
  });

  it('is deterministic, and no activity gives the floor: updates, overheads and barrier', () => {
    fc.assert(fc.property(step, (ev) => {
      expect(time(ev)).toBe(time(ev));
    }));
    const floor = time([[], [], [], []]);
    const busiest = Math.max(...mapping.cores.map((c) => c.neurons)); // neuron.update 2 cycles / 2 lanes
    expect(floor).toBe(busiest * 1 + 4 + 10);
  });
});
