/**
 * What the per-step timing costs (src/timing): the default on-chip training epoch with and
 * without the step timer on `loihi` (spread and pack placements). One session (one teacher),
 * one chip per placement, its epochs alternately untimed and timed so that machine noise hits
 * both alike; CPU time of the process (less sensitive to other processes than wall time), best
 * of 5 rounds each; the load average before and after, as the machine may be shared. Then the
 * timer alone, one step at a time on seeded event lists at the default job's rates: the wasm
 * step kernel (assembly/timing.ts) against its TypeScript twin. Prints ratios; never a timed test.
 */
import { loadavg } from 'node:os';
import { TrainSession, TRAIN_DEFAULTS } from '../src/train/train.js';
import { loadModel } from '../src/cost/hwmodel.js';
import { mapWithPolicy, MapPolicy } from '../src/cost/mapping.js';
import { emptyPhase } from '../src/train/train.js';
import { StepTimer, type StepSource } from '../src/timing/step-timer.js';
import { COUNTERS } from '../src/chip/counters.js';
import { COUNTER_SLOTS } from '../src/reference/counters.js';
import type { ActivityLayer } from '../src/cost/activity.js';
import { createKernels, SPARE_BYTES } from '../src/chip/kernels.js';

export interface TimingBench { policy: MapPolicy; untimedMs: number; timedMs: number; overhead: number; load: [number, number] }
export interface TimerAlone { policy: MapPolicy; wasmUs: number; tsUs: number }

function cpuMs(f: () => void): number {
  const a = process.cpuUsage();
  f();
  const d = process.cpuUsage(a);
  return (d.user + d.system) / 1000;
}

export function benchTiming(o: { quick: boolean; policies?: MapPolicy[] }): TimingBench[] {
  // One thread, as the target was set (the timer on threads replays each step: docs/speed.md).
  const opts = { ...TRAIN_DEFAULTS, epochs: 1, samples: o.quick ? 200 : 1000, testSamples: 50, teacherEpochs: 1, threads: 1 };
  const session = new TrainSession(opts);
  const model = loadModel('loihi');
  try {
    return (o.policies ?? ['spread', 'pack']).map((policy) => {
      // One chip, epochs alternately untimed and timed (the same network, similar activity).
      const rule = session.createRule(), chip = session.createChip(session.initialSpec(), rule);
      const layers = session.activity(chip, emptyPhase(chip.spec, true), emptyPhase(chip.spec, false)).layers;
      const timer = new StepTimer(model, mapWithPolicy(layers, model, policy), layers);
      let untimed = Infinity, timed = Infinity, epoch = 0;
      const load0 = loadavg()[0];
      // Best of 5 alternating rounds: on a shared machine a single epoch can take 10 % longer or more.
      for (let r = 0; r < (o.quick ? 2 : 5); r++) {
        session.timer = undefined;
        untimed = Math.min(untimed, cpuMs(() => session.trainEpoch(chip, rule, ++epoch)));
        session.timeSteps(chip, timer);
        timed = Math.min(timed, cpuMs(() => session.trainEpoch(chip, rule, ++epoch)));
      }
      return { policy, untimedMs: untimed, timedMs: timed, overhead: timed / untimed - 1, load: [load0, loadavg()[0]] };
    });
  } finally {
    session.close();
  }
}

/**
 * The timer alone on 784-256-256-10 (`loihi`), per step: seeded event lists at the default job's
 * rates (154 input events, then 76, 60 and 2 spikes a step, in neuron order) and learning counts,
 * replayed through the wasm kernel and through its twin; CPU time, best of 3 passes. The lists sit
 * in a wasm instance's memory as a chip's do: the wasm timer moves its arena there and reads them
 * in place (as in training); the twin copies them.
 */
export function benchTimerAlone(o: { quick: boolean }): TimerAlone[] {
  const layers: ActivityLayer[] = [
    { name: 'h1', nIn: 784, nOut: 256, readout: false, analogInput: false, learningStateBytes: 12 * 256 },
    { name: 'h2', nIn: 256, nOut: 256, readout: false, analogInput: false, learningStateBytes: 12 * 256 },
    { name: 'out', nIn: 256, nOut: 10, readout: false, analogInput: false, learningStateBytes: 120 },
  ];
  const sizes = [784, 256, 256, 10], perStep = [154, 76, 60, 2], N = o.quick ? 800 : 3200;
  let s = 1;
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  const steps = Array.from({ length: N }, () => sizes.map((n, l) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (rnd() < perStep[l] / n) out.push(i);
    return Int32Array.from(out);
  }));
  const update = (COUNTERS.find((c) => c.name === 'learn.update') as { slot: number }).slot;
  const host = createKernels('wasm', 4 * steps.reduce((a, st) => a + st.reduce((b, e) => b + e.length, 0), 0) + 64, undefined, SPARE_BYTES);
  const at = steps.map(() => new Int32Array(sizes.length));
  let next = host.base >>> 2;
  steps.forEach((st, q) => st.forEach((e, l) => { host.mem.i32.set(e, next); at[q][l] = next; next += e.length; }));
  const ev = { buf: host.mem.i32, off: 0, n: 0 };
  const model = loadModel('loihi');
  return (['spread', 'pack'] as MapPolicy[]).map((policy) => {
    const mapping = mapWithPolicy(layers, model, policy);
    const [wasmUs, tsUs] = (['wasm', 'ts'] as const).map((backend) => {
      const timer = new StepTimer(model, mapping, layers, backend);
      const blocks = layers.map(() => new Float64Array(COUNTER_SLOTS));
      let cur = 0;
      const src: StepSource = { host, events: (l) => { ev.off = at[cur][l + 1]; ev.n = steps[cur][l + 1].length; return ev; }, counters: (l) => blocks[l] };
      if (host.spare) host.spare.taken = false; // each timer of this bench in turn
      timer.beginPhase('train', true, src);
      let best = Infinity;
      for (let r = 0; r < 3; r++) {
        best = Math.min(best, cpuMs(() => {
          for (cur = 0; cur < N; cur++) { for (const b of blocks) b[update] += 40; timer.step(src); }
        }) * 1000 / N);
      }
      return best;
    });
    return { policy, wasmUs, tsUs };
  });
}

export function formatTimingBench(rows: TimingBench[], alone: TimerAlone[] = []): string[] {
  const w = [34, 14, 14, 10, 16];
  const line = (c: string[]) => c.map((x, i) => x.padStart(w[i])).join('  ');
  const out = [
    line(['training epoch, CPU ms', 'untimed', 'timed', 'overhead', 'load avg']),
    ...rows.map((r) => line([`per-step timing, loihi, ${r.policy}`, r.untimedMs.toFixed(0), r.timedMs.toFixed(0), `${(r.overhead * 100).toFixed(1)} %`, `${r.load[0].toFixed(1)} -> ${r.load[1].toFixed(1)}`])),
  ];
  if (alone.length) {
    out.push('', line(['the timer alone, CPU us per step', 'wasm kernel', 'TS twin', 'ratio']));
    for (const a of alone) out.push(line([`784-256-256-10, loihi, ${a.policy}`, a.wasmUs.toFixed(2), a.tsUs.toFixed(2), `${(a.tsUs / a.wasmUs).toFixed(1)}x`]));
  }
  return out;
}
