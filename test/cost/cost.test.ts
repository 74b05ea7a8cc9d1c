import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costRun, CostReport, figures, accelergyActionCounts, apportion, PHASE_NAMES } from '../../src/cost/cost.js';
import { loadModel, HwModel } from '../../src/cost/hwmodel.js';
import { mapActivity } from '../../src/cost/mapping.js';
import { parseActivity, readActivityFile } from '../../src/cost/activity-io.js';
import { ACTIONS, CIRCUITS, COUNTER_NAMES, PHASES, Phase } from '../../src/cost/actions.js';
import { Activity } from '../../src/cost/activity.js';
import { InputError } from '../../src/io/errors.js';
import { fullActivity, scaleCounts, tinyModel, workedActivity } from './fixtures.js';

const SHIPPED = ['loihi', 'generic45', 'rram', 'xylo'];
const models: Record<string, HwModel> = Object.fromEntries([...SHIPPED.map((n) => [n, loadModel(n)]), ['tiny', tinyModel()]]);
const SIZES: Record<string, number[]> = { tiny: [3, 6, 2], loihi: [40, 60, 10], generic45: [40, 60, 10], rram: [40, 60, 10], xylo: [16, 32, 8] };

/** Dynamic energy driven by the counts: everything but static and the per-step barrier. */
function countEnergy(r: CostReport, phase: 'train' | 'test'): number {
  const c = r.phases[phase].energy.byCircuit;
  return r.phases[phase].energy.dynamicPJ - c.barrier;
}

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));

/** A random activity on a given network: every count a random integer, layer by layer. */
const arbActivity = (sizes: number[]) =>
  fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 2 * (sizes.length - 1) * COUNTER_NAMES.length, maxLength: 2 * (sizes.length - 1) * COUNTER_NAMES.length })
    .map((vals) => fullActivity(sizes, (l, c, p) => vals[((p === 'train' ? 0 : 1) * (sizes.length - 1) + l) * COUNTER_NAMES.length + COUNTER_NAMES.indexOf(c)]));

describe('energy', () => {
  for (const name of ['tiny', 'loihi', 'rram']) {
    it(`is linear in the counts (${name})`, () => {
      const model = models[name];
      fc.assert(fc.property(arbActivity(SIZES[name]), fc.integer({ min: 0, max: 50 }), (a, k) => {
        const r1 = costRun(a, model);
        const rk = costRun(scaleCounts(a, k), model);
        for (const p of PHASE_NAMES) {
          close(countEnergy(rk, p), k * countEnergy(r1, p));
          for (const c of CIRCUITS) if (c.name !== 'static' && c.name !== 'barrier') close(rk.phases[p].energy.byCircuit[c.name], k * r1.phases[p].energy.byCircuit[c.name]);
          for (const l of a.layers) close(rk.phases[p].layers[l.name].energyPJ, k * r1.phases[p].layers[l.name].energyPJ);
          close(rk.phases[p].gating.savedPJ, k * r1.phases[p].gating.savedPJ);
        }
      }), { numRuns: 40 });
    });
  }

  it('is additive over activities', () => {
    const model = models.loihi;
    fc.assert(fc.property(arbActivity(SIZES.loihi), arbActivity(SIZES.loihi), (a, b) => {
      const sum = structuredClone(a);
      for (const p of PHASE_NAMES) for (const l of sum.layers) for (const c of COUNTER_NAMES) sum.phases[p].counters[l.name][c] += b.phases[p].counters[l.name][c];
      const ra = costRun(a, model), rb = costRun(b, model), rs = costRun(sum, model);
      for (const p of PHASE_NAMES) close(countEnergy(rs, p), countEnergy(ra, p) + countEnergy(rb, p));
    }), { numRuns: 30 });
  });

  it('static energy = static power x cores charged x time', () => {
    for (const [name, model] of Object.entries(models)) {
      const r = costRun(fullActivity(SIZES[name], (l, c) => (c === 'neuron.update' ? 100 : 3)), model);
      for (const p of PHASE_NAMES) {
        const ph = r.phases[p];
        close(ph.energy.staticPJ, model.static.powerPerCore.value * 1e12 * r.mapping.coresCharged * ph.latency.totalS);
        close(ph.latency.totalS, (ph.steps * ph.cycles.perStep.total) / model.clock.value);
        close(ph.energy.totalPJ, ph.energy.dynamicPJ + ph.energy.staticPJ);
      }
      expect(r.mapping.coresCharged).toBe(model.static.appliesTo.value === 'all-cores' ? model.cores.count.value : r.mapping.coresUsed);
    }
  });

  it('of an all-silent activity is static + neuron updates (+ the per-step barrier)', () => {
    for (const [name, model] of Object.entries(models)) {
      const sizes = SIZES[name];
      const a = fullActivity(sizes, (l, c) => (c === 'neuron.update' ? sizes[l + 1] * 40 : 0), { samples: 4, steps: 40 });
      a.phases.train.learning = false;
      const r = costRun(a, model);
      for (const p of PHASE_NAMES) {
        const e = r.phases[p].energy;
        const updates = sizes.slice(1).reduce((s, n) => s + n, 0) * 40;
        for (const c of CIRCUITS) {
          if (c.name === 'neuron') close(e.byCircuit.neuron, updates * model.actions['neuron.update'].totalEnergy);
          else if (c.name === 'barrier') close(e.byCircuit.barrier, 40 * model.barrier.energy.value);
          else if (c.name !== 'static') expect(e.byCircuit[c.name], `${name} ${p} ${c.name}`).toBe(0);
        }
        close(e.totalPJ, e.staticPJ + updates * model.actions['neuron.update'].totalEnergy + 40 * model.barrier.energy.value);
        expect(r.phases[p].noc.packetsReceived).toBe(0);
        expect(r.phases[p].cycles.routingLatency).toBe(0);
        expect(r.phases[p].neurobench.activationSparsity).toBe(1);
      }
    }
  });
});

describe('re-costing', () => {
  it('a stored (JSON round-tripped) activity costs the same as costing it directly', () => {
    fc.assert(fc.property(arbActivity(SIZES.generic45), fc.constantFrom(...SHIPPED.filter((n) => n !== 'xylo')), (a, name) => {
      const direct = costRun(a, models[name]);
      const stored = parseActivity(JSON.parse(JSON.stringify(a)));
      expect(costRun(stored, models[name])).toEqual(direct);
    }), { numRuns: 20 });
  });

  it('from a file, or from a train report carrying the activity', () => {
    const a = workedActivity();
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-cost-'));
    writeFileSync(join(dir, 'activity.json'), JSON.stringify(a));
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ kind: 'ncsim.train', schemaVersion: 1, activity: a }));
    const direct = costRun(a, models.tiny);
    expect(costRun(readActivityFile(join(dir, 'activity.json')), models.tiny)).toEqual(direct);
    expect(costRun(readActivityFile(join(dir, 'run.json')), models.tiny)).toEqual(direct);
  });

  it('gives a report that survives JSON', () => {
    const r = costRun(workedActivity(), models.tiny);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('refuses a bad activity naming the field', () => {
    const bad = (mutate: (a: any) => void) => {
      const a: any = structuredClone(workedActivity());
      mutate(a);
      try { parseActivity(a, '"run.json"'); } catch (e) { expect(e).toBeInstanceOf(InputError); return (e as Error).message; }
      throw new Error('accepted');
    };
    expect(bad((a) => { a.phases.train.counters.h['synapse.raed'] = 1; })).toMatch(/^activity "run.json" field "phases.train.counters.h\["synapse.raed"\]": expected a counter name/);
    expect(bad((a) => { a.phases.test.counters.out['neuron.spike'] = -1; })).toMatch(/field "phases.test.counters.out\["neuron.spike"\]": expected a finite number >= 0, got -1/);
    expect(bad((a) => { delete a.phases.train.counters.out; })).toMatch(/field "phases.train.counters.out": expected an object, got nothing/);
    expect(bad((a) => { a.layers[1].nOut = 0; })).toMatch(/field "layers\[1\].nOut": expected an integer >= 1, got 0/);
    expect(bad((a) => { a.schema = 'x'; })).toMatch(/field "schema": expected "ncsim.activity\/1"/);
  });
});

describe('cycles', () => {
  it('more parallel lanes never mean more cycles', () => {
    const arb = fc.constantFrom('tiny', ...SHIPPED).chain((name) => fc.tuple(fc.constant(name), arbActivity(SIZES[name])));
    fc.assert(fc.property(
      arb, fc.constantFrom(...PHASES), fc.integer({ min: 1, max: 16 }),
      ([name, a], phase: Phase, extra) => {
        const base = models[name];
        const more: HwModel = structuredClone(base);
        more.cores.lanes[phase].value += extra;
        const r0 = costRun(a, base), r1 = costRun(a, more);
        for (const p of PHASE_NAMES) {
          expect(r1.phases[p].cycles.perStep.total).toBeLessThanOrEqual(r0.phases[p].cycles.perStep.total);
          r0.phases[p].cycles.perCore.forEach((c, i) => expect(r1.phases[p].cycles.perCore[i][phase]).toBeLessThanOrEqual(c[phase]));
          expect(r1.phases[p].energy.staticPJ).toBeLessThanOrEqual(r0.phases[p].energy.staticPJ + 1e-9);
        }
      },
    ), { numRuns: 60 });
  });

  it('a step is the slowest core + routing latency + barrier, phases summing to it', () => {
    const r = costRun(fullActivity(SIZES.loihi, (l, c) => 7 + l + c.length), models.loihi);
    for (const p of PHASE_NAMES) {
      const c = r.phases[p].cycles;
      const slowest = Math.max(...c.perCore.map((x) => x.total));
      close(c.perStep.total, slowest + c.routingLatency + c.perStep.barrier);
      close(c.perStep.total, c.perStep.routing + c.perStep.integration + c.perStep.neuron + c.perStep.learning + c.perStep.barrier);
      expect(c.perCore[c.criticalCore].total).toBe(slowest);
    }
  });
});

describe('reports', () => {
  it('every figure is declared once and has a finite value on every shipped model', () => {
    for (const [name, model] of Object.entries(models)) {
      const r = costRun(fullActivity(SIZES[name], (l, c) => 11 * (l + 1) + c.length), model);
      const fs = figures(r);
      const names = fs.map((f) => f.name);
      expect(new Set(names).size, name).toBe(names.length);
      for (const f of fs) {
        expect(Number.isFinite(f.value), `${name} ${f.name}`).toBe(true);
        expect(f.unit.length).toBeGreaterThan(0);
        expect(f.description).not.toMatch(/\{/);
      }
      expect(names).toContain('train.energy.synapse.read');
      expect(names).toContain('layer.h1.train.energy');
      expect(names).toContain('train.cycles.step.learning');
      expect(names).toContain('train.energy.per_epoch');
    }
  });

  it('gating: gated off = dense - issued, saved = gated off x (update + write energy)', () => {
    const a = fullActivity(SIZES.loihi, (l, c) => (c === 'learn.dense' ? 1000 : c === 'learn.update' ? 100 + l : 5));
    const r = costRun(a, models.loihi);
    const g = r.phases.train.gating;
    expect(g.dense).toBe(2000);
    expect(g.issued).toBe(201);
    expect(g.gatedOff).toBe(1799);
    close(g.savedPJ, 1799 * (120 + 0));
  });

  it('Accelergy counts split each layer over its cores exactly', () => {
    // h1: 167 neurons of 784 B per 128 KiB core, so 334 neurons fill cores 0 and 1 alone
    const a = fullActivity([784, 334, 10], (l, c) => 1000 + 37 * l + c.length);
    const mapping = mapActivity(a.layers, models.loihi);
    expect(mapping.layers[0].slices.map((s) => [s.core, s.neurons])).toEqual([[0, 167], [1, 167]]);
    expect(mapping.layers[1].slices.map((s) => s.core)).toEqual([2]);
    const y = accelergyActionCounts(a, mapping, 'test');
    // sum the per-core synapse reads of layer h1's cores
    const counts = new Map<string, number>();
    let comp = '';
    for (const line of y.split('\n')) {
      const n = /^  - name: system\.loihi\.(.*)$/.exec(line);
      if (n) comp = n[1];
      const a2 = /^    - name: (.*)$/.exec(line);
      if (a2) comp = comp.split('|')[0] + '|' + a2[1];
      const c = /^      counts: (\d+)$/.exec(line);
      if (c) counts.set(comp, Number(c[1]));
    }
    const h1Cores = mapping.layers[0].slices.map((s) => s.core);
    const reads = h1Cores.reduce((s, c) => s + (counts.get(`core[${c}].synapse|read`) ?? 0), 0);
    expect(reads).toBe(a.phases.test.counters.h1['synapse.read']);
    for (const c of h1Cores) expect(counts.get(`core[${c}].synapse|event`)).toBe(a.phases.test.counters.h1['synapse.event']);
    expect(counts.get('barrier|sync')).toBe(a.phases.test.steps);
    expect(y.startsWith('# Accelergy action counts written by ncsim')).toBe(true);
  });

  it('apportion splits a whole count exactly, each part within one of its share', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 8 }), (total, neurons) => {
      const nOut = neurons.reduce((a, b) => a + b, 0);
      const parts = apportion(total, neurons, nOut);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      parts.forEach((p, i) => {
        expect(Number.isInteger(p)).toBe(true);
        expect(Math.abs(p - (total * neurons[i]) / nOut)).toBeLessThan(1);
      });
    }));
  });

  it('every action is costed on a circuit and a phase', () => {
    expect(ACTIONS.length).toBe(COUNTER_NAMES.length - 1);
    for (const a of ACTIONS) {
      expect(CIRCUITS.map((c) => c.name)).toContain(a.circuit);
      expect(PHASES).toContain(a.phase);
    }
  });
});

// A realistic run shape, on every shipped model that fits it: sanity of orders of magnitude.
describe('a small network on the shipped models', () => {
  it('costs in a plausible range', () => {
    const T = 20;
    const act: Activity = fullActivity([16, 32, 8], (l, c) => {
      const n = [32, 8][l], nIn = [16, 32][l];
      const steps = 4 * T;
      const ev = (nIn * steps) / 5;
      const table: Record<string, number> = {
        'synapse.event': ev, 'synapse.read': ev * n, 'dendrite.ac': l > 0 ? ev * n : 0, 'dendrite.mac': l === 0 ? ev * n : 0,
        'neuron.update': n * steps, 'neuron.spike': (n * steps) / 5, 'neuron.reset': (n * steps) / 5,
        'accumulator.increment': (n * steps) / 5, 'accumulator.read': n * steps, 'learn.error': n * steps, 'learn.boxcar': n * steps,
        'learn.update': (ev * n) / 10, 'learn.dense': ev * n, 'synapse.write': (ev * n) / 10, 'learn.bias_update': (n * steps) / 10,
      };
      return table[c] ?? 0;
    }, { samples: 4, steps: 4 * T });
    for (const name of SHIPPED) {
      const r = costRun(act, models[name]);
      const perSample = r.phases.train.energy.perSamplePJ;
      expect(perSample, name).toBeGreaterThan(1e3); // > 1 nJ
      expect(perSample, name).toBeLessThan(1e9); // < 1 mJ
      expect(r.phases.train.latency.perSampleS, name).toBeLessThan(1);
    }
  });
});
