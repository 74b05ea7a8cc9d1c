#!/usr/bin/env node
/**
 * The ncsim command line: a thin layer over the library (src/index.ts). Bad input exits with
 * status 2 and a message naming the field; output files are written atomically.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readDocumentText } from '../io/document.js';
import { packageVersion } from './version.js';
import { parseArgs, formatHelp, formatTopHelp, optionsMarkdown } from './options.js';
import { TRAIN, TRACE, COST, HW } from './commands.js';
import { loadModel, listModels, describeModel, HwModel } from '../cost/hwmodel.js';
import { costRun, statsLines, accelergyActionCounts, CostReport } from '../cost/cost.js';
import { mapActivity, mapWithPolicy, MapPolicy } from '../cost/mapping.js';
import { readActivityFile } from '../cost/activity-io.js';
import { storedTiming } from '../cost/retime.js';
import type { Activity } from '../cost/activity.js';
import { costText, pipelineText } from '../report/cost-text.js';
import { cmdReport, cmdCompare } from './report-commands.js';
import { cmdRobustness } from './robustness-command.js';
import { syncOptionTables, missingOptionTables } from './readme-tables.js';
import { cmdNet } from './net-command.js';
import { cmdSweep, cmdWorker } from './sweep-command.js';
import { cmdCases } from './cases-command.js';
import { ALL_COMMANDS } from './all-commands.js';
import { InputError, exitStatusFor } from '../io/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { planOutputs, OutputSet } from '../io/outputs.js';
import { renderReport } from '../report/html/render.js';
import type { ReportRun } from '../report/html/types.js';
import { readAnyCaseFile } from '../trace/case.js';
import { runTrace, emptyWaveforms } from '../trace/trace.js';
import { traceVcd } from '../trace/vcd.js';
import { train, TrainOptions, Progress } from '../train/train.js';
import { priceReport, PricedTrainReport } from '../train/api.js';
import type { Schedule } from '../pipeline/des.js';
import { trainText } from '../report/text.js';
import { resolvePreset } from '../train/presets.js';
import { cmdTrainSeeds } from './train-seeds.js';

const PROGRAM = 'ncsim';

function out(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : s + '\n');
}

function progressBar(): (p: Progress) => void {
  let last = '';
  return (p) => {
    const frac = p.total ? p.done / p.total : 0;
    const w = 30, fill = Math.round(frac * w);
    const line = `${p.phase.padEnd(7)} epoch ${p.epoch} [${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${p.done}/${p.total}`;
    if (line !== last) process.stderr.write(`\r${line}`);
    last = line;
  };
}

function cmdTrain(argv: string[]): void {
  const { options: o, given } = parseArgs(TRAIN, argv);
  if (o.help) return out(formatHelp(TRAIN));
  const opts = o as Record<string, unknown> & { json: boolean; out?: string; quiet: boolean; hw: string; stats?: string; accelergy?: string; report?: string };
  const showProgress = !opts.quiet && process.stderr.isTTY;
  // --preset fills the options not given on the line (src/train/presets.ts).
  const trainOptions = resolvePreset(stripCli(opts), new Set(given));
  if (o.seeds !== undefined) {
    // Load the hardware model first: a bad --hw is refused before minutes of simulation.
    loadModel(opts.hw);
    return cmdTrainSeeds(o, given, (seed) => runTrain({ ...trainOptions, seed }, opts, showProgress), out);
  }
  // Every output path is checked before minutes of simulation; all are written together at the end.
  const outputs = planOutputs([
    { option: '--out', path: opts.out }, { option: '--report', path: opts.report },
    { option: '--stats', path: opts.stats }, { option: '--accelergy', path: opts.accelergy },
  ], [opts.net as string | undefined, opts.hw].filter((f): f is string => typeof f === 'string' && (f.includes('/') || f.endsWith('.json'))));
  const { report, model } = runTrain(trainOptions, opts, showProgress, true);
  setCostOutputs(outputs, report.cost, report.activity, mapFor(report.activity, model, opts.mapping as MapPolicy), model);
  const json = JSON.stringify(report, null, 2);
  outputs.set('--out', json + '\n');
  if (outputs.has('--report')) outputs.set('--report', renderReport(report as unknown as ReportRun, {}));
  outputs.commit();
  out(opts.json ? json : `${trainText(report)}\n\n${costText(report.cost)}\n\n${pipelineText(report.pipeline)}`);
}

/** One training run of `ncsim train`, timed and priced on --hw with --mapping and --schedule. */
function runTrain(trainOptions: TrainOptions, opts: Record<string, unknown>, showProgress: boolean): PricedTrainReport;
function runTrain(trainOptions: TrainOptions, opts: Record<string, unknown>, showProgress: boolean, withModel: true): { report: PricedTrainReport; model: HwModel };
function runTrain(trainOptions: TrainOptions, opts: Record<string, unknown>, showProgress: boolean, withModel = false): PricedTrainReport | { report: PricedTrainReport; model: HwModel } {
  // Load the hardware model first: a bad --hw is refused before minutes of simulation.
  const model = loadModel(opts.hw as string);
  const mapping = opts.mapping as MapPolicy;
  // Does the network fit the hardware model? Asked once the network is known, before the teacher trains.
  const fits = { beforeTeacher: (plan: { layers: Activity['layers'] }) => void mapFor({ layers: plan.layers } as Activity, model, mapping) };
  // Every step is timed on the mesh of this model and mapping while the chip runs (src/timing).
  const timing = { model, mapping };
  const report = priceReport(train(trainOptions, showProgress ? progressBar() : undefined, fits, timing), model, mapping, opts.schedule as Schedule);
  if (showProgress) process.stderr.write('\r\x1b[K');
  return withModel ? { report, model } : report;
}

/** The train options among the command's (the rest say where output goes, how it is priced, which seeds). */
function stripCli(o: Record<string, unknown>): TrainOptions {
  const { json: _j, out: _o, quiet: _q, help: _h, hw: _w, stats: _s, accelergy: _a, schedule: _c, mapping: _m, report: _r, seeds: _e, ...rest } = o;
  return rest as unknown as TrainOptions;
}

function setCostOutputs(outputs: OutputSet, c: CostReport, activity: Activity, mapping: ReturnType<typeof mapActivity>, model: ReturnType<typeof loadModel>): void {
  if (outputs.has('--stats')) outputs.set('--stats', statsLines(c));
  if (outputs.has('--accelergy')) outputs.set('--accelergy', accelergyActionCounts(activity, mapping, 'all', model.noc.inputSource.value));
}

/** Map with the asked policy ("spread" falls back to "pack", mapping.ts). */
function mapFor(activity: Activity, model: ReturnType<typeof loadModel>, policy: MapPolicy): ReturnType<typeof mapActivity> {
  return mapWithPolicy(activity.layers, model, policy);
}

function cmdCost(argv: string[]): void {
  const { options: o, positionals } = parseArgs(COST, argv);
  if (o.help) return out(formatHelp(COST));
  const outputs = planOutputs([
    { option: '--out', path: o.out as string | undefined }, { option: '--stats', path: o.stats as string | undefined },
    { option: '--accelergy', path: o.accelergy as string | undefined },
  ], [positionals[0]]);
  const activity = readActivityFile(positionals[0]);
  const model = loadModel(o.hw as string);
  const mapping = mapFor(activity, model, o.mapping as MapPolicy);
  let c = costRun(activity, model, mapping);
  // Per-step timing cannot be re-simulated from counts: reuse the run's own when it still holds (retime.ts).
  const stored = storedTiming(readJsonQuietly(positionals[0]), c);
  if (stored) c = costRun(activity, model, mapping, stored);
  setCostOutputs(outputs, c, activity, mapping, model);
  const json = JSON.stringify(c, null, 2);
  outputs.set('--out', json + '\n');
  outputs.commit();
  out(o.json ? json : costText(c));
}

/** The file as JSON, or undefined (it was read and checked once already, as an activity). */
function readJsonQuietly(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function cmdHw(argv: string[]): void {
  const { options: o, positionals } = parseArgs(HW, argv);
  if (o.help) return out(formatHelp(HW));
  const [action, name] = positionals;
  if (action === 'list') {
    if (name !== undefined) throw new InputError('MODEL', 'no model name with "list"', name, { kind: 'argument' });
    const models = listModels();
    const w = Math.max(...models.map((m) => m.name.length));
    return out(models.map((m) => `${m.name.padEnd(w)}  ${m.description}`).join('\n'));
  }
  if (action === 'show') {
    if (!name) throw new InputError('MODEL', 'a model name or file after "show"', undefined, { kind: 'argument' });
    return out(describeModel(loadModel(name)));
  }
  throw new InputError('ACTION', '"list" or "show"', action, { kind: 'argument' });
}

function cmdTrace(argv: string[]): void {
  const { options: o, positionals } = parseArgs(TRACE, argv);
  if (o.help) return out(formatHelp(TRACE));
  const vcd = o.vcd as string | undefined;
  // No --out, or "-": the trace goes to stdout. Both outputs are checked before the case runs.
  const outputs = planOutputs([{ option: '--out', path: (o.out as string | undefined) ?? '-', stdoutAllowed: true }, { option: '--vcd', path: vcd }], [positionals[0]]);
  const c = readAnyCaseFile(positionals[0]);
  const waves = vcd !== undefined ? emptyWaveforms() : undefined;
  const trace = runTrace(c, o.backend as 'wasm' | 'ts', waves);
  outputs.set('--out', JSON.stringify(trace) + '\n');
  if (vcd !== undefined) outputs.set('--vcd', traceVcd(c, trace, waves!));
  outputs.commit();
}


/** `ncsim docs`: every command's option table as Markdown; `--readme FILE` rewrites the file's marked tables. */
function cmdDocs(argv: string[]): void {
  if (argv.length === 0) {
    for (const c of ALL_COMMANDS) out(`### ncsim ${c.name}\n\n${c.summary}.\n\n${optionsMarkdown(c)}\n`);
    return;
  }
  if (argv[0] !== '--readme' || argv.length !== 2) throw new InputError('docs', 'no arguments, or --readme FILE', argv.join(' '), { kind: 'argument' });
  const file = argv[1];
  const text = readDocumentText(file, { kind: 'readme file', what: 'a readable Markdown file' });
  const missing = missingOptionTables(text, ALL_COMMANDS);
  if (missing.length) process.stderr.write(`ncsim docs: no marked table for ${missing.join(', ')} in ${file}\n`);
  writeFileAtomic(file, syncOptionTables(text, ALL_COMMANDS));
}

const HANDLERS: Record<string, (argv: string[]) => void | Promise<void>> = {
  train: cmdTrain, trace: cmdTrace, cost: cmdCost, hw: cmdHw, report: cmdReport, compare: cmdCompare, robustness: cmdRobustness, net: cmdNet, docs: cmdDocs,
  sweep: cmdSweep, worker: cmdWorker, cases: cmdCases,
};

function fail(e: unknown): number {
  const status = exitStatusFor(e);
  process.stderr.write(`${PROGRAM}: ${e instanceof Error ? (status === 2 ? e.message : e.stack ?? e.message) : String(e)}\n`);
  return status;
}

export function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      out(`${formatTopHelp(PROGRAM, ALL_COMMANDS)}Run "${PROGRAM} --version" for the version.`);
      return 0;
    }
    if (cmd === '--version' || cmd === '-v') {
      out(packageVersion());
      return 0;
    }
    const handler = HANDLERS[cmd];
    if (!handler) throw new InputError('command', `one of ${Object.keys(HANDLERS).join(', ')}`, cmd, { kind: 'argument' });
    const pending = handler(rest);
    // An asynchronous command (sweep, worker) sets the exit status when it settles.
    if (pending instanceof Promise) {
      pending.then(() => undefined, (e) => {
        process.exitCode = fail(e);
      });
    }
    return 0;
  } catch (e) {
    return fail(e);
  }
}

/** Executed as the program (node dist/cli.js, the npm bin's link), not imported (the hostile-input test calls main). */
function isEntry(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) process.exitCode = main(process.argv.slice(2));
