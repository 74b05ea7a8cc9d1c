/**
 * Errors a user caused: a bad case file, a bad command line. Each names the field (a JSON path
 * like `layers[1].weights[0]`, or an option like `--steps`), says what was expected and shows a
 * short rendering of what was given. The CLI prints the message and exits with status 2
 * (`EXIT_BAD_INPUT`) without writing anything; any other error is a bug or an I/O failure
 * (status 1).
 */

/** Exit status of a run refused for bad input (CASE-FORMAT.md: "exit status 2"). */
export const EXIT_BAD_INPUT = 2;
/** Exit status of a run that failed for any other reason (I/O, a bug). */
export const EXIT_FAILURE = 1;
/** Exit status of a run stopped because its weights or states became non-finite (NaN, ±Infinity). */
export const EXIT_NON_FINITE = 3;

export interface InputErrorOptions {
  /** What the field is, first word of the message: "case field" (default), "option", "case file", ... */
  kind?: string;
  /** Extra words appended in parentheses, e.g. `did you mean --steps?`. */
  note?: string;
  /** Set false to leave out the `got ...` part (when there is nothing useful to show). */
  showGot?: boolean;
}

/**
 * `case field "layers[1].weights[0]": expected an array of 3 finite numbers, got [0.2, "x"]`.
 * An absent field (`got` undefined) renders as `got nothing`.
 */
export class InputError extends Error {
  /** The value that was refused (as given; not rendered). */
  readonly got: unknown;
  readonly kind: string;
  /** The words in parentheses, if any (e.g. Node's reason a file could not be read). */
  readonly note?: string;

  constructor(
    public readonly field: string,
    public readonly expected: string,
    got?: unknown,
    options: InputErrorOptions = {},
  ) {
    const kind = options.kind ?? 'case field';
    let message = `${kind} "${field}": expected ${expected}`;
    if (options.showGot !== false) message += `, got ${renderValue(got)}`;
    if (options.note) message += ` (${options.note})`;
    super(message);
    this.name = new.target.name;
    this.got = got;
    this.kind = kind;
    this.note = options.note;
  }
}

/**
 * A well-formed request the simulator cannot honour yet, e.g. a rule whose kernels are not
 * written: `case field "rule.name": "bptt" is not supported yet (supported: ltl-online, ltl-offline)`.
 * Also exit status 2: the input is refused, nothing is written.
 */
export class UnsupportedError extends InputError {
  constructor(field: string, got: unknown, supported?: readonly string[], options: InputErrorOptions = {}) {
    const expected = supported ? `one of ${supported.join(', ')}` : 'a supported value';
    super(field, expected, got, options);
    const kind = options.kind ?? 'case field';
    let message = `${kind} "${field}": ${renderValue(got)} is not supported yet`;
    if (supported) message += ` (supported: ${supported.join(', ')})`;
    if (options.note) message += ` (${options.note})`;
    this.message = message;
  }
}

/**
 * A run whose numbers left the reals: `layer "h1": membrane potential is NaN after sample 312 of
 * epoch 2 (step 16) ...`. Not bad input as such (the options were in range), but the run's result
 * would be meaningless: it stops with EXIT_NON_FINITE and says which value, where and when.
 */
export class NonFiniteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The exit status for an error thrown out of a command. */
export function exitStatusFor(err: unknown): number {
  if (err instanceof NonFiniteError) return EXIT_NON_FINITE;
  return err instanceof InputError ? EXIT_BAD_INPUT : EXIT_FAILURE;
}

const MAX_STRING = 40;
const MAX_ITEMS = 6;
const MAX_DEPTH = 2;

/**
 * A short, one-line rendering of any value for an error message: strings quoted (and cut at
 * 40 characters), arrays and objects shown up to 6 entries and 2 levels deep, `undefined` as
 * "nothing". Never throws (cycles, getters and exotic objects included).
 */
export function renderValue(value: unknown, depth = 0): string {
  try {
    return render(value, depth);
  } catch {
    return 'an unprintable value';
  }
}

function render(value: unknown, depth: number): string {
  if (value === undefined) return depth === 0 ? 'nothing' : 'undefined';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string': {
      const cut = value.length > MAX_STRING ? value.slice(0, MAX_STRING) + '…' : value;
      return JSON.stringify(cut);
    }
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (depth >= MAX_DEPTH) return `[… ${value.length} item${value.length === 1 ? '' : 's'}]`;
    const items = value.slice(0, MAX_ITEMS).map((v) => render(v, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`… ${value.length - MAX_ITEMS} more`);
    return `[${items.join(', ')}]`;
  }
  const keys = Object.keys(value as object);
  if (keys.length === 0) return '{}';
  if (depth >= MAX_DEPTH) return '{…}';
  const items = keys
    .slice(0, MAX_ITEMS)
    .map((k) => `${JSON.stringify(k)}: ${render((value as Record<string, unknown>)[k], depth + 1)}`);
  if (keys.length > MAX_ITEMS) items.push(`… ${keys.length - MAX_ITEMS} more`);
  return `{${items.join(', ')}}`;
}
