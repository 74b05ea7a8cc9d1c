/**
 * What the HTML report reads: a train run (src/train/train.ts, `TrainReport`, schemaVersion 1)
 * and two optional fields other commands may attach to it. The report draws a chart for each
 * optional field only when it is present, and checks its shape first (`checkOptionalFields`):
 * a field in another shape is named in a note on the page (the library renderer) or refused
 * (the `ncsim report` command), never drawn wrong.
 */
import type { TrainReport } from '../../train/train.js';

/**
 * Accuracy under a swept non-ideality, e.g. weight noise or conductance drift: the chip trained
 * ideally (`ideal`), its weights deployed on the non-ideal chip as they are (`deployed`), and
 * after on-chip calibration (`calibrated`). One accuracy (a fraction in [0, 1]) per level.
 */
export interface RobustnessCurves {
  /** What is varied, as an axis label: "weight noise σ / max |w|", "drift time". */
  vary: string;
  /** Unit of the levels, for the axis label ("s", "%"); absent: no unit (a ratio). */
  unit?: string;
  levels: number[];
  ideal: number[];
  deployed: number[];
  calibrated: number[];
  /** What produced the curves, for the caption (e.g. "ncsim robustness --vary noise"). */
  source?: string;
}

/**
 * Learning-state memory of each rule as the time window grows (BPTT stores every step's
 * states; LTL keeps constant-size accumulators): bytes per rule, one value per window.
 */
export interface MemoryCurves {
  /** Time windows T (time steps). */
  windows: number[];
  rules: { rule: string; bytes: number[] }[];
  /** What produced the curves, for the caption. */
  source?: string;
}

/** A train run as the report reads it: the optional fields are drawn when present (robustness: one chart per curves object). */
export type ReportRun = TrainReport & { robustness?: RobustnessCurves | RobustnessCurves[]; memory?: MemoryCurves };

/** One run of a comparison page, with the label it is shown under. */
export interface LabelledRun { label: string; run: ReportRun }

/** A problem with an optional field: the JSON path and what was expected. */
export interface FieldProblem { field: string; expected: string; got: unknown }

const isFiniteArray = (v: unknown, len?: number): v is number[] =>
  Array.isArray(v) && (len === undefined || v.length === len) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** The first problem of each optional field present (robustness, memory), or none. */
export function checkOptionalFields(run: Record<string, unknown>): FieldProblem[] {
  const out: FieldProblem[] = [];
  const r = run.robustness as Record<string, unknown> | undefined;
  if (r !== undefined) {
    const p = checkRobustness(r);
    if (p) out.push(p);
  }
  const m = run.memory as Record<string, unknown> | undefined;
  if (m !== undefined) {
    const p = checkMemory(m);
    if (p) out.push(p);
  }
  return out;
}

function checkRobustness(r: unknown): FieldProblem | null {
  if (Array.isArray(r)) {
    if (r.length === 0) return { field: 'robustness', expected: 'an object { vary, levels, ideal, deployed, calibrated }, or a non-empty array of them', got: r };
    for (let i = 0; i < r.length; i++) {
      const p = checkRobustness(r[i]);
      if (p) return { ...p, field: p.field.replace(/^robustness/, `robustness[${i}]`) };
    }
    return null;
  }
  if (typeof r !== 'object' || r === null) return { field: 'robustness', expected: 'an object { vary, levels, ideal, deployed, calibrated }, or an array of them', got: r };
  const o = r as Record<string, unknown>;
  if (typeof o.vary !== 'string' || o.vary === '') return { field: 'robustness.vary', expected: 'a non-empty string', got: o.vary };
  if (o.unit !== undefined && typeof o.unit !== 'string') return { field: 'robustness.unit', expected: 'a string', got: o.unit };
  if (!isFiniteArray(o.levels) || o.levels.length === 0) return { field: 'robustness.levels', expected: 'a non-empty array of finite numbers', got: o.levels };
  const len = o.levels.length;
  for (const k of ['ideal', 'deployed', 'calibrated'] as const) {
    if (!isFiniteArray(o[k], len)) return { field: `robustness.${k}`, expected: `an array of ${len} finite accuracies (one per level)`, got: o[k] };
  }
  return null;
}

function checkMemory(m: unknown): FieldProblem | null {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return { field: 'memory', expected: 'an object { windows, rules }', got: m };
  const o = m as Record<string, unknown>;
  if (!isFiniteArray(o.windows) || o.windows.length === 0) return { field: 'memory.windows', expected: 'a non-empty array of finite numbers', got: o.windows };
  const len = o.windows.length;
  if (!Array.isArray(o.rules) || o.rules.length === 0) return { field: 'memory.rules', expected: 'a non-empty array of { rule, bytes }', got: o.rules };
  for (let i = 0; i < o.rules.length; i++) {
    const e = o.rules[i] as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null) return { field: `memory.rules[${i}]`, expected: 'an object { rule, bytes }', got: e };
    if (typeof e.rule !== 'string' || e.rule === '') return { field: `memory.rules[${i}].rule`, expected: 'a non-empty string', got: e.rule };
    if (!isFiniteArray(e.bytes, len)) return { field: `memory.rules[${i}].bytes`, expected: `an array of ${len} finite numbers (one per window)`, got: e.bytes };
  }
  return null;
}

/**
 * The curves of an `ncsim robustness` report (src/robustness, kind "ncsim.robustness"), for
 * attaching to a train run as its `robustness` field. Typed by shape, so this file does not
 * depend on that module: the ideal chip's accuracy is one number, drawn flat across the levels.
 */
export function robustnessCurves(r: {
  vary: string; levelUnit?: string; levels: number[]; idealAccuracy: number; model?: string;
  rows: { level: number; deployed: number; calibrated: number }[];
}): RobustnessCurves {
  const rows = [...r.rows].sort((a, b) => a.level - b.level);
  return {
    vary: r.vary,
    unit: r.levelUnit,
    levels: rows.map((x) => x.level),
    ideal: rows.map(() => r.idealAccuracy),
    deployed: rows.map((x) => x.deployed),
    calibrated: rows.map((x) => x.calibrated),
    source: `ncsim robustness --vary ${r.vary}${r.model ? ` --hw ${r.model}` : ''}`,
  };
}
