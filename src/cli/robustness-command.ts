/**
 * `ncsim robustness`: train on the ideal chip, deploy on chip instances with one device
 * non-ideality at several levels, calibrate each with on-chip online LTL, and print accuracy
 * before/after, the calibration's update events and its energy on the hardware model
 * (src/robustness/robustness.ts). The lead registers the command in main.ts.
 */
import type { CommandSpec } from './options.js';
import { parseArgs, formatHelp } from './options.js';
import { InputError } from '../io/errors.js';
import { planOutputs } from '../io/outputs.js';
import { eng } from '../report/cost-text.js';
import { pct } from '../report/text.js';
import { loadModel } from '../cost/hwmodel.js';
import { TRAIN_DEFAULTS } from '../train/train.js';
import { RULE_TABLE, updateAtFor } from '../rules/table.js';
import {
  runRobustness, checkLevels, RobustnessReport, RobustnessStudy, Vary, VARIES, DEFAULT_LEVELS,
} from '../robustness/robustness.js';

/** The analog non-idealities (CHIP-MODEL.md): `--vary analog` studies the four of them. */
export const ANALOG: readonly Vary[] = ['mismatch', 'quantization', 'thermal', 'silencing'];

/** `--vary mismatch,thermal` or `--vary analog` → the kinds, each once; anything else names --vary. */
export function parseVary(raw: string): Vary[] {
  const out: Vary[] = [];
  for (const item of raw.split(',').map((x) => x.trim())) {
    const kinds = item === 'analog' ? ANALOG : VARIES.includes(item as Vary) ? [item as Vary] : null;
    if (!kinds) {
      throw new InputError('--vary', `one or more of ${VARIES.join(', ')} (comma-separated), or "analog"`, raw, { kind: 'option', note: `${JSON.stringify(item)} is none of them` });
    }
    for (const k of kinds) if (!out.includes(k)) out.push(k);
  }
  return out;
}

export const ROBUSTNESS: CommandSpec = {
  name: 'robustness',
  summary: 'Train on the ideal chip, deploy on non-ideal chip instances (mismatch, quantization, thermal noise, silencing, fixed point) and calibrate each with on-chip online LTL',
  usage: 'ncsim robustness --vary KIND [--levels a,b,c] [--hw MODEL] [options]',
  options: [
    { name: 'hw', type: 'string', valueName: 'model', default: 'rram', description: 'hardware model of the chip instances (its nonIdealities) and of the energy: a name from `ncsim hw list` or a model file path' },
    { name: 'vary', type: 'string', valueName: 'kind[,kind]', default: 'mismatch', description: `the non-ideality to vary (the others stay ideal): ${VARIES.join(', ')}; several comma-separated, or "analog" for ${ANALOG.join(',')}: one study each on the same trained ideal chip` },
    { name: 'levels', type: 'string', valueName: 'a,b,...', description: `comma-separated levels, 0 = ideal, for a single --vary (default per --vary: ${VARIES.map((v) => `${v} ${DEFAULT_LEVELS[v].join(',')}`).join('; ')}); mismatch: gain sigma; quantization and fixed-point: weight bits; thermal: noise sigma x threshold; silencing: fraction` },
    { name: 'calibration-epochs', type: 'int', min: 0, max: 1000, default: 1, description: 'epochs of on-chip online LTL on each chip instance' },
    { name: 'epochs', type: 'int', min: 0, max: 1000, default: TRAIN_DEFAULTS.epochs, description: 'epochs of training on the ideal chip' },
    { name: 'samples', type: 'int', min: 1, default: 4000, description: 'training digits (a seeded split of the mnist package)' },
    { name: 'test-samples', type: 'int', min: 1, default: TRAIN_DEFAULTS.testSamples, description: 'held-out test digits' },
    { name: 'hidden', type: 'list', min: 1, max: 100000, default: TRAIN_DEFAULTS.hidden, description: 'hidden layer sizes (teacher and SNN), comma-separated' },
    { name: 'update-at', type: 'enum', choices: ['step', 'sample'], default: updateAtFor('ltl-online'), description: 'when online LTL writes the synapses, in training and calibration: every step (through the device at every step), or once per sample (an accumulator written through the device at the end)' },
    { name: 'lr', type: 'number', min: 0, max: 10, description: `learning rate of training and calibration (default ${RULE_TABLE['ltl-online'].learningRate}; calibration continues the decay of --epochs)` },
    { name: 'calibration-lr', type: 'number', min: 0, max: 10, description: 'learning rate of the calibration epochs (default: the training schedule goes on)' },
    { name: 'seed', type: 'int', min: 0, max: 4294967295, default: TRAIN_DEFAULTS.seed, description: 'seed of the training and of the chip instances (one instance per level, same seed)' },
    { name: 'train-on-chip', type: 'boolean', default: false, description: 'also train a chip instance of each level from the initial weights, on chip, for --epochs (its weight range: the trained ideal chip\'s)' },
    { name: 'json', type: 'boolean', default: false, description: 'print the report as one JSON document instead of a table' },
    { name: 'out', type: 'string', valueName: 'path', description: 'also write the JSON report to this file' },
    { name: 'quiet', type: 'boolean', default: false, description: 'no progress bar' },
  ],
};

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `--levels 0.1, 0.2,0.4` → [0.1, 0.2, 0.4]; anything else is an InputError naming --levels. */
export function parseLevels(raw: string): number[] {
  const items = raw.split(',').map((s) => s.trim());
  return items.map((item, i) => {
    const v = Number(item);
    if (!NUMBER.test(item) || !Number.isFinite(v)) {
      throw new InputError('--levels', 'a comma-separated list of numbers', raw, { kind: 'option', note: `item ${i + 1} is ${JSON.stringify(item)}` });
    }
    return v === 0 ? 0 : v;
  });
}

function out(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : s + '\n');
}

/** The report as text: a header, then one table per study. */
export function robustnessText(r: RobustnessReport): string {
  const o = r.trainOptions;
  const lines = [
    `ncsim robustness — ${r.model}, ${o.samples} training / ${o.testSamples} test digits, ` +
      `${o.epochs} training epoch(s) on the ideal chip + ${r.calibrationEpochs} calibration epoch(s) per chip instance, seed ${r.seed}`,
    `  online LTL, updates at "${o.updateAt}", lr ${o.lr ?? RULE_TABLE['ltl-online'].learningRate} x ${o.lrDecay}^(epoch - 1), ` +
      (r.calibrationLr === undefined ? 'calibration epochs follow the training epochs' : `calibration lr ${r.calibrationLr}`),
    `  teacher (ANN)                 ${pct(r.teacherAccuracy)}`,
    `  ideal chip after training     ${pct(r.idealAccuracy)}`,
  ];
  for (const st of r.studies) lines.push('', ...studyLines(st));
  lines.push('', `  wall time ${r.wallSeconds.toFixed(1)} s`);
  return lines.join('\n');
}

function studyLines(st: RobustnessStudy): string[] {
  const lines = [`  vary ${st.vary} (level: ${st.levelUnit})`];
  const onChip = st.rows.some((w) => w.trainedOnChip !== undefined);
  const head = ['level', 'deployed', 'calibrated', 'change', ...(onChip ? ['trained on chip'] : []), 'updates', 'dense', 'issued', 'writes', 'energy'];
  const rows = st.rows.map((w) => [
    String(w.level), pct(w.deployed), pct(w.calibrated),
    `${w.calibrated >= w.deployed ? '+' : ''}${(100 * (w.calibrated - w.deployed)).toFixed(2)}`,
    ...(onChip ? [w.trainedOnChip === undefined ? '-' : pct(w.trainedOnChip)] : []),
    w.calibrationUpdates.toExponential(3), w.calibrationDenseUpdates.toExponential(3),
    w.calibrationDenseUpdates ? pct(w.calibrationUpdates / w.calibrationDenseUpdates) : '-',
    w.calibrationWrites.toExponential(3), eng(1e12 * w.calibrationEnergyJ),
  ]);
  const width = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const fmt = (cells: string[]): string => '  ' + cells.map((s, c) => (c === 0 ? s.padEnd(width[c]) : s.padStart(width[c]))).join('  ');
  lines.push(fmt(head), ...rows.map(fmt));
  const sat = st.rows.filter((w) => w.weightSaturations || w.stateSaturations);
  if (sat.length) {
    lines.push('  saturations during calibration: ' + sat.map((w) => `level ${w.level}: ${w.weightSaturations} weight, ${w.stateSaturations} state`).join('; '));
  }
  return lines;
}

function progressBar(): (p: { phase: string; epoch: number; done: number; total: number; level?: number }) => void {
  let last = '';
  return (p) => {
    const frac = p.total ? p.done / p.total : 0;
    const w = 30, fill = Math.round(frac * w);
    const where = p.level === undefined ? 'ideal chip' : `level ${p.level}`;
    const line = `${where.padEnd(12)} ${p.phase.padEnd(7)} epoch ${p.epoch} [${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${p.done}/${p.total}`;
    if (line !== last) process.stderr.write(`\r\x1b[K${line}`);
    last = line;
  };
}

export function cmdRobustness(argv: string[]): void {
  const { options: o } = parseArgs(ROBUSTNESS, argv);
  if (o.help) return out(formatHelp(ROBUSTNESS));
  const varies = parseVary(o.vary as string);
  if (o.levels !== undefined && varies.length > 1) {
    throw new InputError('--levels', `no --levels with several --vary kinds (each takes its defaults)`, o.levels, { kind: 'option', note: `--vary ${o.vary}` });
  }
  const studies = varies.map((vary) => ({ vary, levels: o.levels === undefined ? DEFAULT_LEVELS[vary] : parseLevels(o.levels as string) }));
  for (const st of studies) checkLevels(st.vary, st.levels);
  const outputs = planOutputs([{ option: '--out', path: o.out as string | undefined }]);
  // Load the hardware model first: a bad --hw is refused before minutes of simulation.
  const model = loadModel(o.hw as string);
  const showProgress = !o.quiet && process.stderr.isTTY;
  const trainOptions = {
    ...TRAIN_DEFAULTS, rule: 'ltl-online' as const, epochs: o.epochs as number, samples: o.samples as number,
    testSamples: o.testSamples as number, seed: o.seed as number, hidden: o.hidden as number[], updateAt: o.updateAt as 'step' | 'sample',
    ...(o.lr !== undefined ? { lr: o.lr as number } : {}),
  };
  const report = runRobustness({
    trainOptions, model, studies, calibrationEpochs: o.calibrationEpochs as number, seed: o.seed as number,
    trainOnChip: o.trainOnChip as boolean,
    ...(o.calibrationLr !== undefined ? { calibrationLr: o.calibrationLr as number } : {}),
    onProgress: showProgress ? progressBar() : undefined,
  });
  if (showProgress) process.stderr.write('\r\x1b[K');
  const json = JSON.stringify(report, null, 2);
  outputs.set('--out', json + '\n');
  outputs.commit();
  out(o.json ? json : robustnessText(report));
}

