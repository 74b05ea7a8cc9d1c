#!/usr/bin/env node
/**
 * The ncsim command line: a thin layer over the library (src/index.ts). Bad input exits with
 * status 2 and a message naming the field; output files are written atomically.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, formatHelp, formatTopHelp, optionsMarkdown, CommandSpec } from './options.js';
import { TRAIN, TRACE, COST, HW } from './commands.js';
import { loadModel, listModels, describeModel } from '../cost/hwmodel.js';
import { costRun, statsLines, accelergyActionCounts, CostReport } from '../cost/cost.js';
import { mapActivity, mapWithPolicy, MapPolicy } from '../cost/mapping.js';
import { readActivityFile } from '../cost/activity-io.js';
import type { Activity } from '../cost/activity.js';
import { costText, pipelineText } from '../report/cost-text.js';
import { cmdReport, cmdCompare, writeReportHtml } from './report-commands.js';
import { cmdRobustness } from './robustness-command.js';
import { syncOptionTables, missingOptionTables } from './readme-tables.js';
import { cmdNet } from './net-command.js';
import { cmdSweep, cmdWorker } from './sweep-command.js';
import { cmdCases } from './cases-command.js';
import { ALL_COMMANDS } from './all-commands.js';
import { pipelineReport } from '../pipeline/params.js';
import type { Schedule } from '../pipeline/des.js';
import { InputError, exitStatusFor } from './errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readCaseFile } from '../trace/case.js';
import { runTrace } from '../trace/trace.js';
import { train, TrainOptions, Progress } from '../train/train.js';
import { trainText } from '../report/text.js';

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
  const { options: o } = parseArgs(TRAIN, argv);
  if (o.help) return out(formatHelp(TRAIN));
  const opts = o as Record<string, unknown> & { json: boolean; out?: string; quiet: boolean; hw: string; stats?: string; accelergy?: string; report?: string };
  // Load the hardware model first: a bad --hw is refused before minutes of simulation.
  const model = loadModel(opts.hw);
  const showProgress = !opts.quiet && process.stderr.isTTY;
  const report = train(stripCli(opts), showProgress ? progressBar() : undefined);
  if (showProgress) process.stderr.write('\r\x1b[K');
  const mapping = mapFor(report.activity, model, opts.mapping as MapPolicy);
  report.cost = costRun(report.activity, model, mapping);
  report.pipeline = pipelineReport(report.activity, report.cost, model, report.options.epochs, report.options.batch, opts.schedule as Schedule);
  writeCostOutputs(report.cost, report.activity, mapping, opts);
  const json = JSON.stringify(report, null, 2);
  if (opts.out) writeFileAtomic(opts.out, json + '\n');
  if (opts.report) writeReportHtml(report, opts.report);
  out(opts.json ? json : `${trainText(report)}\n\n${costText(report.cost)}\n\n${pipelineText(report.pipeline)}`);
}

function writeCostOutputs(c: CostReport, activity: Activity, mapping: ReturnType<typeof mapActivity>, o: { stats?: string; accelergy?: string }): void {
  if (o.stats) writeFileAtomic(o.stats, statsLines(c));
  if (o.accelergy) writeFileAtomic(o.accelergy, accelergyActionCounts(activity, mapping));
}

/** Map with the asked policy ("spread" falls back to "pack", mapping.ts). */
function mapFor(activity: Activity, model: ReturnType<typeof loadModel>, policy: MapPolicy): ReturnType<typeof mapActivity> {
  return mapWithPolicy(activity.layers, model, policy);
}

function cmdCost(argv: string[]): void {
  const { options: o, positionals } = parseArgs(COST, argv);
  if (o.help) return out(formatHelp(COST));
  const activity = readActivityFile(positionals[0]);
  const model = loadModel(o.hw as string);
  const mapping = mapFor(activity, model, o.mapping as MapPolicy);
  const c = costRun(activity, model, mapping);
  writeCostOutputs(c, activity, mapping, o as { stats?: string; accelergy?: string });
  const json = JSON.stringify(c, null, 2);
  if (o.out) writeFileAtomic(o.out as string, json + '\n');
  out(o.json ? json : costText(c));
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

function stripCli(o: Record<string, unknown>): TrainOptions {
  const { json: _j, out: _o, quiet: _q, help: _h, hw: _w, stats: _s, accelergy: _a, schedule: _c, mapping: _m, report: _r, ...rest } = o;
  return rest as unknown as TrainOptions;
}

function cmdTrace(argv: string[]): void {
  const { options: o, positionals } = parseArgs(TRACE, argv);
  if (o.help) return out(formatHelp(TRACE));
  const c = readCaseFile(positionals[0]);
  const json = JSON.stringify(runTrace(c, o.backend as 'wasm' | 'ts'));
  if (o.out) writeFileAtomic(o.out as string, json + '\n');
  else out(json);
}

/** `ncsim docs`: every command's option table as Markdown; `--readme FILE` rewrites the file's marked tables. */
function cmdDocs(argv: string[]): void {
  if (argv.length === 0) {
    for (const c of ALL_COMMANDS) out(`### ncsim ${c.name}\n\n${c.summary}.\n\n${optionsMarkdown(c)}\n`);
    return;
  }
  if (argv[0] !== '--readme' || argv.length !== 2) throw new InputError('docs', 'no arguments, or --readme FILE', argv.join(' '), { kind: 'argument' });
  const file = argv[1];
  const text = readFileSync(file, 'utf8');
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
      out(formatTopHelp(PROGRAM, ALL_COMMANDS));
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

process.exitCode = main(process.argv.slice(2));
