/**
 * `ncsim train --mismatch SIGMA` (the playground's non-ideality level): the trained chip is a
 * non-ideal instance whose device gains are drawn from the hardware model and the seed; the
 * same seed gives the same run bit for bit, another sigma another run, 0 the ideal chip.
 */
import { describe, expect, it } from 'vitest';
import { train } from '../../src/train/api.js';
import { InputError } from '../../src/io/errors.js';
import { train as trainUnpriced, TRAIN_DEFAULTS } from '../../src/train/train.js';

const base = { samples: 100, testSamples: 50, hidden: [24], steps: 6, epochs: 1, teacherEpochs: 2, seed: 5, teacherWorker: false };

describe('train --mismatch', () => {
  it('is seeded, changes the chip, and 0 is the ideal chip', () => {
    const ideal = train(base);
    const zero = train({ ...base, mismatch: 0 });
    const a = train({ ...base, mismatch: 0.3 });
    const b = train({ ...base, mismatch: 0.3 });
    expect(zero.learning).toEqual(ideal.learning);
    expect(a.learning).toEqual(b.learning);
    expect(a.snn.epochs).toEqual(b.snn.epochs.map((e, i) => ({ ...e, seconds: a.snn.epochs[i].seconds })));
    expect(a.learning.updates).not.toBe(ideal.learning.updates);
    expect(a.options.mismatch).toBe(0.3);
  });

  it('needs a hardware model to draw the devices from', () => {
    expect(() => trainUnpriced({ ...TRAIN_DEFAULTS, ...base, mismatch: 0.1 })).toThrow(InputError);
  });
});
