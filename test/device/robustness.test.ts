// The robustness study (src/robustness/robustness.ts) and its command (src/cli/robustness-command.ts).
import { describe, it, expect } from 'vitest';
import { runRobustness, checkLevels } from '../../src/robustness/robustness.js';
import { ROBUSTNESS, parseLevels, parseVary, robustnessText, cmdRobustness } from '../../src/cli/robustness-command.js';
import { checkCommandSpec } from '../../src/cli/options.js';
import { InputError, exitStatusFor } from '../../src/io/errors.js';
import { TRAIN_DEFAULTS } from '../../src/train/train.js';
import { loadModel } from '../../src/cost/hwmodel.js';

const tiny = {
  ...TRAIN_DEFAULTS, samples: 300, testSamples: 200, hidden: [16], epochs: 1, teacherEpochs: 1, teacherWorker: false,
};

describe('robustness study', () => {
  it('level 0 is the ideal chip; each level deploys, calibrates, counts and prices', () => {
    const r = runRobustness({ trainOptions: tiny, model: loadModel('rram'), studies: [{ vary: 'mismatch', levels: [0, 0.3] }, { vary: 'silencing', levels: [0.5] }], calibrationEpochs: 1, seed: 3 });
    expect(r).toMatchObject({ schemaVersion: 1, kind: 'ncsim.robustness', model: 'rram' });
    expect(r.studies.map((st) => [st.vary, st.levels])).toEqual([['mismatch', [0, 0.3]], ['silencing', [0.5]]]);
    expect(r.studies[0].rows).toHaveLength(2);
    expect(r.studies[0].rows[0].deployed).toBe(r.idealAccuracy);
    // Studies share one trained ideal chip: the silencing study alone gives the same row.
    const alone = runRobustness({ trainOptions: tiny, model: loadModel('rram'), studies: [{ vary: 'silencing', levels: [0.5] }], calibrationEpochs: 1, seed: 3 });
    expect(alone.studies[0].rows[0]).toEqual(r.studies[1].rows[0]);
    for (const row of r.studies.flatMap((st) => st.rows)) {
      for (const a of [row.deployed, row.calibrated]) expect(a).toBeGreaterThanOrEqual(0);
      expect(row.calibrationUpdates).toBeGreaterThan(0);
      expect(row.calibrationUpdates).toBeLessThanOrEqual(row.calibrationDenseUpdates);
      expect(row.calibrationEnergyJ).toBeGreaterThan(0);
    }
    const text = robustnessText(r);
    expect(text.match(/deployed\s+calibrated/g)).toHaveLength(2);
    expect(text).toMatch(/vary silencing/);
  });

  it('fixed point on the Loihi-like model, with a chip trained on chip; quantization counts its cell writes', () => {
    const f = runRobustness({ trainOptions: tiny, model: loadModel('loihi'), studies: [{ vary: 'fixed-point', levels: [8] }], calibrationEpochs: 1, seed: 3, trainOnChip: true, calibrationLr: 0.003 });
    expect(f.studies[0].rows[0].trainedOnChip).toBeGreaterThanOrEqual(0);
    expect(f.studies[0].rows[0].trainedOnChip).toBeLessThanOrEqual(1);
    expect(f.calibrationLr).toBe(0.003);
    const q = runRobustness({ trainOptions: tiny, model: loadModel('rram'), studies: [{ vary: 'quantization', levels: [3] }], calibrationEpochs: 1, seed: 3 });
    // Stochastic rounding: most update events move no cell.
    expect(q.studies[0].rows[0].calibrationWrites).toBeLessThan(q.studies[0].rows[0].calibrationUpdates);
  });

  it('refuses bad levels and rules', () => {
    expect(() => checkLevels('silencing', [0.5, 1.5])).toThrow(InputError);
    expect(() => checkLevels('quantization', [4.5])).toThrow(/weight bits/);
    expect(() => checkLevels('mismatch', [])).toThrow(/at least one level/);
    expect(() => runRobustness({ trainOptions: { ...tiny, rule: 'bptt' }, model: loadModel('rram'), studies: [{ vary: 'thermal', levels: [0.1] }], calibrationEpochs: 1, seed: 1 })).toThrow(/ltl-online/);
  });
});

describe('ncsim robustness', () => {
  it('declares a valid option table', () => {
    expect(() => checkCommandSpec(ROBUSTNESS)).not.toThrow();
  });

  it('parses --levels as numbers and names the option when it cannot', () => {
    expect(parseLevels('0.1, 0.2,4e-1')).toEqual([0.1, 0.2, 0.4]);
    expect(parseLevels('0')).toEqual([0]);
    for (const bad of ['0.1,x', '', '1,,2', '0x10', 'NaN']) {
      let err: unknown;
      try { parseLevels(bad); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(/--levels/);
      expect(exitStatusFor(err)).toBe(2);
    }
  });

  it('bad input is an InputError (exit status 2) before anything runs', () => {
    expect(() => cmdRobustness(['--vary', 'silencing', '--levels', '2'])).toThrow(InputError);
    expect(() => cmdRobustness(['--vary', 'heat'])).toThrow(InputError);
    expect(() => cmdRobustness(['--levels', '0.1,abc'])).toThrow(/--levels/);
    expect(() => cmdRobustness(['--hw', 'no-such-chip', '--levels', '0.1'])).toThrow(InputError);
    expect(() => cmdRobustness(['--vary', 'mismatch,heat'])).toThrow(/--vary/);
    expect(() => cmdRobustness(['--vary', 'analog', '--levels', '0.1'])).toThrow(/--levels/);
  });

  it('parses --vary lists and "analog"', () => {
    expect(parseVary('analog')).toEqual(['mismatch', 'quantization', 'thermal', 'silencing']);
    expect(parseVary('thermal, fixed-point,thermal')).toEqual(['thermal', 'fixed-point']);
  });
});
