/**
 * A sweep's folder and its tidy tables.
 *
 *   DIR/runs/ID.json      the JSON report of configuration ID (what `--out` writes), complete or absent
 *   DIR/failed/ID.json    a configuration that failed: its options, exit status and error text
 *   DIR/results.csv       one row per configuration, in the sweep's order: id, status, the given
 *   DIR/results.jsonl     options, then the headline figures (units in the column names)
 *
 * The tables are rebuilt from the folder each time, so they never disagree with it and a resumed
 * sweep gets one row per configuration whatever happened before.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import type { Configuration, SweepValue } from './spec.js';
import type { ResultRow } from './rows.js';

export type { ResultRow } from './rows.js';

export const runPath = (dir: string, id: string) => join(dir, 'runs', `${id}.json`);
export const failedPath = (dir: string, id: string) => join(dir, 'failed', `${id}.json`);

export function prepareFolder(dir: string): void {
  mkdirSync(join(dir, 'runs'), { recursive: true });
  mkdirSync(join(dir, 'failed'), { recursive: true });
}

/** A run report is complete when it parses (the CLI writes it by rename, so a partial one never exists). */
export function isComplete(dir: string, id: string): boolean {
  return runFigures(runPath(dir, id), 'train') !== undefined;
}

/**
 * Headline figures of each run report, by path, kept while the file is unchanged (same size and
 * mtime): the tables are rewritten after every finished configuration, and re-reading every
 * report each time would make a sweep's bookkeeping quadratic in its size. Only the figures are
 * kept (for every command's columns), not the reports.
 */
const runCache = new Map<string, { size: number; mtimeMs: number; figures: Record<string, Record<string, number | null>> }>();

/** The headline figures of the report at `p` for `command`, or undefined when it is absent or does not parse. */
function runFigures(p: string, command: string): Record<string, number | null> | undefined {
  let st;
  try {
    st = statSync(p);
  } catch {
    return undefined;
  }
  const hit = runCache.get(p);
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.figures[command] ?? headline(command, undefined);
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(p, 'utf8'));
  } catch {
    return undefined;
  }
  const figures = Object.fromEntries(Object.keys(FIGURES).map((c) => [c, headline(c, report)]));
  runCache.set(p, { size: st.size, mtimeMs: st.mtimeMs, figures });
  return figures[command] ?? headline(command, undefined);
}

export interface FailedRecord {
  id: string;
  index: number;
  given: Record<string, SweepValue>;
  status: number | null;
  signal: string | null;
  error: string;
}

type Figure = [column: string, path: string[]];

/** Headline figures per command: column name (with unit) and where the report keeps it. */
const FIGURES: Record<string, Figure[]> = {
  train: [
    ['teacher_accuracy', ['teacher', 'testAccuracy']],
    ['snn_accuracy', ['snn', 'testAccuracy']],
    ['updates_issued', ['learning', 'updates']],
    ['updates_dense', ['learning', 'denseUpdates']],
    ['energy_per_train_sample_J', ['cost', 'phases', 'train', 'energy', 'perSamplePJ']],
    ['energy_per_inference_sample_J', ['cost', 'phases', 'test', 'energy', 'perSamplePJ']],
    ['latency_per_train_sample_s', ['cost', 'phases', 'train', 'latency', 'perSampleS']],
    ['latency_per_inference_sample_s', ['cost', 'phases', 'test', 'latency', 'perSampleS']],
    ['learning_memory_B', ['cost', 'memory', 'learningStateBytes']],
    ['cores_used', ['cost', 'mapping', 'coresUsed']],
    ['wall_s', ['wallSeconds']],
  ],
  robustness: [
    ['teacher_accuracy', ['teacherAccuracy']],
    ['ideal_accuracy', ['idealAccuracy']],
    ['wall_s', ['wallSeconds']],
  ],
  net: [
    ['energy_per_step_J', ['perStep', 'energyPJ']],
    ['latency_per_step_s', ['perStep', 'seconds']],
    ['synops_per_step', ['perStep', 'synops']],
    ['neurons', ['totals', 'neurons']],
  ],
};

function at(obj: unknown, path: string[]): unknown {
  let o = obj;
  for (const k of path) {
    if (o === null || typeof o !== 'object') return undefined;
    o = (o as Record<string, unknown>)[k];
  }
  return o;
}

/** The headline figures of one report (pJ figures in J: one unit per column). */
export function headline(command: string, report: unknown): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [col, path] of FIGURES[command] ?? []) {
    const v = at(report, path);
    out[col] = typeof v === 'number' && Number.isFinite(v) ? (path[path.length - 1].endsWith('PJ') ? v * 1e-12 : v) : null;
  }
  if (command === 'train') {
    const t = out.teacher_accuracy, s = out.snn_accuracy;
    out.gap_points = t !== null && s !== null ? (t - s) * 100 : null;
  }
  return out;
}


/** One row per configuration, from what the folder holds now. */
export function collectRows(dir: string, command: string, configs: Configuration[]): ResultRow[] {
  return configs.map((c) => {
    const base = { id: c.id, index: c.index, options: c.given };
    const figures = runFigures(runPath(dir, c.id), command);
    if (figures !== undefined) return { ...base, status: 'ok' as const, figures };
    if (existsSync(failedPath(dir, c.id))) {
      let error = 'failed';
      try {
        error = (JSON.parse(readFileSync(failedPath(dir, c.id), 'utf8')) as FailedRecord).error;
      } catch { /* an unreadable record still says the configuration failed */ }
      return { ...base, status: 'failed' as const, figures: headline(command, undefined), error };
    }
    return { ...base, status: 'pending' as const, figures: headline(command, undefined) };
  });
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = Array.isArray(v) ? v.join(',') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes results.csv and results.jsonl (atomically) and returns the rows. */
export function writeTables(dir: string, command: string, configs: Configuration[]): ResultRow[] {
  const rows = collectRows(dir, command, configs);
  const optionCols = [...new Set(configs.flatMap((c) => Object.keys(c.given)))];
  const figureCols = Object.keys(headline(command, undefined));
  const header = ['id', 'index', 'status', ...optionCols, ...figureCols, 'error'];
  const lines = [header.join(',')];
  for (const r of rows) {
    lines.push([r.id, r.index, r.status, ...optionCols.map((k) => r.options[k]), ...figureCols.map((k) => r.figures[k]), r.error ?? ''].map(csvCell).join(','));
  }
  writeFileAtomic(join(dir, 'results.csv'), lines.join('\n') + '\n');
  writeFileAtomic(join(dir, 'results.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
  const seeds = seedSummary(rows, optionCols, figureCols);
  if (seeds) writeFileAtomic(join(dir, 'summary.csv'), seeds);
  return rows;
}

/** Mean and sample standard deviation (n - 1); sd is null for one value. */
export function meanSd(xs: number[]): { mean: number; sd: number | null } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { mean, sd: null };
  return { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) };
}

/**
 * Multi-seed statistics: when the sweep varies `seed`, one row per setting of the other options
 * with n (complete seeds) and mean and sd of every figure over the seeds. Null without a seed axis.
 */
export function seedSummary(rows: ResultRow[], optionCols: string[], figureCols: string[]): string | null {
  if (new Set(rows.map((r) => String(r.options.seed))).size < 2) return null;
  const keys = optionCols.filter((k) => k !== 'seed');
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    const g = JSON.stringify(keys.map((k) => r.options[k]));
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const header = [...keys, 'seeds', 'complete', ...figureCols.flatMap((f) => [`${f}_mean`, `${f}_sd`])];
  const lines = [header.join(',')];
  for (const members of groups.values()) {
    const ok = members.filter((r) => r.status === 'ok');
    const stats = figureCols.flatMap((f) => {
      const xs = ok.map((r) => r.figures[f]).filter((x): x is number => x !== null);
      if (!xs.length) return [null, null];
      const m = meanSd(xs);
      return [m.mean, m.sd];
    });
    lines.push([...keys.map((k) => members[0].options[k]), members.length, ok.length, ...stats].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

