/**
 * A sweep file (`ncsim.sweep/1`): one ncsim command run over the product of some option axes.
 *
 *   { "schema": "ncsim.sweep/1", "command": "train",
 *     "fixed": { "samples": 500, "epochs": 1 },            options every configuration gets
 *     "grid":  { "rule": ["ltl-online", "stop-w"], "hw": ["loihi", "rram"] },   Cartesian product
 *     "zip":   { "seed": [1, 2, 3], "lr": [0.01, 0.02, 0.03] } }            lists taken together
 *
 * Keys are the command's option names as on its command line, without `--` (`test-samples`);
 * `net` takes its FILE under the key `file`. Configurations come in a fixed order: the grid in
 * key order (the last key varies fastest), and for each grid point every zip row. Options that
 * only say where output goes (`out`, `json`, `quiet`, ...) are the sweep's business and refused.
 *
 * Every value is checked by the command's own option parser before anything runs, so a bad value
 * is refused naming its key (`grid.rule[1]`); combinations a command refuses at run time (STOP
 * with --delay 1, a network too big for a model) become failed configurations, not a failed sweep.
 *
 * A configuration's id is a hash of its fully-defaulted options (the parser's output, so
 * `--epochs 2` and the default 2 are one configuration) and of the contents of the files it names
 * (net and hardware-model files): editing a net file makes new configurations, not stale hits.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../io/errors.js';
import { parseArgs, type CommandSpec } from '../options.js';
import { TRAIN } from '../commands.js';
import { ROBUSTNESS } from '../robustness-command.js';
import { NET } from '../net-command.js';

export const SWEEP_SCHEMA = 'ncsim.sweep/1';

export const SWEEP_COMMANDS: Record<string, CommandSpec> = { train: TRAIN, robustness: ROBUSTNESS, net: NET };

/** Output and display options: the sweep decides them for every configuration. */
const RESERVED = new Set(['out', 'json', 'quiet', 'help', 'report', 'stats', 'accelergy']);

export type SweepValue = string | number | boolean | number[];

export interface SweepSpec {
  command: 'train' | 'robustness' | 'net';
  fixed: Record<string, SweepValue>;
  grid: Record<string, SweepValue[]>;
  zip: Record<string, SweepValue[]>;
  /** The file the spec came from (for messages). */
  source: string;
}

export interface Configuration {
  /** Position in the sweep's order (0-based). */
  index: number;
  /** Stable id: hash of the defaulted options and the named files' contents. */
  id: string;
  /** The varied and fixed options as given (key -> value), in key order. */
  given: Record<string, SweepValue>;
  /** The command line after `ncsim COMMAND` (without output options). */
  argv: string[];
  /** Every option of the command after defaults (the parser's result). */
  options: Record<string, unknown>;
}

const fieldError = (source: string, field: string, expected: string, got?: unknown, note?: string) =>
  new InputError(field, expected, got, { kind: `sweep ${source} field`, note });

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
}

function checkValue(source: string, field: string, v: unknown): SweepValue {
  if (isScalar(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isInteger(x))) return v as number[];
  throw fieldError(source, field, 'a string, a finite number, a boolean or a list of integers', v);
}

/** Validates a parsed sweep document (the shape only; values are checked by `expand`). */
export function parseSweep(doc: unknown, source: string): SweepSpec {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw fieldError(source, '(document)', 'a JSON object', doc);
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (!['schema', 'command', 'fixed', 'grid', 'zip', '$schema', 'description'].includes(k)) {
      throw fieldError(source, k, 'one of schema, command, fixed, grid, zip, description', undefined, 'unknown key');
    }
  }
  if (d.schema !== SWEEP_SCHEMA) throw fieldError(source, 'schema', `"${SWEEP_SCHEMA}"`, d.schema);
  if (typeof d.command !== 'string' || !(d.command in SWEEP_COMMANDS)) throw fieldError(source, 'command', `one of ${Object.keys(SWEEP_COMMANDS).join(', ')}`, d.command);
  const obj = (k: string): Record<string, unknown> => {
    const v = d[k] ?? {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fieldError(source, k, 'an object of option: value', v);
    return v as Record<string, unknown>;
  };
  const fixed: Record<string, SweepValue> = {};
  for (const [k, v] of Object.entries(obj('fixed'))) fixed[k] = checkValue(source, `fixed.${k}`, v);
  const axes = (part: 'grid' | 'zip') => {
    const out: Record<string, SweepValue[]> = {};
    for (const [k, v] of Object.entries(obj(part))) {
      if (!Array.isArray(v) || v.length === 0) throw fieldError(source, `${part}.${k}`, 'a non-empty list of values', v);
      if (k in fixed) throw fieldError(source, `${part}.${k}`, 'an option not also in fixed', undefined, `"${k}" is in fixed`);
      out[k] = v.map((x, i) => checkValue(source, `${part}.${k}[${i}]`, x));
    }
    return out;
  };
  const grid = axes('grid');
  const zip = axes('zip');
  for (const k of Object.keys(zip)) if (k in grid) throw fieldError(source, `zip.${k}`, 'an option not also in grid', undefined, `"${k}" is in grid`);
  const zipLens = Object.entries(zip).map(([k, v]) => [k, v.length] as const);
  for (const [k, n] of zipLens) {
    if (n !== zipLens[0][1]) throw fieldError(source, `zip.${k}`, `${zipLens[0][1]} values, as zip.${zipLens[0][0]}`, undefined, `it has ${n}`);
  }
  return { command: d.command as SweepSpec['command'], fixed, grid, zip, source };
}

/** One option as command-line words. */
function optionArgv(cmd: CommandSpec, key: string, v: SweepValue): string[] {
  if (cmd.name === 'net' && key === 'file') return [];
  const spec = cmd.options.find((o) => o.name === key);
  if (spec?.type === 'boolean' && typeof v === 'boolean') return [v ? `--${key}` : `--no-${key}`];
  return [`--${key}=${Array.isArray(v) ? v.join(',') : String(v)}`];
}

function toArgv(cmd: CommandSpec, given: Record<string, SweepValue>): string[] {
  const argv: string[] = [];
  if (cmd.name === 'net') argv.push(String(given.file ?? ''));
  for (const [k, v] of Object.entries(given)) argv.push(...optionArgv(cmd, k, v));
  return argv;
}

/** The command line of a configuration of `command` (workers rebuild it from the job's options). */
export function argvFor(command: string, given: Record<string, SweepValue>): string[] {
  const cmd = SWEEP_COMMANDS[command];
  if (!cmd) throw new InputError('command', `one of ${Object.keys(SWEEP_COMMANDS).join(', ')}`, command, { kind: 'job field' });
  return toArgv(cmd, given);
}

/** Checks one key and value with the command's own parser, naming the sweep field on error. */
function checkOption(spec: SweepSpec, cmd: CommandSpec, field: string, key: string, v: SweepValue): void {
  if (RESERVED.has(key)) throw fieldError(spec.source, field, 'an option of the run itself', key, `"${key}" is set by the sweep for every configuration`);
  // One configuration is one run: a sweep varies "seed" itself, and its summary.csv gives mean and sd.
  if (cmd.name === 'train' && key === 'seeds') throw fieldError(spec.source, field, 'an option of one run', key, 'vary "seed" in grid or zip instead: summary.csv gives the mean and sd over seeds');
  if (cmd.name === 'net' && key === 'file') {
    if (typeof v !== 'string' || !existsSync(v)) throw fieldError(spec.source, field, 'the path of a network file', v);
    return;
  }
  try {
    parseArgs(cmd, [...(cmd.name === 'net' ? ['x'] : []), ...optionArgv(cmd, key, v)]);
  } catch (e) {
    if (e instanceof InputError) throw fieldError(spec.source, field, e.expected, v, /did you mean [^)]*/.exec(e.message)?.[0]);
    throw e;
  }
}

/** The contents hash of an option's file, when it names one (net files, model files). */
function fileDigest(key: string, v: unknown): string | undefined {
  if (typeof v !== 'string' || !['net', 'hw', 'file'].includes(key)) return undefined;
  if (!existsSync(v) || !statSync(v).isFile()) return undefined;
  return createHash('sha256').update(readFileSync(v)).digest('hex');
}

/** Every configuration of the sweep, in order, each checked and with its id. */
export function expand(spec: SweepSpec): Configuration[] {
  const cmd = SWEEP_COMMANDS[spec.command];
  for (const [k, v] of Object.entries(spec.fixed)) checkOption(spec, cmd, `fixed.${k}`, k, v);
  for (const part of ['grid', 'zip'] as const) {
    for (const [k, vs] of Object.entries(spec[part])) vs.forEach((v, i) => checkOption(spec, cmd, `${part}.${k}[${i}]`, k, v));
  }
  if (cmd.name === 'net' && !('file' in spec.fixed) && !('file' in spec.grid) && !('file' in spec.zip)) {
    throw fieldError(spec.source, 'fixed.file', 'the network file of `ncsim net` (key "file" in fixed, grid or zip)');
  }
  const gridKeys = Object.keys(spec.grid);
  const points: Record<string, SweepValue>[] = [{}];
  for (const k of gridKeys) {
    const next: Record<string, SweepValue>[] = [];
    for (const p of points) for (const v of spec.grid[k]) next.push({ ...p, [k]: v });
    points.splice(0, points.length, ...next);
  }
  const zipKeys = Object.keys(spec.zip);
  const rows = zipKeys.length ? spec.zip[zipKeys[0]].map((_, i) => Object.fromEntries(zipKeys.map((k) => [k, spec.zip[k][i]]))) : [{}];
  const configs: Configuration[] = [];
  const seen = new Map<string, number>();
  for (const p of points) {
    for (const r of rows) {
      const given = { ...spec.fixed, ...p, ...r };
      const argv = toArgv(cmd, given);
      let options: Record<string, unknown>;
      try {
        options = parseArgs(cmd, argv).options;
      } catch (e) {
        if (e instanceof InputError) throw fieldError(spec.source, `configuration ${configs.length}`, e.expected, given, e.message);
        throw e;
      }
      delete options.help;
      const files = Object.fromEntries(Object.entries(given).flatMap(([k, v]) => {
        const d = fileDigest(k, v);
        return d ? [[k, d]] : [];
      }));
      const positional = cmd.name === 'net' ? resolve(String(given.file)) : undefined;
      const id = createHash('sha256').update(canonical({ command: spec.command, options, files, positional })).digest('hex').slice(0, 16);
      const dup = seen.get(id);
      if (dup !== undefined) throw fieldError(spec.source, `configuration ${configs.length}`, 'configurations that differ after defaults', given, `same as configuration ${dup}`);
      seen.set(id, configs.length);
      configs.push({ index: configs.length, id, given, argv, options });
    }
  }
  return configs;
}

/** JSON with object keys sorted (a stable text to hash). */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
