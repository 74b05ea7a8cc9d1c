/**
 * A small real run for the report tests, built in-process the way `ncsim train` builds its
 * report (src/cli/main.ts): train on chip, price the activity on a hardware model, simulate
 * the host/link/chip schedules. A few hundred digits and a small network: about a second.
 * batch 20 gives 60 batches (2 epochs of 30), more than the timelines draw by default (40).
 */
import { train, TRAIN_DEFAULTS, TrainOptions } from '../../src/train/train.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { mapActivity, mapWithPolicy } from '../../src/cost/mapping.js';
import { costRun } from '../../src/cost/cost.js';
import { pipelineReport } from '../../src/pipeline/params.js';
import type { ReportRun } from '../../src/report/html/types.js';

export const SMALL: Partial<TrainOptions> = {
  samples: 600, testSamples: 200, epochs: 2, teacherEpochs: 2, hidden: [64, 32], batch: 20, teacherWorker: false,
};

export function makeRun(overrides: Partial<TrainOptions> = {}, hw = 'loihi'): ReportRun {
  const opts: TrainOptions = { ...TRAIN_DEFAULTS, ...SMALL, ...overrides };
  const model = loadModel(hw);
  // Every step timed on the model's mesh, as `ncsim train` does (spread, or pack when spread does not fit).
  const full = train(opts, undefined, { model, mapping: 'spread' });
  const { stepTiming, ...run } = full as ReportRun & { stepTiming?: { phases: Record<string, unknown> } };
  const mapping = mapWithPolicy(run.activity.layers, model, 'spread');
  run.cost = costRun(run.activity, model, mapping, stepTiming?.phases as Parameters<typeof costRun>[3]);
  run.pipeline = pipelineReport(run.activity, run.cost, model, opts.epochs, opts.batch, 'pipelined');
  return run;
}

/** The same run priced on another hardware model (as `ncsim cost RUN.json --hw OTHER` would). */
export function recost(run: ReportRun, hw: string): ReportRun {
  const model = loadModel(hw);
  const mapping = mapActivity(run.activity.layers, model, { policy: 'pack' });
  const cost = costRun(run.activity, model, mapping);
  return { ...run, cost, pipeline: pipelineReport(run.activity, cost, model, run.options.epochs, run.options.batch, 'pipelined') };
}

/** Curves in the shapes of src/report/html/types.ts, for the optional charts. */
export function withOptionalFields(run: ReportRun): ReportRun {
  return {
    ...run,
    robustness: {
      vary: 'weight noise σ / max |w|', levels: [0, 0.05, 0.1, 0.2],
      ideal: [0.8, 0.8, 0.8, 0.8], deployed: [0.8, 0.7, 0.55, 0.3], calibrated: [0.8, 0.78, 0.74, 0.62],
      source: 'test fixture',
    },
    memory: {
      windows: [8, 16, 32, 64],
      rules: [{ rule: 'ltl-online', bytes: [6264, 6264, 6264, 6264] }, { rule: 'bptt', bytes: [40000, 80000, 160000, 320000] }],
      source: 'test fixture',
    },
  };
}
