// The report's time figures are kept apart: the chip loop's training and test throughput, the
// teacher's time and the wall time; each is what its name says, and the text report shows each.
import { describe, it, expect, beforeAll } from 'vitest';
import { train, TRAIN_DEFAULTS, type TrainReport } from '../../src/train/train.js';
import { trainText } from '../../src/report/text.js';

let r: TrainReport;
beforeAll(() => {
  r = train({ ...TRAIN_DEFAULTS, samples: 120, testSamples: 60, epochs: 2, teacherEpochs: 1, hidden: [32], teacherWorker: false });
});

describe('throughput figures', () => {
  it('the chip loop is timed apart from the teacher, the target waits and the wall', () => {
    const t = r.throughput;
    const epochSeconds = r.snn.epochs.reduce((s, e) => s + e.seconds, 0);
    // the epochs' loops split into chip time and time waiting for (here: computing) targets
    expect(t.trainSeconds).toBeGreaterThan(0);
    expect(t.targetWaitSeconds).toBeGreaterThan(0);
    expect(t.trainSeconds + t.targetWaitSeconds).toBeLessThanOrEqual(epochSeconds + 1e-9);
    expect(t.trainSamplesPerSecond).toBeCloseTo((2 * 120) / t.trainSeconds, 6);
    // three test passes: before learning and after each epoch
    expect(t.testSamplesPerSecond).toBeCloseTo((3 * 60) / t.testSeconds, 6);
    expect(t.teacherSeconds).toBe(r.teacher.seconds);
    expect(t.wallSeconds).toBe(r.wallSeconds);
    // the parts fit in the wall, and the wall-based figure understates the chip loop
    expect(t.trainSeconds + t.targetWaitSeconds + t.testSeconds + t.teacherSeconds).toBeLessThan(r.wallSeconds);
    expect(r.samplesPerSecond).toBeLessThan(t.trainSamplesPerSecond);
  });

  it('the text report shows each figure', () => {
    const text = trainText(r);
    expect(text).toMatch(new RegExp(`chip loop, training\\s+${r.throughput.trainSamplesPerSecond.toFixed(0)} samples/s`));
    expect(text).toMatch(new RegExp(`chip loop, test\\s+${r.throughput.testSamplesPerSecond.toFixed(0)} samples/s`));
    expect(text).toMatch(new RegExp(`teacher training\\s+${r.teacher.seconds.toFixed(1)} s`));
    expect(text).toMatch(new RegExp(`wall time\\s+${r.wallSeconds.toFixed(1)} s  \\(${r.samplesPerSecond.toFixed(0)} samples/s over the whole run\\)`));
  });
});
