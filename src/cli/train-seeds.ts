/**
 * `ncsim train --seeds 1,2,3`: the same training once per seed, one after the other, and the
 * mean and sample standard deviation (n - 1) of every accuracy (teacher, chip before learning,
 * chip after each epoch) and of the sweep's headline figures (src/cli/sweep/results.ts: one
 * list of figures for both). Writes a multi-seed report (`ncsim.train-seeds`,
 * docs/schemas/ncsim.train-seeds.schema.json) holding every run's own report.
 */
import { InputError } from '../io/errors.js';
import { planOutputs } from '../io/outputs.js';
import { headline, meanSd } from './sweep/results.js';
import { pct } from '../report/text.js';
import type { PricedTrainReport } from '../train/api.js';
import type { TrainOptions } from '../train/train.js';
import { SEEDS_SCHEMA } from '../io/kinds.js';

export interface SeedFigure {
  /** Column name as in a sweep's results.csv (unit in the name), or snn_accuracy_epoch_N. */
  name: string;
  /** One value per seed, in the order of `seeds` (null where a run does not have it). */
  values: (number | null)[];
  mean: number | null;
  /** Sample standard deviation (n - 1); null for fewer than two values. */
  sd: number | null;
}

export interface SeedsReport {
  schemaVersion: 1;
  kind: 'ncsim.train-seeds';
  seeds: number[];
  /** The options every run shared (each run's own report has its seed). */
  options: Omit<TrainOptions, 'seed'>;
  figures: SeedFigure[];
  runs: PricedTrainReport[];
}

/** Refuses a repeated seed or --seed beside --seeds (which seed would it be?), naming the option. */
export function checkSeeds(seeds: number[], given: readonly string[]): void {
  if (given.includes('seed')) {
    throw new InputError('--seed', 'no --seed with --seeds (the seeds are the list)', undefined, { kind: 'option', showGot: false });
  }
  seeds.forEach((s, i) => {
    if (seeds.indexOf(s) !== i) throw new InputError('--seeds', 'distinct seeds', seeds.join(','), { kind: 'option', note: `item ${i + 1} (${s}) repeats item ${seeds.indexOf(s) + 1}` });
  });
}

/** The figures of one run: the headline figures, the issued fraction, the accuracy before and after each epoch. */
export function runFigures(r: PricedTrainReport): Record<string, number | null> {
  const f = headline('train', r);
  const issued = f.updates_issued, dense = f.updates_dense;
  f.issued_fraction = issued !== null && dense !== null && dense > 0 ? issued / dense : null;
  f.snn_initial_accuracy = r.snn.initialTestAccuracy;
  for (const e of r.snn.epochs) f[`snn_accuracy_epoch_${e.epoch}`] = e.testAccuracy;
  return f;
}

/** Mean and sd of every figure over the runs (figures in the first run's order, then any later ones). */
export function seedsReport(seeds: number[], runs: PricedTrainReport[]): SeedsReport {
  const per = runs.map(runFigures);
  const names: string[] = [];
  for (const f of per) for (const k of Object.keys(f)) if (!names.includes(k)) names.push(k);
  const figures = names.map((name) => {
    const values = per.map((f) => f[name] ?? null);
    const xs = values.filter((x): x is number => x !== null);
    const m = xs.length ? meanSd(xs) : { mean: null, sd: null };
    return { name, values, mean: m.mean, sd: m.sd };
  });
  const { seed: _s, ...options } = runs[0].options;
  return { schemaVersion: 1, kind: SEEDS_SCHEMA.value, seeds, options, figures, runs };
}

/** `85.78 ± 0.31 %` for accuracies, `1.234e+09 ± ...` otherwise. */
function meanSdText(f: SeedFigure): string {
  if (f.mean === null) return 'n/a';
  const accuracy = f.name.includes('accuracy') || f.name === 'issued_fraction';
  if (accuracy) return `${(100 * f.mean).toFixed(2)} ± ${f.sd === null ? '-' : (100 * f.sd).toFixed(2)} %`;
  const g = (x: number) => (Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(3) : x.toFixed(3));
  return `${g(f.mean)} ± ${f.sd === null ? '-' : g(f.sd)}${f.name === 'gap_points' ? ' points' : ''}`;
}

/** The summary table printed after the runs. */
export function seedsText(r: SeedsReport): string {
  const o = r.options;
  const head = `ncsim train — rule ${o.rule}${o.preset ? `, preset ${o.preset}` : ''}, ${o.epochs} epoch(s), ${o.samples} training / ${o.testSamples} test samples, T = ${o.steps}, seeds ${r.seeds.join(',')}: mean ± sd (n - 1) over ${r.seeds.length} runs`;
  const w = Math.max(...r.figures.map((f) => f.name.length));
  return [head, ...r.figures.map((f) => `  ${f.name.padEnd(w)}  ${meanSdText(f)}`)].join('\n');
}

/** One seed's line, printed as its run ends. */
export function seedLine(seed: number, r: PricedTrainReport): string {
  const f = runFigures(r);
  return `seed ${seed}: teacher ${pct(r.teacher.testAccuracy)}, chip ${pct(r.snn.testAccuracy)}, updates ${f.updates_issued ?? 'n/a'} of ${f.updates_dense ?? 'n/a'}, ${r.wallSeconds.toFixed(1)} s`;
}

/**
 * Runs `runOne` once per seed of `o.seeds` (options as parsed, `given` the keys set on the line),
 * prints each run's line and the summary (or the JSON with --json) and writes --out.
 */
export function cmdTrainSeeds(
  o: Record<string, unknown>, given: readonly string[], runOne: (seed: number) => PricedTrainReport, print: (s: string) => void,
): void {
  const seeds = o.seeds as number[];
  checkSeeds(seeds, given);
  for (const single of ['--report', '--stats', '--accelergy']) {
    const key = single.slice(2);
    if (o[key] !== undefined) throw new InputError(single, `no ${single} with --seeds (it describes one run; --out writes the multi-seed report with every run)`, o[key], { kind: 'option' });
  }
  const outputs = planOutputs([{ option: '--out', path: o.out as string | undefined }], [o.net as string | undefined].filter((f): f is string => typeof f === 'string'));
  const runs: PricedTrainReport[] = [];
  for (const seed of seeds) {
    const r = runOne(seed);
    runs.push(r);
    if (!o.json) print(seedLine(seed, r));
  }
  const report = seedsReport(seeds, runs);
  const json = JSON.stringify(report, null, 2);
  outputs.set('--out', json + '\n');
  outputs.commit();
  print(o.json ? json : seedsText(report));
}
