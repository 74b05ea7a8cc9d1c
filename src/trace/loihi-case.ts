/**
 * Golden cases of Loihi's fixed-point neuron: `ncsim.case/1` with `"neuron": {"model": "loihi"}`
 * (docs/loihi.md). Integer parameters in Loihi 1's ranges (src/reference/loihi.ts LOIHI_RANGES),
 * binary input spikes, no learning rule. Every refusal is an `InputError` naming the field.
 *
 * Decisions:
 * - `neuron.{du, dv, vth, delay}` are required; a layer may override `du`, `dv`, `vth` with one
 *   integer (Lava's LIF takes them per process, i.e. per layer).
 * - Per layer: `weights` (integers, nOut rows x nIn columns) and `biasMant` required; `biasExp`
 *   (default all 0), `weightExp` (default 0) and `numWeightBits` (default 8) optional.
 * - `input` rows are 0/1 (Lava's Dense with num_message_bits = 0 takes binary spikes).
 * - A `rule` is refused: learning with the Loihi neuron is not in ncsim yet. `surrogate`,
 *   `targets` and `label` are ignored (unknown fields are ignored, as in every case).
 */
import { InputError, UnsupportedError } from '../io/errors.js';
import { LOIHI_RANGES } from '../reference/loihi.js';

export const LOIHI_MODEL = 'loihi';

export interface LoihiLayer {
  name: string;
  nOut: number;
  nIn: number;
  /** nOut rows × nIn columns, as given (the chip clips and truncates them like Lava's Dense). */
  weights: number[][];
  weightExp: number;
  numWeightBits: number;
  biasMant: number[];
  biasExp: number[];
  du: number;
  dv: number;
  vth: number;
}

export interface LoihiCase {
  neuron: { model: 'loihi'; du: number; dv: number; vth: number; delay: 0 | 1 };
  layers: LoihiLayer[];
  /** T rows of 0/1; row t-1 is x[t]. */
  input: number[][];
  steps: number;
}

export function isLoihiCase(c: object): c is LoihiCase {
  return (c as LoihiCase).neuron?.model === LOIHI_MODEL;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function object(v: unknown, path: string): Obj {
  if (!isObject(v)) throw new InputError(path, 'an object', v);
  return v;
}

function int(v: unknown, path: string, [lo, hi]: readonly [number, number], what = ''): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new InputError(path, `an integer in [${lo}, ${hi}]${what ? ` (${what})` : ''}`, v);
  }
  return v === 0 ? 0 : v; // -0 → 0
}

function intArray(v: unknown, path: string, length: number, range: readonly [number, number], why: string): number[] {
  if (!Array.isArray(v) || v.length !== length) {
    throw new InputError(path, `an array of ${length} integer${length === 1 ? '' : 's'} in [${range[0]}, ${range[1]}] (${why})`, v);
  }
  return v.map((x, i) => int(x, `${path}[${i}]`, range));
}

function rows(v: unknown, path: string, what: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0) throw new InputError(path, what, v);
  return v;
}

/** Validate a parsed `ncsim.case/1` document whose `neuron.model` is "loihi". Throws `InputError`. */
export function parseLoihiCase(doc: Obj): LoihiCase {
  const n = object(doc.neuron, 'neuron');
  if (n.model !== LOIHI_MODEL) throw new InputError('neuron.model', `"${LOIHI_MODEL}"`, n.model);
  const du = int(n.du, 'neuron.du', LOIHI_RANGES.du, 'current decay, 12 bits');
  const dv = int(n.dv, 'neuron.dv', LOIHI_RANGES.dv, 'voltage decay, 12 bits');
  const vth = int(n.vth, 'neuron.vth', LOIHI_RANGES.vth, 'threshold mantissa, 17 bits');
  if (n.delay !== 0 && n.delay !== 1) throw new InputError('neuron.delay', '0 or 1', n.delay);
  const delay = n.delay === 1 ? 1 : 0;
  if (doc.rule !== undefined) {
    throw new UnsupportedError('rule', doc.rule, undefined, { note: 'learning with the Loihi neuron is not in ncsim yet: leave "rule" out' });
  }

  const input = rows(doc.input, 'input', 'a non-empty array of input rows (one per time step)');
  const first = input[0];
  if (!Array.isArray(first) || first.length === 0) throw new InputError('input[0]', 'a non-empty array of 0/1 spikes', first);
  const width = first.length;
  const x = input.map((row, t) => {
    if (!Array.isArray(row) || row.length !== width) {
      throw new InputError(`input[${t}]`, `an array of ${width} spikes (0 or 1)${t ? ' (the width of input[0])' : ''}`, row);
    }
    return row.map((v, j) => int(v, `input[${t}][${j}]`, [0, 1], 'a binary spike'));
  });

  const raw = rows(doc.layers, 'layers', 'a non-empty array of layers');
  const names = new Set<string>();
  const layers: LoihiLayer[] = [];
  raw.forEach((rl, k) => {
    const at = `layers[${k}]`;
    const l = object(rl, at);
    if (typeof l.name !== 'string' || l.name === '') throw new InputError(`${at}.name`, 'a non-empty string', l.name);
    if (names.has(l.name)) throw new InputError(`${at}.name`, 'a name no other layer has', l.name);
    names.add(l.name);
    const nIn = k === 0 ? width : layers[k - 1].nOut;
    const inWhy = k === 0 ? 'one per input column' : `one per neuron of layer "${layers[k - 1].name}"`;
    const w = rows(l.weights, `${at}.weights`, 'a non-empty array of rows (one per neuron)');
    const nOut = w.length;
    const weights = w.map((r, i) => intArray(r, `${at}.weights[${i}]`, nIn, LOIHI_RANGES.weight, inWhy));
    const per = (key: 'du' | 'dv' | 'vth', dflt: number): number => (l[key] === undefined ? dflt : int(l[key], `${at}.${key}`, LOIHI_RANGES[key]));
    layers.push({
      name: l.name, nOut, nIn, weights,
      weightExp: l.weightExp === undefined ? 0 : int(l.weightExp, `${at}.weightExp`, LOIHI_RANGES.weightExp),
      numWeightBits: l.numWeightBits === undefined ? 8 : int(l.numWeightBits, `${at}.numWeightBits`, LOIHI_RANGES.numWeightBits),
      biasMant: intArray(l.biasMant, `${at}.biasMant`, nOut, LOIHI_RANGES.biasMant, 'one per neuron: the rows of weights'),
      biasExp: l.biasExp === undefined ? new Array<number>(nOut).fill(0) : intArray(l.biasExp, `${at}.biasExp`, nOut, LOIHI_RANGES.biasExp, 'one per neuron'),
      du: per('du', du), dv: per('dv', dv), vth: per('vth', vth),
    });
  });
  return { neuron: { model: 'loihi', du, dv, vth, delay }, layers, input: x, steps: x.length };
}
