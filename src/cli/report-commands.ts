/**
 * `ncsim report` and `ncsim compare`: a saved train run (or several) as one self-contained HTML
 * page with charts (src/report/html). The lead registers the tables and handlers in main.ts and
 * commands.ts; `ncsim train --report FILE` calls `writeReportHtml`.
 *
 * A run file is read whole and checked before anything is written: it must be a train report
 * (`kind: "ncsim.train"`) of schema version 1 with the parts the page draws from; a refusal is
 * an InputError naming the file and the field (exit status 2). The page is written atomically.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { CommandSpec } from './options.js';
import { parseArgs, formatHelp } from './options.js';
import { InputError } from '../io/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { planOutputs, type OutputSet } from '../io/outputs.js';
import { checkDocumentSchema, readJsonDocument } from '../io/document.js';
import { RUN_SCHEMA, ROBUSTNESS_SCHEMA } from '../io/kinds.js';
import { renderReport, renderCompare } from '../report/html/render.js';
import { renderSweep } from '../report/html/sweep.js';
import { readSweepRows } from './sweep/rows.js';
import { DEFAULT_GANTT_BATCHES } from '../report/html/charts.js';
import { checkOptionalFields, robustnessCurves, ReportRun, LabelledRun, RobustnessCurves } from '../report/html/types.js';

/** The run kind and schema version this page reads (src/train/train.ts, TrainReport). */
export const RUN_KIND = RUN_SCHEMA.value;
export const RUN_SCHEMA_VERSION = RUN_SCHEMA.versions[0];

export const REPORT: CommandSpec = {
  name: 'report',
  summary: 'Render a saved train run as one self-contained HTML page with charts (no network needed to open it)',
  usage: 'ncsim report RUN.json [-o report.html]',
  positionals: [{ name: 'RUN.json', description: 'a run written by `ncsim train --out`', required: true }],
  options: [
    { name: 'out', short: 'o', type: 'string', valueName: 'path', description: 'write the page here ("-": stdout; default: RUN.json\'s name with .html, beside it)' },
    { name: 'gantt-batches', type: 'int', min: 1, max: 1000, default: DEFAULT_GANTT_BATCHES, description: 'the host/link/chip timelines draw the first this many batches (3 bars each)' },
    { name: 'robustness', type: 'string', valueName: 'path', description: 'also draw the curves of a robustness study written by `ncsim robustness --out` (one chart per varied non-ideality; replaces the run\'s own robustness field)' },
  ],
};

export const COMPARE: CommandSpec = {
  name: 'compare',
  summary: 'Render several saved train runs side by side as one self-contained HTML page',
  usage: 'ncsim compare A.json B.json [MORE.json ...] [-o compare.html] [--labels a,b,...]',
  positionals: [
    { name: 'A.json', description: 'a run written by `ncsim train --out`', required: true },
    { name: 'B.json', description: 'another run', required: true },
    { name: 'MORE.json ...', description: 'more runs (any number)', required: false },
  ],
  options: [
    { name: 'out', short: 'o', type: 'string', valueName: 'path', default: 'compare.html', description: 'write the page here ("-": stdout)' },
    { name: 'labels', type: 'string', valueName: 'a,b,...', description: 'comma-separated labels, one per run, in order (default: the file names without .json)' },
  ],
};

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks that `json` is a train run the page can draw; `file` names it in errors. Refuses:
 * another kind, another schema version, and missing or mistyped parts the charts read
 * (options, teacher, snn, learning; cost and pipeline when present; the optional robustness
 * and memory fields in the shapes of src/report/html/types.ts).
 */
export function checkRun(json: unknown, file: string): ReportRun {
  const kind = `run ${JSON.stringify(file)} field`;
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new InputError(field, expected, got, { kind });
  };
  checkDocumentSchema(json, RUN_SCHEMA, kind);
  const r = json as Obj;
  if (!isObj(r.options)) fail('options', 'an object', r.options);
  const t = r.teacher;
  if (!isObj(t)) fail('teacher', 'an object', t);
  if (!isNum((t as Obj).testAccuracy)) fail('teacher.testAccuracy', 'a finite number', (t as Obj).testAccuracy);
  if (!Array.isArray((t as Obj).sizes)) fail('teacher.sizes', 'an array of layer sizes', (t as Obj).sizes);
  const s = r.snn;
  if (!isObj(s)) fail('snn', 'an object', s);
  const snn = s as Obj;
  if (!isNum(snn.initialTestAccuracy)) fail('snn.initialTestAccuracy', 'a finite number', snn.initialTestAccuracy);
  if (!isNum(snn.testAccuracy)) fail('snn.testAccuracy', 'a finite number', snn.testAccuracy);
  if (!Array.isArray(snn.epochs)) fail('snn.epochs', 'an array of epochs', snn.epochs);
  (snn.epochs as unknown[]).forEach((e, i) => {
    const p = `snn.epochs[${i}]`;
    if (!isObj(e)) fail(p, 'an object', e);
    const ep = e as Obj;
    if (!isNum(ep.epoch)) fail(`${p}.epoch`, 'a finite number', ep.epoch);
    if (!isNum(ep.testAccuracy)) fail(`${p}.testAccuracy`, 'a finite number', ep.testAccuracy);
    if (!Array.isArray(ep.layers)) fail(`${p}.layers`, 'an array of { name, updates, denseUpdates }', ep.layers);
    (ep.layers as unknown[]).forEach((l, j) => {
      if (!isObj(l) || typeof l.name !== 'string' || !isNum(l.updates) || !isNum(l.denseUpdates)) {
        fail(`${p}.layers[${j}]`, 'an object { name: string, updates: number, denseUpdates: number }', l);
      }
    });
  });
  if (!isObj(r.learning)) fail('learning', 'an object', r.learning);
  if (!Array.isArray((r.learning as Obj).layers)) fail('learning.layers', 'an array of layers', (r.learning as Obj).layers);
  if (r.cost !== undefined) {
    const c = r.cost;
    if (!isObj(c)) fail('cost', 'an object (a cost report) or nothing', c);
    const cc = c as Obj;
    if (!isObj(cc.model)) fail('cost.model', 'an object', cc.model);
    if (!isObj(cc.phases)) fail('cost.phases', 'an object { train, test }', cc.phases);
    for (const ph of ['train', 'test']) {
      const p = (cc.phases as Obj)[ph];
      if (!isObj(p)) fail(`cost.phases.${ph}`, 'an object', p);
      for (const k of ['energy', 'cycles', 'latency', 'layers']) {
        if (!isObj((p as Obj)[k])) fail(`cost.phases.${ph}.${k}`, 'an object', (p as Obj)[k]);
      }
    }
  }
  if (r.pipeline !== undefined) {
    const p = r.pipeline;
    if (!isObj(p)) fail('pipeline', 'an object (a pipeline report) or nothing', p);
    const cmp = (p as Obj).comparison;
    if (!isObj(cmp)) fail('pipeline.comparison', 'an object { pipelined, sequential, hil }', cmp);
    for (const [name, res] of Object.entries(cmp as Obj)) {
      if (!isObj(res) || !Array.isArray(res.timeline)) fail(`pipeline.comparison.${name}.timeline`, 'an array of timeline events', isObj(res) ? res.timeline : res);
    }
  }
  const problems = checkOptionalFields(r);
  if (problems.length) fail(problems[0].field, problems[0].expected, problems[0].got);
  return r as unknown as ReportRun;
}

/** Reads and checks a run file (InputError naming the file when unreadable or not JSON). */
export function readRunFile(file: string): ReportRun {
  const json = readJsonDocument(file, { kind: 'run file', what: 'a readable JSON run (written by `ncsim train --out`)' });
  return checkRun(json, file);
}

/**
 * The curves of a robustness study (`ncsim robustness --out`, kind "ncsim.robustness"), one per
 * study; a file of another kind or shape is refused naming the field (exit status 2).
 */
export function readRobustnessCurves(file: string): RobustnessCurves[] {
  const kind = `robustness study ${JSON.stringify(file)} field`;
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new InputError(field, expected, got, { kind });
  };
  const json = readJsonDocument(file, {
    kind: 'robustness file', what: 'a readable JSON robustness study (written by `ncsim robustness --out`)', schema: ROBUSTNESS_SCHEMA, fieldKind: kind,
  });
  const r = json as Obj;
  if (!isNum(r.idealAccuracy)) fail('idealAccuracy', 'a finite number', r.idealAccuracy);
  if (!Array.isArray(r.studies) || r.studies.length === 0) fail('studies', 'a non-empty array of studies', r.studies);
  return (r.studies as unknown[]).map((st, i) => {
    const p = `studies[${i}]`;
    if (!isObj(st) || typeof st.vary !== 'string' || !Array.isArray(st.rows) || st.rows.length === 0) {
      fail(p, 'an object { vary: string, levelUnit, levels, rows: [...] }', st);
    }
    const rows = (st as Obj).rows as unknown[];
    rows.forEach((w, j) => {
      if (!isObj(w) || !isNum(w.level) || !isNum(w.deployed) || !isNum(w.calibrated)) fail(`${p}.rows[${j}]`, 'an object { level, deployed, calibrated } of finite numbers', w);
    });
    const s = st as { vary: string; levelUnit?: string; levels: number[]; rows: { level: number; deployed: number; calibrated: number }[] };
    return robustnessCurves({ ...s, levelUnit: typeof s.levelUnit === 'string' ? s.levelUnit : undefined, idealAccuracy: r.idealAccuracy as number, model: typeof r.model === 'string' ? r.model : undefined });
  });
}

/** Writes the HTML report of a run (atomically). For `ncsim train --report FILE`. */
export function writeReportHtml(run: ReportRun, path: string, opts: { ganttBatches?: number } = {}): void {
  writeFileAtomic(path, renderReport(run, opts));
}

function emit(outputs: OutputSet, path: string, html: string): void {
  outputs.set('--out', html);
  outputs.commit();
  if (path !== '-') process.stdout.write(`wrote ${path} (${Math.ceil(Buffer.byteLength(html) / 1024)} kB)\n`);
}

/** RUN.json → RUN.html beside it (RUN → RUN.html). */
export function defaultReportPath(runPath: string): string {
  return runPath.replace(/\.json$/i, '') + '.html';
}

export function cmdReport(argv: string[]): void {
  const { options: o, positionals } = parseArgs(REPORT, argv);
  if (o.help) {
    process.stdout.write(formatHelp(REPORT));
    return;
  }
  const file = positionals[0];
  if (existsSync(file) && statSync(file).isDirectory()) {
    // A sweep's folder (ncsim sweep --out DIR): its table drawn as one page.
    const out = (o.out as string | undefined) ?? resolve(file, 'sweep.html');
    const outputs = planOutputs([{ option: '--out', path: out, stdoutAllowed: true }], []);
    emit(outputs, out, renderSweep(readSweepRows(file), { title: `ncsim sweep ${basename(resolve(file))}` }));
    return;
  }
  const out = (o.out as string | undefined) ?? defaultReportPath(file);
  const robustness = o.robustness as string | undefined;
  const outputs = planOutputs([{ option: '--out', path: out, stdoutAllowed: true }], robustness === undefined ? [file] : [file, robustness]);
  const run = readRunFile(file);
  if (robustness !== undefined) run.robustness = readRobustnessCurves(robustness);
  emit(outputs, out, renderReport(run, { ganttBatches: o.ganttBatches as number }));
}

/** Labels from file names (without .json); names shared by several files get their folder. */
export function labelsFromFiles(files: string[]): string[] {
  const base = (f: string) => basename(f).replace(/\.json$/i, '');
  const labels = files.map(base);
  const dup = (l: string) => labels.filter((x) => x === l).length > 1;
  const withDir = files.map((f, i) => (dup(labels[i]) ? `${basename(dirname(resolve(f)))}/${base(f)}` : labels[i]));
  // still shared (same folder name too): number them
  const seen = new Map<string, number>();
  return withDir.map((l) => {
    const k = (seen.get(l) ?? 0) + 1;
    seen.set(l, k);
    return withDir.filter((x) => x === l).length > 1 ? `${l} (${k})` : l;
  });
}

export function cmdCompare(argv: string[]): void {
  // The table declares two runs and "more"; parse with as many optional positionals as given.
  const declared = COMPARE.positionals!.slice(0, 2);
  const extra = Array.from({ length: Math.max(0, argv.length - 2) }, (_, i) => ({ name: `run ${i + 3}`, description: 'another run', required: false }));
  const { options: o, positionals: files } = parseArgs({ ...COMPARE, positionals: [...declared, ...extra] }, argv);
  if (o.help) {
    process.stdout.write(formatHelp(COMPARE));
    return;
  }
  let labels = labelsFromFiles(files);
  if (o.labels !== undefined) {
    const raw = o.labels as string;
    const given = raw.split(',').map((s) => s.trim());
    if (given.length !== files.length || given.some((s) => s === '')) {
      throw new InputError('--labels', `${files.length} non-empty comma-separated labels, one per run`, raw, { kind: 'option' });
    }
    labels = given;
  }
  const out = o.out as string;
  const outputs = planOutputs([{ option: '--out', path: out, stdoutAllowed: true }], files);
  const runs: LabelledRun[] = files.map((f, i) => ({ label: labels[i], run: readRunFile(f) }));
  emit(outputs, out, renderCompare(runs));
}
