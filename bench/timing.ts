/**
 * What the per-step timing costs (src/timing): the default on-chip training epoch with and
 * without the step timer on `loihi` (spread and pack placements). One session (one teacher),
 * one chip per placement, its epochs alternately untimed and timed so that machine noise hits both alike; CPU time of the process
 * (less sensitive to other processes than wall time), best of the rounds. Prints ratios; never
 * a timed test.
 */
import { TrainSession, TRAIN_DEFAULTS } from '../src/train/train.js';
import { loadModel } from '../src/cost/hwmodel.js';
import { mapWithPolicy, MapPolicy } from '../src/cost/mapping.js';
import { emptyPhase } from '../src/train/train.js';
import { StepTimer } from '../src/timing/step-timer.js';

export interface TimingBench { policy: MapPolicy; untimedMs: number; timedMs: number; overhead: number }

function cpuMs(f: () => void): number {
  const a = process.cpuUsage();
  f();
  const d = process.cpuUsage(a);
  return (d.user + d.system) / 1000;
}

export function benchTiming(o: { quick: boolean }): TimingBench[] {
  const opts = { ...TRAIN_DEFAULTS, epochs: 1, samples: o.quick ? 200 : 1000, testSamples: 50, teacherEpochs: 1 };
  const session = new TrainSession(opts);
  const model = loadModel('loihi');
  try {
    return (['spread', 'pack'] as MapPolicy[]).map((policy) => {
      // One chip, epochs alternately untimed and timed (the same network, similar activity).
      const rule = session.createRule(), chip = session.createChip(session.initialSpec(), rule);
      const layers = session.activity(chip, emptyPhase(chip.spec, true), emptyPhase(chip.spec, false)).layers;
      const timer = new StepTimer(model, mapWithPolicy(layers, model, policy), layers);
      let untimed = Infinity, timed = Infinity, epoch = 0;
      for (let r = 0; r < (o.quick ? 2 : 3); r++) {
        session.timer = undefined;
        untimed = Math.min(untimed, cpuMs(() => session.trainEpoch(chip, rule, ++epoch)));
        session.timeSteps(chip, timer);
        timed = Math.min(timed, cpuMs(() => session.trainEpoch(chip, rule, ++epoch)));
      }
      return { policy, untimedMs: untimed, timedMs: timed, overhead: timed / untimed - 1 };
    });
  } finally {
    session.close();
  }
}

export function formatTimingBench(rows: TimingBench[]): string[] {
  const w = [34, 14, 14, 10];
  const line = (c: string[]) => c.map((x, i) => x.padStart(w[i])).join('  ');
  return [
    line(['training epoch, CPU ms', 'untimed', 'timed', 'overhead']),
    ...rows.map((r) => line([`per-step timing, loihi, ${r.policy}`, r.untimedMs.toFixed(0), r.timedMs.toFixed(0), `${(r.overhead * 100).toFixed(1)} %`])),
  ];
}
