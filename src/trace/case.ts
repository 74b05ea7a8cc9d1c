/**
 * Golden cases: parse and validate `ncsim.case/1` (docs/spec/CASE-FORMAT.md) into a typed,
 * fully resolved `Case`. Every refusal throws an `InputError` naming the field as a JSON path
 * (`layers[0].weights[2][1]`, `rule.name`, `targets.h1`, `label`) and what was expected; the
 * CLI turns it into exit status 2 with nothing written.
 *
 * Decisions where CASE-FORMAT.md is silent (it gives defaults for `rule.warmup`, `rule.error`
 * and `rule.updateAt` only):
 * - Every other field is required: `format`; `neuron.{leak, threshold, reset, delay}` (even
 *   when every layer overrides threshold and leak); `surrogate.{width, height}` (every rule
 *   uses the surrogate g); `rule.{name, learningRate}`; `layers`; `input`.
 * - `null` is not "absent": an optional field given as `null` is refused.
 * - `learningRate` may be any finite number (0 and negative included).
 * - `warmup`, `error` and `updateAt` are validated for every rule, though only ltl-online uses
 *   them; `updateAt` "step" is refused for every rule but ltl-online.
 * - The input has at least one row and at least one column; every layer at least one neuron.
 * - Per-layer `threshold` / `leak` must be arrays (one per neuron); a bare number is refused.
 *   They are validated on the readout too, though the readout has no threshold nor leak.
 * - LTL rules ignore `label` (not validated, `label` = null); readout rules ignore `targets`
 *   (not validated, `targets` = null). Keys of `targets` naming no layer are ignored.
 * - Layer names are unique non-empty strings; any characters are allowed (a name that is not
 *   an identifier is written `targets["my layer"]` in error paths).
 * - The returned arrays are copies: mutating the JSON afterwards does not change the Case.
 */
import { readJsonDocument } from '../io/document.js';
import { InputError } from '../io/errors.js';
import { F32_FINITE, F32_FRACTION, F32_POSITIVE, isF32Finite, isF32Fraction, isF32Positive } from '../io/f32.js';
import type { RuleName, UpdateAt } from '../model/types.js';
import { RULES, RULE_TABLE, rulesUpdatingAt } from '../rules/table.js';
import { LoihiCase, LOIHI_MODEL, parseLoihiCase } from './loihi-case.js';

export const CASE_FORMAT = 'ncsim.case/1';

export interface CaseLayer {
  name: string;
  /** Neurons of the layer (rows of `weights`). */
  nOut: number;
  /** Neurons of the layer before, or the input width for layer 0 (columns of `weights`). */
  nIn: number;
  /** nOut rows × nIn columns. */
  weights: number[][];
  bias: number[];
  /** Per neuron, resolved: the layer's `threshold` array, else `neuron.threshold`. */
  threshold: number[];
  /** Per neuron, resolved: the layer's `leak` array, else `neuron.leak`. */
  leak: number[];
  /** True when the layer gave a `leak` array (the trace then writes `dLeak` as an array). */
  leakPerNeuron: boolean;
}

export interface Case {
  neuron: { leak: number; threshold: number; reset: 'subtract' | 'zero'; delay: 0 | 1 };
  surrogate: { width: number; height: 'unit' | 'normalized' };
  rule: { name: RuleName; learningRate: number; warmup: number; error: 'exact' | 'sign'; updateAt: UpdateAt };
  layers: CaseLayer[];
  /** T rows; row t-1 is x[t]. */
  input: number[][];
  /** T, the number of input rows. */
  steps: number;
  /** Layer name → ŷ (one per neuron), for LTL rules; null for readout rules. */
  targets: Record<string, number[]> | null;
  /** Class index in [0, readout width), for readout rules; null for LTL rules. */
  label: number | null;
  /** The bit-accurate fixed-point chip the case runs on (docs/rtl.md); null: the f32 chip. */
  fixedPoint: CaseFixedPoint | null;
}

/**
 * Optional `fixedPoint` of a case (docs/rtl.md, a backward-compatible extension of
 * ncsim.case/1): the chip's number format (src/chip/spec.ts FixedPointSpec), with the weight
 * range of every layer given (so the LSBs follow from the case alone), the spike counters'
 * width and the chip instance's seed (stochastic rounding). ltl-online only.
 */
export interface CaseFixedPoint {
  weightBits: number;
  stateBits: number;
  inputFractionBits: number;
  activationShift?: number;
  leak: 'multiply-shift' | 'bit-shift';
  decayBits: number;
  shiftRounding: 'floor' | 'toward-zero' | 'nearest';
  updateRounding: 'nearest' | 'stochastic';
  /** wmax of every layer: weight LSB = range[l] / (2^(weightBits-1) - 1). */
  range: number[];
  counterBits: number;
  seed: number;
}

// ---------------------------------------------------------------------------------------------
// Field helpers. Each takes the value and its JSON path and either returns it typed or throws.

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `base.key`, or `base["key"]` when key is not an identifier. */
function keyPath(base: string, key: string): string {
  if (IDENTIFIER.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(o: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function requireObject(v: unknown, path: string, what = 'an object'): Record<string, unknown> {
  if (!isObject(v)) throw new InputError(path, what, v);
  return v;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

// Every number of a case reaches the chip as f32: checked in the range it will live in (src/io/f32.ts).
function finite(v: unknown, path: string, expected = 'a finite number'): number {
  if (!isFiniteNumber(v)) throw new InputError(path, expected, v);
  if (!isF32Finite(v)) throw new InputError(path, F32_FINITE, v);
  return v;
}

function positive(v: unknown, path: string): number {
  if (!isFiniteNumber(v) || v <= 0) throw new InputError(path, 'a finite number > 0', v);
  if (!isF32Positive(v)) throw new InputError(path, F32_POSITIVE, v);
  return v;
}

function leakValue(v: unknown, path: string): number {
  if (!isFiniteNumber(v) || v <= 0 || v > 1) throw new InputError(path, 'a number in (0, 1]', v);
  if (!isF32Fraction(v)) throw new InputError(path, F32_FRACTION, v);
  return v;
}

function choice<T extends string>(v: unknown, path: string, choices: readonly T[]): T {
  if (typeof v !== 'string' || !choices.includes(v as T)) {
    throw new InputError(path, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, v);
  }
  return v as T;
}

/**
 * An array of exactly `length` numbers, each checked by `element` (finite by default).
 * Wrong type or length names the array; a bad element names the element (`path[i]`).
 */
function numberArray(
  v: unknown,
  path: string,
  length: number,
  why = '',
  element: (x: unknown, p: string) => number = finite,
  elementWhat = 'finite numbers',
): number[] {
  if (!Array.isArray(v) || v.length !== length) {
    const what = length === 1 ? elementWhat.replace('numbers', 'number') : elementWhat;
    throw new InputError(path, `an array of ${length} ${what}${why ? ` (${why})` : ''}`, v);
  }
  const out = new Array<number>(length);
  for (let i = 0; i < length; i++) out[i] = element(v[i], `${path}[${i}]`);
  return out;
}

function nonEmptyArray(v: unknown, path: string, what: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0) throw new InputError(path, what, v);
  return v;
}

// ---------------------------------------------------------------------------------------------

/** Validate a parsed `ncsim.case/1` document and resolve it. Throws `InputError`. */
export function parseCase(json: unknown): Case {
  const doc = requireObject(json, '(case)', `an ${CASE_FORMAT} object`);

  if (doc.format !== CASE_FORMAT) throw new InputError('format', JSON.stringify(CASE_FORMAT), doc.format);

  // neuron: every field required (CASE-FORMAT gives no defaults for them)
  const n = requireObject(doc.neuron, 'neuron');
  const neuron: Case['neuron'] = {
    leak: leakValue(n.leak, 'neuron.leak'),
    threshold: positive(n.threshold, 'neuron.threshold'),
    reset: choice(n.reset, 'neuron.reset', ['subtract', 'zero'] as const),
    delay: 0,
  };
  if (n.delay !== 0 && n.delay !== 1) throw new InputError('neuron.delay', '0 or 1', n.delay);
  neuron.delay = n.delay === 1 ? 1 : 0; // -0 → 0

  // surrogate: every field required (every rule uses g)
  const s = requireObject(doc.surrogate, 'surrogate');
  const surrogate: Case['surrogate'] = {
    width: positive(s.width, 'surrogate.width'),
    height: choice(s.height, 'surrogate.height', ['unit', 'normalized'] as const),
  };

  // rule: name and learningRate required; warmup, error, updateAt default
  const r = requireObject(doc.rule, 'rule');
  const name = choice(r.name, 'rule.name', RULES);
  const learningRate = finite(r.learningRate, 'rule.learningRate');
  let warmup = 0;
  if (has(r, 'warmup')) {
    const w = r.warmup;
    if (typeof w !== 'number' || !Number.isSafeInteger(w) || w < 0) {
      throw new InputError('rule.warmup', 'a non-negative integer (steps without update)', w);
    }
    warmup = w;
  }
  const error = has(r, 'error') ? choice(r.error, 'rule.error', ['exact', 'sign'] as const) : 'exact';
  const updateAt = has(r, 'updateAt') ? choice(r.updateAt, 'rule.updateAt', ['step', 'sample'] as const) : 'sample';
  const rule: Case['rule'] = { name, learningRate, warmup, error, updateAt };

  // input: T >= 1 rows of the same width >= 1
  const rows = nonEmptyArray(doc.input, 'input', 'a non-empty array of input rows (one per time step)');
  const first = rows[0];
  if (!Array.isArray(first) || first.length === 0) {
    throw new InputError('input[0]', 'a non-empty array of finite numbers', first);
  }
  const inputWidth = first.length;
  const input = rows.map((row, t) =>
    numberArray(row, `input[${t}]`, inputWidth, t === 0 ? '' : 'the width of input[0]'),
  );

  // layers
  const rawLayers = nonEmptyArray(doc.layers, 'layers', 'a non-empty array of layers');
  const names = new Set<string>();
  const layers: CaseLayer[] = [];
  for (let k = 0; k < rawLayers.length; k++) {
    const at = `layers[${k}]`;
    const l = requireObject(rawLayers[k], at);
    if (typeof l.name !== 'string' || l.name === '') throw new InputError(`${at}.name`, 'a non-empty string', l.name);
    if (names.has(l.name)) throw new InputError(`${at}.name`, 'a name no other layer has', l.name);
    names.add(l.name);

    const nIn = k === 0 ? inputWidth : layers[k - 1].nOut;
    const inWhy = k === 0 ? 'one per input column' : `one per neuron of layer "${layers[k - 1].name}"`;
    const w = nonEmptyArray(l.weights, `${at}.weights`, 'a non-empty array of rows (one per neuron)');
    const nOut = w.length;
    const weights = w.map((row, i) => numberArray(row, `${at}.weights[${i}]`, nIn, inWhy));
    const bias = numberArray(l.bias, `${at}.bias`, nOut, 'one per neuron: the rows of weights');

    const threshold = has(l, 'threshold')
      ? numberArray(l.threshold, `${at}.threshold`, nOut, 'one per neuron', positive, 'numbers > 0')
      : new Array<number>(nOut).fill(neuron.threshold);
    const leakPerNeuron = has(l, 'leak');
    const leak = leakPerNeuron
      ? numberArray(l.leak, `${at}.leak`, nOut, 'one per neuron', leakValue, 'numbers in (0, 1]')
      : new Array<number>(nOut).fill(neuron.leak);

    layers.push({ name: l.name, nOut, nIn, weights, bias, threshold, leak, leakPerNeuron });
  }

  // rule-specific constraints (the rule table: the neuron model it needs, when it may write)
  const info = RULE_TABLE[name];
  if (info.needs.delay !== undefined && neuron.delay !== info.needs.delay) {
    throw new InputError('neuron.delay', `${info.needs.delay} for rule "${name}" (${info.family} needs d = ${info.needs.delay})`, n.delay);
  }
  if (info.needs.reset !== undefined && neuron.reset !== info.needs.reset) {
    throw new InputError('neuron.reset', `"${info.needs.reset}" for rule "${name}" (${info.family}'s reset)`, n.reset);
  }
  if (!info.caseUpdateAt.includes(updateAt)) {
    throw new InputError('rule.updateAt', `"${info.caseUpdateAt.join('" or "')}" for rule "${name}" ("${updateAt}" exists for ${rulesUpdatingAt(updateAt, true).join(', ')} only in case files)`, r.updateAt);
  }

  let targets: Record<string, number[]> | null = null;
  let label: number | null = null;
  if (info.readout) {
    if (layers.length < 2) {
      throw new InputError('layers', `at least 2 layers for rule "${name}" (spiking layers, then the readout)`, doc.layers);
    }
    const readout = layers[layers.length - 1];
    const lb = doc.label;
    if (typeof lb !== 'number' || !Number.isInteger(lb) || lb < 0 || lb >= readout.nOut) {
      throw new InputError(
        'label',
        `an integer in [0, ${readout.nOut}) (a neuron of the readout "${readout.name}") for rule "${name}"`,
        lb,
      );
    }
    label = lb;
  } else {
    const t = requireObject(doc.targets, 'targets', `an object with the targets of every layer for rule "${name}"`);
    const entries: [string, number[]][] = layers.map((layer) => {
      const at = keyPath('targets', layer.name);
      if (!has(t, layer.name)) {
        const what = layer.nOut === 1 ? 'finite number' : 'finite numbers';
        throw new InputError(at, `an array of ${layer.nOut} ${what} (rule "${name}" needs every layer's targets)`, undefined);
      }
      return [layer.name, numberArray(t[layer.name], at, layer.nOut, `one per neuron of layer "${layer.name}"`)];
    });
    targets = Object.fromEntries(entries); // own properties, "__proto__" included
  }

  let fixedPoint: CaseFixedPoint | null = null;
  if (has(doc, 'fixedPoint')) {
    if (name !== 'ltl-online') throw new InputError('fixedPoint', `no fixedPoint for rule "${name}" (the fixed-point chip runs ltl-online only)`, doc.fixedPoint);
    fixedPoint = parseFixedPoint(doc.fixedPoint, layers.length);
  }

  return { neuron, surrogate, rule, layers, input, steps: input.length, targets, label, fixedPoint };
}

function intIn(v: unknown, path: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new InputError(path, `an integer in [${lo}, ${hi}]`, v);
  return v;
}

/** The case's `fixedPoint` (ranges as src/chip/device.ts validateDevice checks them). */
function parseFixedPoint(v: unknown, nLayers: number): CaseFixedPoint {
  const f = requireObject(v, 'fixedPoint');
  const opt = <T>(key: string, read: (x: unknown, p: string) => T, dflt: T): T => (has(f, key) ? read(f[key], `fixedPoint.${key}`) : dflt);
  const out: CaseFixedPoint = {
    weightBits: intIn(f.weightBits, 'fixedPoint.weightBits', 2, 16),
    stateBits: intIn(f.stateBits, 'fixedPoint.stateBits', 4, 32),
    inputFractionBits: opt('inputFractionBits', (x, p) => intIn(x, p, 0, 16), 8),
    leak: opt('leak', (x, p) => choice(x, p, ['multiply-shift', 'bit-shift'] as const), 'multiply-shift'),
    decayBits: opt('decayBits', (x, p) => intIn(x, p, 1, 20), 12),
    shiftRounding: opt('shiftRounding', (x, p) => choice(x, p, ['floor', 'toward-zero', 'nearest'] as const), 'floor'),
    updateRounding: opt('updateRounding', (x, p) => choice(x, p, ['nearest', 'stochastic'] as const), 'stochastic'),
    range: numberArray(f.range, 'fixedPoint.range', nLayers, 'one wmax per layer', positive, 'numbers > 0'),
    counterBits: intIn(f.counterBits, 'fixedPoint.counterBits', 1, 32),
    seed: intIn(f.seed, 'fixedPoint.seed', 0, 4294967295),
  };
  if (has(f, 'activationShift')) out.activationShift = intIn(f.activationShift, 'fixedPoint.activationShift', 0, 16);
  return out;
}

/**
 * Validate any `ncsim.case/1` document: a Loihi case when `neuron.model` is "loihi"
 * (src/trace/loihi-case.ts), the ALGORITHMS neuron otherwise (`parseCase`).
 */
export function parseAnyCase(json: unknown): Case | LoihiCase {
  if (isObject(json) && json.format === CASE_FORMAT && isObject(json.neuron) && has(json.neuron, 'model')) {
    const model = json.neuron.model;
    if (model === LOIHI_MODEL) return parseLoihiCase(json);
    if (model !== 'algorithms') throw new InputError('neuron.model', `"algorithms" (the default) or "${LOIHI_MODEL}"`, model);
  }
  return parseCase(json);
}

/**
 * Read and validate a case file. A missing or unreadable file, or text that is not JSON,
 * is an `InputError` of kind "case file" naming the path (and, for bad JSON, the line and
 * column); a field error is prefixed with the path. A UTF-8 byte-order mark is skipped.
 */
export function readCaseFile(path: string): Case {
  return parseFile(path, parseCase);
}

/** `readCaseFile` for any case, Loihi cases included (`parseAnyCase`). */
export function readAnyCaseFile(path: string): Case | LoihiCase {
  return parseFile(path, parseAnyCase);
}

function parseFile<T>(path: string, parse: (json: unknown) => T): T {
  // The format field is checked by the parser (with the other fields), not here.
  const json = readJsonDocument(path, { kind: 'case file', what: `a case file (${CASE_FORMAT})` });
  try {
    return parse(json);
  } catch (err) {
    if (err instanceof InputError) err.message = `${path}: ${err.message}`;
    throw err;
  }
}
