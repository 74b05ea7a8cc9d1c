/**
 * Command-line options declared once, in a typed table that drives parsing, `--help` and the
 * option tables of docs/cli.md (after vitest's `packages/vitest/src/node/cli/cli-config.ts`).
 *
 * Parsing rules:
 * - Options are kebab-case on the command line (`--test-samples`) and come back camelCase
 *   (`testSamples`). `--x=v` and `--x v` both work; `-s v` / `-s=v` for a declared `short`.
 * - A value taken from the next argument may not start with "-", except "-" alone and
 *   negative numbers for int/number/list options; write `--x=-v` otherwise.
 * - Booleans: `--flag` (true), `--no-flag` (false), `--flag=true|false`. No bundling (`-ab`).
 * - `list` is comma-separated integers (`--layers 784,100,10`); spaces around items allowed.
 * - An option given twice: the last one wins.
 * - Defaults are filled in; a boolean without a declared default defaults to false; an option
 *   with neither default nor value is absent from `options`.
 * - `--` ends the options: everything after it is positional.
 * - `--help` (and `-h` unless a table claims it) is always recognised and returns
 *   `options.help = true`; with it, errors elsewhere on the line and missing positionals are
 *   not reported (help wins).
 * - Errors are `InputError` (exit status 2) naming the option: unknown option (with the
 *   closest known one suggested), missing value, bad int/number/enum/list, out of range,
 *   missing or extra positional arguments.
 * A malformed table (duplicate names, a default of the wrong type, ...) is a programming error
 * and throws a plain `Error` (see `checkCommandSpec`).
 */
import { InputError } from '../io/errors.js';
import { closest } from '../io/edit-distance.js';

export { closest };

export type OptionType = 'int' | 'number' | 'string' | 'boolean' | 'list' | 'enum';

export interface OptionSpec {
  /** kebab-case: 'steps' → --steps, 'test-samples' → --test-samples (key `testSamples`). */
  name: string;
  /** 'list' is comma-separated integers. */
  type: OptionType;
  /** Allowed values of an 'enum'. */
  choices?: string[];
  default?: unknown;
  description: string;
  /** Inclusive bounds for int, number and every item of a list. */
  min?: number;
  max?: number;
  /** One character: 'o' → -o. */
  short?: string;
  /** Placeholder in help, e.g. 'path' → `--out <path>`; by default the type. */
  valueName?: string;
  /** Words an 'int' or 'boolean' option takes besides its values (e.g. 'auto'), kept as the word. */
  words?: string[];
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** The usage line without "Usage: ", e.g. `ncsim trace CASE.json [--out TRACE.json]`. */
  usage: string;
  /** In order; required ones first. Extra positionals are refused. */
  positionals?: { name: string; description: string; required: boolean }[];
  options: OptionSpec[];
}

export interface ParsedArgs {
  options: Record<string, unknown>;
  positionals: string[];
  /** The camelCase keys set on the command line (the rest hold defaults): a preset fills only the others. */
  given: string[];
}

const HELP_OPTION: OptionSpec = { name: 'help', type: 'boolean', description: 'Show this help and exit' };

/** 'test-samples' → 'testSamples'. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The table with the built-in --help appended (unless declared), -h given to it if free. */
function withHelp(cmd: CommandSpec): OptionSpec[] {
  if (cmd.options.some((o) => o.name === 'help')) return cmd.options;
  const hFree = !cmd.options.some((o) => o.short === 'h');
  return [...cmd.options, hFree ? { ...HELP_OPTION, short: 'h' } : HELP_OPTION];
}

// ---------------------------------------------------------------------------------------------
// Table check

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Throws a plain Error when the table itself is wrong (a bug, not bad input). */
export function checkCommandSpec(cmd: CommandSpec): void {
  const bad = (msg: string): never => {
    throw new Error(`command "${cmd.name}": ${msg}`);
  };
  const names = new Set<string>();
  const keys = new Set<string>();
  const shorts = new Set<string>();
  for (const o of cmd.options) {
    if (!KEBAB.test(o.name)) bad(`option name "${o.name}" is not kebab-case`);
    if (names.has(o.name)) bad(`option --${o.name} declared twice`);
    if (keys.has(camelCase(o.name))) bad(`options collide on key "${camelCase(o.name)}"`);
    names.add(o.name);
    keys.add(camelCase(o.name));
    if (o.short !== undefined) {
      if (!/^[A-Za-z0-9]$/.test(o.short)) bad(`short "${o.short}" of --${o.name} is not one letter or digit`);
      if (shorts.has(o.short)) bad(`short -${o.short} declared twice`);
      shorts.add(o.short);
    }
    if (o.type === 'enum' && (!o.choices || o.choices.length === 0)) bad(`enum --${o.name} has no choices`);
    if (o.type !== 'enum' && o.choices) bad(`--${o.name} has choices but is not an enum`);
    if ((o.min !== undefined || o.max !== undefined) && !['int', 'number', 'list'].includes(o.type)) {
      bad(`--${o.name}: min/max apply to int, number and list only`);
    }
    if (o.words && !['int', 'boolean'].includes(o.type)) bad(`--${o.name}: words apply to int and boolean only`);
    if (o.default !== undefined && !defaultFits(o, o.default)) {
      bad(`default of --${o.name} does not fit its type: ${JSON.stringify(o.default)}`);
    }
  }
  for (const o of cmd.options) {
    if (o.name.startsWith('no-') && cmd.options.some((p) => p.type === 'boolean' && p.name === o.name.slice(3))) {
      bad(`--${o.name} collides with the negation of boolean --${o.name.slice(3)}`);
    }
  }
  const pos = cmd.positionals ?? [];
  for (let i = 1; i < pos.length; i++) {
    if (pos[i].required && !pos[i - 1].required) bad(`required positional "${pos[i].name}" after an optional one`);
  }
}

function inRange(o: OptionSpec, v: number): boolean {
  return (o.min === undefined || v >= o.min) && (o.max === undefined || v <= o.max);
}

function defaultFits(o: OptionSpec, v: unknown): boolean {
  if (typeof v === 'string' && o.words?.includes(v)) return true;
  switch (o.type) {
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v) && inRange(o, v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && inRange(o, v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'enum':
      return typeof v === 'string' && (o.choices ?? []).includes(v);
    case 'list':
      return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && inRange(o, x));
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

const INT = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/** Words for what an option takes: `an integer >= 1`, `one of "a", "b"`, ... */
export function expectedText(o: OptionSpec): string {
  const range = (): string => {
    if (o.min !== undefined && o.max !== undefined) return ` in [${o.min}, ${o.max}]`;
    if (o.min !== undefined) return ` >= ${o.min}`;
    if (o.max !== undefined) return ` <= ${o.max}`;
    return '';
  };
  const words = o.words?.length ? ` or ${o.words.join(', ')}` : '';
  switch (o.type) {
    case 'int':
      return `an integer${range()}${words}`;
    case 'number':
      return `a number${range()}`;
    case 'string':
      return 'a non-empty string';
    case 'boolean':
      return `true or false${words}`;
    case 'enum':
      return `one of ${(o.choices ?? []).join(', ')}`;
    case 'list':
      return `a comma-separated list of integers${range() ? ` (each${range()})` : ''}`;
  }
}

function convert(o: OptionSpec, raw: string, display: string): unknown {
  const err = (note?: string): InputError =>
    new InputError(display, expectedText(o), raw, { kind: 'option', note });
  if (o.words?.includes(raw)) return raw;
  switch (o.type) {
    case 'int': {
      const v = Number(raw);
      if (!INT.test(raw) || !Number.isSafeInteger(v)) throw err();
      if (!inRange(o, v)) throw err('out of range');
      return v;
    }
    case 'number': {
      const v = Number(raw);
      if (!DECIMAL.test(raw) || !Number.isFinite(v)) throw err();
      if (!inRange(o, v)) throw err('out of range');
      return v === 0 ? 0 : v; // -0 → 0
    }
    case 'string':
      if (raw === '') throw err();
      return raw;
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw err();
    case 'enum': {
      const choices = o.choices ?? [];
      if (choices.includes(raw)) return raw;
      const near = closest(raw, choices);
      throw err(near ? `did you mean ${near}?` : undefined);
    }
    case 'list': {
      const items = raw.split(',').map((s) => s.trim());
      return items.map((item, i) => {
        const v = Number(item);
        if (!INT.test(item) || !Number.isSafeInteger(v)) throw err(`item ${i + 1} is ${JSON.stringify(item)}`);
        if (!inRange(o, v)) throw err(`item ${i + 1} (${item}) is out of range`);
        return v;
      });
    }
  }
}

/** The declared default; false for a boolean that declares none. */
function effectiveDefault(o: OptionSpec): unknown {
  return o.default ?? (o.type === 'boolean' ? false : undefined);
}

function defaultsOf(specs: OptionSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of specs) {
    const d = effectiveDefault(o);
    if (d !== undefined) out[camelCase(o.name)] = Array.isArray(d) ? [...d] : d;
  }
  return out;
}

/**
 * Parse the arguments after the command name. Returns options (camelCase keys, defaults
 * filled in) and positionals. Throws `InputError` for anything the table refuses.
 */
export function parseArgs(cmd: CommandSpec, argv: string[]): ParsedArgs {
  return parseArgsGiven(cmd, argv);
}

/** parseArgs, and the keys of the options the command line gave (the others are defaults): a resumed run checks these against its checkpoint. */
export function parseArgsGiven(cmd: CommandSpec, argv: string[]): ParsedArgs & { given: string[] } {
  checkCommandSpec(cmd);
  const specs = withHelp(cmd);
  try {
    return parseStrict(cmd, specs, argv);
  } catch (e) {
    if (e instanceof InputError && helpRequested(specs, argv)) {
      return { options: { ...defaultsOf(specs), help: true }, positionals: [], given: ['help'] };
    }
    throw e;
  }
}

function helpRequested(specs: OptionSpec[], argv: string[]): boolean {
  const help = specs.find((o) => o.name === 'help');
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '--help=true' || (help?.short !== undefined && a === `-${help.short}`)) return true;
  }
  return false;
}

function parseStrict(cmd: CommandSpec, specs: OptionSpec[], argv: string[]): ParsedArgs & { given: string[] } {
  const byName = new Map(specs.map((o) => [o.name, o]));
  const byShort = new Map(specs.filter((o) => o.short !== undefined).map((o) => [o.short as string, o]));
  const options = defaultsOf(specs);
  const positionals: string[] = [];
  const given = new Set<string>();

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: OptionSpec | undefined;
    let display: string;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const body = a.slice(2);
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      inline = eq >= 0 ? body.slice(eq + 1) : undefined;
      display = `--${name}`;
      spec = byName.get(name);
      if (!spec && name.startsWith('no-')) {
        const base = byName.get(name.slice(3));
        if (base?.type === 'boolean') {
          if (inline !== undefined) {
            throw new InputError(display, 'no value', inline, { kind: 'option', note: `write --${base.name}=false` });
          }
          options[camelCase(base.name)] = false;
          given.add(camelCase(base.name));
          continue;
        }
        if (base) {
          throw new InputError(display, `a known option of "${cmd.name}"`, undefined, {
            kind: 'option',
            showGot: false,
            note: `--no- applies to boolean options only; --${base.name} takes ${expectedText(base)}`,
          });
        }
      }
      if (!spec) throw unknownOption(cmd, specs, display, name);
    } else if (a.startsWith('-') && a.length > 1 && !NEGATIVE_NUMBER.test(a)) {
      const body = a.slice(1);
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      inline = eq >= 0 ? body.slice(eq + 1) : undefined;
      display = `-${name}`;
      spec = byShort.get(name);
      if (!spec) throw unknownOption(cmd, specs, display, name);
    } else {
      positionals.push(a);
      continue;
    }

    let value: unknown;
    if (spec.type === 'boolean') {
      value = inline === undefined ? true : convert(spec, inline, display);
    } else {
      let raw = inline;
      if (raw === undefined) {
        const next = argv[i + 1];
        if (next !== undefined && takesAsValue(spec, next)) {
          raw = next;
          i++;
        } else {
          throw new InputError(display, `a value: ${expectedText(spec)}`, undefined, {
            kind: 'option',
            note: next === undefined ? undefined : `${JSON.stringify(next)} follows; write ${display}=VALUE for a value starting with "-"`,
          });
        }
      }
      value = convert(spec, raw, display);
    }
    options[camelCase(spec.name)] = value;
    given.add(camelCase(spec.name));
  }

  if (options.help !== true) {
    const declared = cmd.positionals ?? [];
    for (let k = positionals.length; k < declared.length; k++) {
      const p = declared[k];
      if (p.required) {
        throw new InputError(p.name, p.description, undefined, { kind: 'argument', note: `usage: ${cmd.usage}` });
      }
    }
    if (positionals.length > declared.length) {
      const extra = positionals[declared.length];
      const what =
        declared.length === 0
          ? `no positional argument for "${cmd.name}"`
          : `at most ${declared.length} positional argument${declared.length > 1 ? 's' : ''} for "${cmd.name}" (${declared.map((p) => p.name).join(' ')})`;
      // The field is the argument itself; an empty one is named by its position, so the message still names a field.
      throw new InputError(extra === '' ? `argument ${declared.length + 1} (empty)` : extra, what, extra, { kind: 'argument' });
    }
  }
  return { options, positionals, given: [...given] };
}

function takesAsValue(o: OptionSpec, next: string): boolean {
  if (!next.startsWith('-') || next === '-') return true;
  return (o.type === 'int' || o.type === 'number' || o.type === 'list') && NEGATIVE_NUMBER.test(next);
}

function unknownOption(cmd: CommandSpec, specs: OptionSpec[], display: string, name: string): InputError {
  const long = display.startsWith('--');
  const candidates = long
    ? specs.flatMap((o) => (o.type === 'boolean' ? [o.name, `no-${o.name}`] : [o.name]))
    : specs.flatMap((o) => (o.short ? [o.short] : []));
  let near = closest(name, candidates);
  // a single dash before a long name (-steps) is a common slip
  if (!near && !long && specs.some((o) => o.name === name)) near = name;
  const suggestion = near ? `did you mean ${long || near.length > 1 ? '--' : '-'}${near}?` : undefined;
  return new InputError(display, `a known option of "${cmd.name}"`, undefined, {
    kind: 'option',
    showGot: false,
    note: suggestion ?? 'run with --help to list the options',
  });
}


// ---------------------------------------------------------------------------------------------
// Help and docs

function placeholder(o: OptionSpec): string {
  if (o.valueName) return `<${o.valueName}>`;
  switch (o.type) {
    case 'enum':
      return `<${(o.choices ?? []).join('|')}>`;
    case 'list':
      return '<int,int,...>';
    default:
      return `<${o.type}>`;
  }
}

/** `-o, --out <path>`, `    --[no-]verbose`. */
function flagText(o: OptionSpec, indentWithoutShort: boolean): string {
  const long = o.type === 'boolean' && o.name !== 'help' ? `--[no-]${o.name}` : `--${o.name}`;
  const value = o.type === 'boolean' ? '' : ` ${placeholder(o)}`;
  const short = o.short ? `-${o.short}, ` : indentWithoutShort ? '    ' : '';
  return `${short}${long}${value}`;
}

function formatDefault(v: unknown): string {
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** `int >= 1`, `one of: a, b`, ... for help and docs. */
function typeText(o: OptionSpec): string {
  const range = (): string => {
    if (o.min !== undefined && o.max !== undefined) return ` in [${o.min}, ${o.max}]`;
    if (o.min !== undefined) return ` >= ${o.min}`;
    if (o.max !== undefined) return ` <= ${o.max}`;
    return '';
  };
  switch (o.type) {
    case 'enum':
      return `one of: ${(o.choices ?? []).join(', ')}`;
    case 'list':
      return `list of int${range() ? `, each${range()}` : ''}`;
    case 'int':
    case 'number':
      return `${o.type}${range()}${o.words?.length ? ` or ${o.words.join(', ')}` : ''}`;
    default:
      return `${o.type}${o.words?.length ? ` or ${o.words.join(', ')}` : ''}`;
  }
}

function bracket(o: OptionSpec): string {
  if (o.name === 'help') return '';
  const parts = [typeText(o)];
  const d = effectiveDefault(o);
  if (d !== undefined) parts.push(`default: ${formatDefault(d)}`);
  return `  [${parts.join('; ')}]`;
}

function columns(rows: [string, string][]): string[] {
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`.trimEnd());
}

/** `ncsim trace --help`: usage, summary, arguments, every option with its type/choices and default. */
export function formatHelp(cmd: CommandSpec): string {
  const specs = withHelp(cmd);
  const anyShort = specs.some((o) => o.short);
  const lines = [`Usage: ${cmd.usage}`, '', cmd.summary];
  const pos = cmd.positionals ?? [];
  if (pos.length > 0) {
    lines.push('', 'Arguments:');
    lines.push(...columns(pos.map((p) => [p.name, `${p.description}${p.required ? '' : '  [optional]'}`])));
  }
  lines.push('', 'Options:');
  lines.push(...columns(specs.map((o) => [flagText(o, anyShort), `${o.description}${bracket(o)}`])));
  return lines.join('\n') + '\n';
}

/** `ncsim --help`: the commands and their summaries. */
export function formatTopHelp(programName: string, cmds: CommandSpec[]): string {
  const lines = [`Usage: ${programName} <command> [options]`, '', 'Commands:'];
  lines.push(...columns(cmds.map((c) => [c.name, c.summary])));
  lines.push('', `Run "${programName} <command> --help" for the arguments and options of a command.`);
  return lines.join('\n') + '\n';
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown table of the options of `cmd`, for the CLI reference (docs/cli.md). */
export function optionsMarkdown(cmd: CommandSpec): string {
  const rows = withHelp(cmd).map((o) => {
    const flag = `\`${flagText(o, false)}\``;
    const type = o.name === 'help' ? '' : typeText(o);
    const d = o.name === 'help' ? undefined : effectiveDefault(o);
    const def = d === undefined ? '' : `\`${formatDefault(d)}\``;
    return `| ${mdCell(flag)} | ${mdCell(type)} | ${mdCell(def)} | ${mdCell(o.description)} |`;
  });
  return ['| Option | Type | Default | Description |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}
