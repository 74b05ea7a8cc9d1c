// `ncsim train --threads N` (src/chip/threads.ts): the run's report is the one-thread run's in
// every figure but the wall-clock ones (final weights' accuracy, counters, per-step timing on the
// hardware model, update counts, activity), for the default rule with updates every step, a
// learning-rate schedule over two epochs, updates once per sample, and a delay of one step; the
// run shows its thread count; what threads cannot run is refused before the teacher, naming --threads.
import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { train, TrainSession, TRAIN_DEFAULTS, type TrainOptions, type TrainReport } from '../../src/train/train.js';
import { MAX_THREADS, autoThreads } from '../../src/chip/thread-plan.js';
import { processCores } from '../../src/node/cores.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { trainText } from '../../src/report/text.js';
import { InputError } from '../../src/io/errors.js';

const small: TrainOptions = { ...TRAIN_DEFAULTS, samples: 120, testSamples: 60, epochs: 2, teacherEpochs: 1, hidden: [48, 40], teacherWorker: false };
const timing = { model: loadModel('loihi'), mapping: 'spread' as const };

/** The report without what the clock measures (and without the thread count itself). */
function figures(r: TrainReport): unknown {
  const c = structuredClone(r) as TrainReport & Record<string, unknown>;
  delete (c.options as Partial<TrainOptions>).threads;
  delete (c as Partial<TrainReport>).wallSeconds;
  delete (c as Partial<TrainReport>).samplesPerSecond;
  delete (c as Partial<TrainReport>).throughput;
  c.teacher.seconds = 0;
  for (const e of c.snn.epochs) e.seconds = 0;
  return c;
}

describe('ncsim train --threads', () => {
  for (const [what, extra] of [
    ['online LTL, updates every step (the default job)', {}],
    ['updates once per sample, sign() error, delay 1', { updateAt: 'sample', error: 'sign', delay: 1 }],
    ['a CNN (conv, average pool, dense) sliced by output channels', { net: 'nets/cnn-mnist.json', samples: 40, testSamples: 20 }],
  ] as [string, Partial<TrainOptions>][]) {
    it(`gives the one-thread report but for the clock: ${what}`, () => {
      const one = train({ ...small, ...extra, threads: 1 }, undefined, undefined, timing);
      const two = train({ ...small, ...extra, threads: 2 }, undefined, undefined, timing);
      expect(two.options.threads).toBe(2);
      expect(two.stepTiming).toBeDefined();
      expect(figures(two)).toEqual(figures(one));
      expect(one.learning.updates).toBeGreaterThan(0);
      expect(trainText(two)).toMatch(/samples\/s on 2 threads/);
    });
  }

  it('auto: a thread per 128 neurons of the widest layer up to the cores, where the chip runs on threads; the teacher in a worker when a core is left', () => {
    expect(autoThreads(256, 2)).toBe(2);
    expect(autoThreads(256, 16)).toBe(2);
    expect(autoThreads(255, 16)).toBe(1);
    expect(autoThreads(48, 2)).toBe(1);
    expect(autoThreads(4096, 6)).toBe(6);
    expect(autoThreads(4096, 1)).toBe(1);
    const cores = availableParallelism();
    const ran = (o: Partial<TrainOptions>) => {
      const session = new TrainSession({ ...small, threads: 'auto', teacherWorker: 'auto', ...o });
      try {
        return { threads: session.opts.threads, teacherWorker: session.opts.teacherWorker };
      } finally {
        session.close();
      }
    };
    const wide = Math.min(cores, 2);
    expect(ran({ hidden: [256, 256] })).toEqual({ threads: wide, teacherWorker: wide < cores });
    expect(ran({ hidden: [48, 40] })).toEqual({ threads: 1, teacherWorker: cores > 1 });
    // What cannot run on threads runs on one, with no refusal.
    for (const o of [{ rule: 'stop-w' }, { backend: 'ts' }, { mismatch: 0.1 }] as Partial<TrainOptions>[]) {
      expect(ran({ hidden: [256, 256], ...o }).threads).toBe(1);
    }
    // A CNN's widest layer is its convolution's (16 x 28 x 28 neurons).
    expect(ran({ net: 'nets/cnn-mnist.json' }).threads).toBe(Math.min(cores, MAX_THREADS));
    // Given values are kept.
    expect(ran({ hidden: [256, 256], threads: 1, teacherWorker: true })).toEqual({ threads: 1, teacherWorker: true });
    // A sweep running configurations side by side gives each its share of the cores (NCSIM_CORES).
    expect(processCores({ NCSIM_CORES: '1' })).toBe(1);
    expect(processCores({ NCSIM_CORES: String(cores + 5) })).toBe(cores);
    for (const bad of ['0', '-2', '1.5', 'all', '']) expect(processCores({ NCSIM_CORES: bad })).toBe(cores);
    expect(processCores({})).toBe(cores);
  });

  it('refuses, naming --threads, what does not run on threads', () => {
    const refused = (o: Partial<TrainOptions>) => {
      try {
        train({ ...small, ...o });
      } catch (e) {
        return e;
      }
      return null;
    };
    for (const [o, text] of [
      [{ threads: 2, rule: 'stop-w' }, /rule stop-w/],
      [{ threads: 2, backend: 'ts' }, /--backend ts/],
      [{ threads: 0 }, /integer from 1 to 64/],
      [{ threads: 1.5 }, /integer from 1 to 64, or auto/],
      [{ threads: 2, mismatch: 0.1 }, /--mismatch/],
    ] as [Partial<TrainOptions>, RegExp][]) {
      const e = refused(o);
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).field).toBe('--threads');
      expect((e as Error).message).toMatch(text);
    }
  });
});
