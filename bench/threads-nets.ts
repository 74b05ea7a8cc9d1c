/**
 * The convolutional nets on one thread and on two (src/chip/threads.ts), in one run: the CNN's
 * chip loop (`ncsim train --net nets/cnn-mnist.json`'s epoch loop and test loop, targets computed
 * in-thread, no step timer) and VGG11 on 32 x 32 inputs through `ncsim net`'s probe (one sample of
 * seeded random spikes with online LTL, its steps timed on the mesh as `ncsim net` does).
 * Interleaved, best of the rounds; every pair ends with the same weights or counts.
 */
import { TrainSession, TRAIN_DEFAULTS } from '../src/train/train.js';
import { readNetFile } from '../src/net/file.js';
import { probeNet, PROBE_DEFAULTS } from '../src/net/probe.js';
import { loadModel } from '../src/cost/hwmodel.js';

export interface NetThreadsRow { what: string; one: number; two: number; unit: string; same: boolean }

/** The CNN's training and test loops, samples/s, on `threads` threads; its final weights' bits. */
function cnnLoop(threads: number, samples: number): { train: number; test: number; weights: string } {
  const session = new TrainSession({ ...TRAIN_DEFAULTS, net: 'nets/cnn-mnist.json', epochs: 1, samples, testSamples: samples / 2, teacherEpochs: 1, threads, teacherWorker: false });
  try {
    const rule = session.createRule(), chip = session.createChip(session.initialSpec(), rule);
    let t = performance.now();
    session.trainEpoch(chip, rule, 1);
    const train = samples / ((performance.now() - t) / 1000);
    t = performance.now();
    session.evaluate(chip);
    const test = samples / 2 / ((performance.now() - t) / 1000);
    const weights = chip.spec.layers.map((_, l) => Buffer.from(chip.getWeights(l).buffer).toString('base64')).join();
    return { train, test, weights };
  } finally {
    session.close();
  }
}

/** VGG11-32's probe (steps of one sample, learning), steps/s on `threads` threads; its counters. */
function vggProbe(threads: number, steps: number): { stepsPerSecond: number; counts: string } {
  const model = loadModel('loihi');
  const r = probeNet(readNetFile('nets/vgg11-32.json'), { ...PROBE_DEFAULTS, steps, learn: true, threads, timing: { model, mapping: 'spread' } });
  return { stepsPerSecond: steps / r.runSeconds, counts: JSON.stringify(r.layers) };
}

export function benchNetsOnThreads(o: { quick: boolean }): NetThreadsRow[] {
  const samples = o.quick ? 100 : 400, steps = o.quick ? 50 : 200, rounds = o.quick ? 1 : 2;
  const best = { c1: { train: 0, test: 0 }, c2: { train: 0, test: 0 }, v1: 0, v2: 0 };
  let sameCnn = true, sameVgg = true;
  for (let r = 0; r < rounds; r++) {
    const a = cnnLoop(1, samples), b = cnnLoop(2, samples);
    sameCnn &&= a.weights === b.weights;
    for (const [k, x] of [['c1', a], ['c2', b]] as const) {
      best[k].train = Math.max(best[k].train, x.train);
      best[k].test = Math.max(best[k].test, x.test);
    }
    const p = vggProbe(1, steps), q = vggProbe(2, steps);
    sameVgg &&= p.counts === q.counts;
    best.v1 = Math.max(best.v1, p.stepsPerSecond);
    best.v2 = Math.max(best.v2, q.stepsPerSecond);
  }
  return [
    { what: 'CNN (cnn-mnist) chip loop, training', one: best.c1.train, two: best.c2.train, unit: 'samples/s', same: sameCnn },
    { what: 'CNN (cnn-mnist) chip loop, test', one: best.c1.test, two: best.c2.test, unit: 'samples/s', same: sameCnn },
    { what: 'VGG11-32, ncsim net --learn (timed steps)', one: best.v1, two: best.v2, unit: 'steps/s', same: sameVgg },
  ];
}

export function formatNetsOnThreads(rows: NetThreadsRow[]): string[] {
  return rows.map((r) => `${r.what.padEnd(44)} 1 thread ${r.one.toFixed(0).padStart(6)} ${r.unit}, 2 threads ${r.two.toFixed(0).padStart(6)}: ${(r.two / r.one).toFixed(2)}x  (same ${r.unit === 'steps/s' ? 'counts' : 'weights'}: ${r.same})`);
}
