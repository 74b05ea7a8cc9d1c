#!/usr/bin/env node
/**
 * The ncsim command line: a thin layer over the library (src/index.ts). Bad input exits with
 * status 2 and a message naming the field; output files are written atomically.
 */
// Node's platform first (files, wasm, MNIST, threads): everything below may need it.
import '../node/platform.js';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readDocumentText } from '../io/document.js';
import { packageVersion } from './version.js';
import { camelCase, parseArgs, parseArgsGiven, formatHelp, formatTopHelp, optionsMarkdown } from './options.js';
import { TRAIN, TRACE, COST, HW } from './commands.js';
import { loadModel, listModels, describeModel } from '../cost/hwmodel.js';
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
import { isNirPath, importNir } from '../net/nir.js';
import { cmdSweep, cmdWorker } from './sweep-command.js';
import { cmdCases } from './cases-command.js';
import { cmdServe } from './serve-command.js';
import { ALL_COMMANDS } from './all-commands.js';
import { InputError, exitStatusFor } from '../io/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { planOutputs, OutputSet } from '../io/outputs.js';
import { renderReport } from '../report/html/render.js';
import type { ReportRun } from '../report/html/types.js';
import { readAnyCaseFile } from '../trace/case.js';
import { runTrace, emptyWaveforms } from '../trace/trace.js';
import { traceVcd } from '../trace/vcd.js';
import { train, TrainOptions, TrainChecks, Progress } from '../train/train.js';
import { checkNirExportable, nirOfChip, prepareNirExport } from '../net/nir-export.js';
import { priceReport, resolveTrainOptions, trainAsync, type LibraryTrainOptions, type PricedTrainReport } from '../node/api.js';
import { Checkpoint, RunInterrupted } from '../train/checkpoint.js';
import type { HwModel } from '../cost/hwmodel.js';
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

type TrainCliOptions = Record<string, unknown> & {
  json: boolean; out?: string; quiet: boolean; hw: string; stats?: string; accelergy?: string; report?: string;
  checkpoint?: string; checkpointEvery?: number; resume?: string; saveNir?: string; net?: string; dt?: number;
};

function cmdTrain(argv: string[]): void | Promise<void> {
  const { options: o, given } = parseArgsGiven(TRAIN, argv);
  if (o.help) return out(formatHelp(TRAIN));
  const opts = o as TrainCliOptions;
  const showProgress = !opts.quiet && process.stderr.isTTY;
  if (o.seeds !== undefined) {
    // One run per seed (src/cli/train-seeds.ts): nothing of a single run's files or resumption.
    for (const [key, flag] of [['checkpoint', '--checkpoint'], ['resume', '--resume'], ['saveNir', '--save-nir']] as const) {
      if (opts[key] !== undefined) throw new InputError(flag, 'nothing with --seeds (one run per seed; give it to a single run)', opts[key], { kind: 'option' });
    }
    // Load the hardware model first: a bad --hw is refused before minutes of simulation.
    loadModel(opts.hw);
    // --preset fills the options not given on the line (src/train/presets.ts).
    const trainOptions = resolvePreset(stripCli(opts), new Set(given));
    return cmdTrainSeeds(o, given, (seed) => trainPriced({ ...trainOptions, seed }, opts, showProgress).report, out);
  }
  // Every output path is checked before minutes of simulation (and before any asynchronous
  // reading); all are written together at the end.
  const outputs = planOutputs([
    { option: '--out', path: opts.out }, { option: '--report', path: opts.report },
    { option: '--stats', path: opts.stats }, { option: '--accelergy', path: opts.accelergy },
    { option: '--save-nir', path: opts.saveNir },
  ], [opts.net, opts.teacher as string | undefined, opts.hw].filter((f): f is string => typeof f === 'string' && (f.includes('/') || f.endsWith('.json') || f.endsWith('.onnx') || f.endsWith('.nir'))));
  // --preset fills the options not given on the line (src/train/presets.ts).
  const trainOptions = resolvePreset(stripCli(opts), new Set(given));
  // What NIR cannot express is refused before the run, not after it (src/net/nir-export.ts).
  if (outputs.has('--save-nir')) checkNirExportable(trainOptions);
  if (opts.checkpoint !== undefined || opts.resume !== undefined) return trainCheckpointed(opts, given, outputs);
  // A NIR graph as --net is read first, and the NIR writer of --save-nir loaded (h5wasm initialises
  // asynchronously); train then finds the graph (loadedNir) and writes synchronously.
  const nirIn = typeof opts.net === 'string' && isNirPath(opts.net);
  if (nirIn || outputs.has('--save-nir')) {
    return Promise.all([nirIn ? importNir(opts.net as string, { dt: opts.dt as number }) : undefined, outputs.has('--save-nir') ? prepareNirExport() : undefined]).then(() => runTrain(trainOptions, opts, outputs, showProgress));
  }
  runTrain(trainOptions, opts, outputs, showProgress);
}

function runTrain(trainOptions: TrainOptions, opts: TrainCliOptions, outputs: OutputSet, showProgress: boolean): void {
  // --save-nir: the chip after the last epoch, kept until the outputs are committed together.
  const { report, model } = trainPriced(trainOptions, opts, showProgress, ({ net, chip }) => {
    if (outputs.has('--save-nir')) outputs.set('--save-nir', nirOfChip(net, chip, opts.dt as number));
  });
  finishTrain(report, opts, outputs, model, opts.mapping as MapPolicy);
}

/** One training run of `ncsim train`, timed and priced on --hw with --mapping and --schedule. */
function trainPriced(trainOptions: TrainOptions, opts: TrainCliOptions, showProgress: boolean, afterTraining?: TrainChecks['afterTraining']): { report: PricedTrainReport; model: HwModel } {
  // Load the hardware model first: a bad --hw is refused before minutes of simulation.
  const model = loadModel(opts.hw);
  const mapping = opts.mapping as MapPolicy;
  // Does the network fit the hardware model? Asked once the network is known, before the teacher trains.
  const fits: TrainChecks = {
    beforeTeacher: (plan) => void mapFor({ layers: plan.layers } as Activity, model, mapping),
    ...(afterTraining ? { afterTraining } : {}),
  };
  // Every step is timed on the mesh of this model and mapping while the chip runs (src/timing).
  const timing = { model, mapping };
  const report = priceReport(train(trainOptions, showProgress ? progressBar() : undefined, fits, timing), model, mapping, opts.schedule as Schedule);
  if (showProgress) process.stderr.write('\r\x1b[K');
  return { report, model };
}

/**
 * `ncsim train --checkpoint DIR` / `--resume DIR` (src/train/checkpoint.ts): the run goes through
 * the library's trainAsync so that SIGINT and SIGTERM are seen between samples; either makes
 * the run save its checkpoint at the next sample boundary and exit with 130 / 143. A second
 * signal ends the process at once (Node's default).
 */
function trainCheckpointed(opts: TrainCliOptions, given: string[], outputs: OutputSet): Promise<void> {
  // Refusals first and synchronously (exit status 2 from main itself): the checkpoint, the options against it, the folder, the model.
  const resume = opts.resume !== undefined ? Checkpoint.load(opts.resume) : undefined;
  // A resumed run takes the options the command line did not give from its checkpoint.
  const run = Object.fromEntries(Object.entries(stripCheckpoint(opts)).filter(([k]) => !resume || given.includes(k)));
  const library: LibraryTrainOptions = {
    ...run, ...(opts.checkpoint !== undefined ? { checkpoint: opts.checkpoint } : {}),
    ...(opts.checkpointEvery !== undefined ? { checkpointEvery: opts.checkpointEvery } : {}), ...(resume ? { resume } : {}),
  };
  const { price } = resolveTrainOptions(library);
  const model = typeof price.hw === 'string' ? loadModel(price.hw) : price.hw;
  if (resume && !opts.quiet) process.stderr.write(`${PROGRAM}: resuming the run saved in ${opts.resume} (${resume.describePosition()})\n`);
  // The report's options in the order `ncsim train` without checkpoints prints them (the option
  // table's defaults, then the options without one), so that a resumed run's JSON is the same text.
  const order = [...TRAIN.options.filter((s) => s.default !== undefined), ...TRAIN.options.filter((s) => s.default === undefined)].map((s) => camelCase(s.name));
  return runCheckpointed(library, opts, outputs, model, price.mapping, order);
}

async function runCheckpointed(library: LibraryTrainOptions, opts: TrainCliOptions, outputs: OutputSet, model: HwModel, mapping: MapPolicy, order: string[]): Promise<void> {
  const dir = (opts.checkpoint ?? opts.resume) as string;
  const ac = new AbortController();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => ac.abort(new RunInterrupted(signal, dir));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const showProgress = !opts.quiet && process.stderr.isTTY;
  try {
    const report = await trainAsync(library, { signal: ac.signal, ...(showProgress ? { onProgress: progressBar() } : {}), ...(opts.saveNir !== undefined ? { saveNir: opts.saveNir } : {}) });
    if (showProgress) process.stderr.write('\r\x1b[K');
    const options = report.options as unknown as Record<string, unknown>;
    report.options = Object.fromEntries([...order.filter((k) => k in options), ...Object.keys(options).filter((k) => !order.includes(k))].map((k) => [k, options[k]])) as unknown as typeof report.options;
    finishTrain(report, opts, outputs, model, mapping);
  } catch (e) {
    if (!(e instanceof RunInterrupted)) throw e;
    if (showProgress) process.stderr.write('\r\x1b[K');
    const where = Checkpoint.load(e.dir).describePosition();
    process.stderr.write(`${PROGRAM}: ${e.signal}: checkpoint written to ${e.dir} (${where}); resume with: ${PROGRAM} train --resume ${e.dir}\n`);
    process.exitCode = e.exitStatus;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The run's and the pricing's options among the command's (without output, display and checkpoint options). */
function stripCheckpoint(o: TrainCliOptions): Record<string, unknown> {
  const { json: _j, out: _o, quiet: _q, help: _h, stats: _s, accelergy: _a, report: _r, checkpoint: _c, checkpointEvery: _e, resume: _u, saveNir: _n, seeds: _d, ...rest } = o;
  return rest;
}

/** Print the priced report and write the output files. */
function finishTrain(report: PricedTrainReport, opts: TrainCliOptions, outputs: OutputSet, model: HwModel, mapping: MapPolicy): void {
  setCostOutputs(outputs, report.cost, report.activity, mapFor(report.activity, model, mapping), model);
  const json = JSON.stringify(report, null, 2);
  outputs.set('--out', json + '\n');
  if (outputs.has('--report')) outputs.set('--report', renderReport(report as unknown as ReportRun, {}));
  outputs.commit();
  out(opts.json ? json : `${trainText(report)}\n\n${costText(report.cost)}\n\n${pipelineText(report.pipeline)}`);
}

/** The train options among the command's (the rest say where output goes, how it is priced, which seeds). */
function stripCli(o: Record<string, unknown>): TrainOptions {
  const { json: _j, out: _o, quiet: _q, help: _h, hw: _w, stats: _s, accelergy: _a, schedule: _c, mapping: _m, report: _r, checkpoint: _k, checkpointEvery: _e, resume: _u, saveNir: _n, seeds: _d, ...rest } = o;
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
  sweep: cmdSweep, worker: cmdWorker, cases: cmdCases, serve: cmdServe,
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
