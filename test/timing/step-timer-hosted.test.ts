/**
 * The step timer fed by a real chip (chipSource): its arena moves into the chip's spare room and
 * reads the chip's spike lists and counters in place. A second timer fed the same steps through
 * a source without `host` copies them into its own memory; the two must report the same bits.
 */
import { describe, expect, it } from 'vitest';
import { TrainSession, TRAIN_DEFAULTS, emptyPhase } from '../../src/train/train.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { mapWithPolicy } from '../../src/cost/mapping.js';
import { StepTimer, type StepSource } from '../../src/timing/step-timer.js';
import { chipSource } from '../../src/timing/chip-source.js';

describe('the step timer hosted in the chip it times', () => {
  it.each([[1, 'one thread'], [2, 'two threads (the steps replayed from the threads\' history)']])('reads the lists in place and reports what a timer reading copies reports, on %i: %s', (threads) => {
    const session = new TrainSession({ ...TRAIN_DEFAULTS, epochs: 1, samples: 12, testSamples: 4, teacherEpochs: 1, threads });
    try {
      const model = loadModel('loihi');
      const rule = session.createRule(), chip = session.createChip(session.initialSpec(), rule);
      const layers = session.activity(chip, emptyPhase(chip.spec, true), emptyPhase(chip.spec, false)).layers;
      const mapping = mapWithPolicy(layers, model, 'spread');
      const inPlace = new StepTimer(model, mapping, layers), copied = new StepTimer(model, mapping, layers);
      const src = chipSource(chip), plain: StepSource = { events: src.events, counters: src.counters };
      const both = {
        beginPhase: (name: string, learning: boolean) => { inPlace.beginPhase(name, learning, src); copied.beginPhase(name, learning, plain); },
        step: () => { const a = inPlace.step(src), b = copied.step(plain); expect(a).toBe(b); return a; },
        sampleEnd: () => { const a = inPlace.sampleEnd(src), b = copied.sampleEnd(plain); expect(a).toBe(b); return a; },
      };
      session.timeSteps(chip, both as unknown as StepTimer);
      session.trainEpoch(chip, rule, 1);
      expect(inPlace.hosted).toBe(true);
      expect(copied.hosted).toBe(false);
      const r = inPlace.result();
      expect(r.train.steps).toBe(12 * TRAIN_DEFAULTS.steps);
      expect(r).toEqual(copied.result());
      expect(inPlace.phaseStates()).toEqual(copied.phaseStates());
    } finally {
      session.close();
    }
  });
});
