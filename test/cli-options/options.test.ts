import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/io/errors.js';
import {
  camelCase,
  checkCommandSpec,
  closest,
  formatHelp,
  formatTopHelp,
  optionsMarkdown,
  parseArgs,
  type CommandSpec,
} from '../../src/cli/options.js';

const TRAIN: CommandSpec = {
  name: 'train',
  summary: 'Train a network on the chip model',
  usage: 'ncsim train [DATA] [options]',
  positionals: [{ name: 'DATA', description: 'the data set', required: false }],
  options: [
    { name: 'steps', type: 'int', default: 16, min: 1, description: 'Time steps per sample' },
    { name: 'learning-rate', type: 'number', default: 0.01, min: 0, description: 'Learning rate η' },
    { name: 'offset', type: 'number', min: -1, max: 1, description: 'An offset' },
    { name: 'rule', type: 'enum', choices: ['ltl-online', 'ltl-offline', 'stop-w'], default: 'ltl-online', description: 'Learning rule' },
    { name: 'layers', type: 'list', default: [784, 100, 10], min: 1, description: 'Layer widths' },
    { name: 'out', short: 'o', type: 'string', valueName: 'path', description: 'Where to write | the report' },
    { name: 'verbose', short: 'v', type: 'boolean', description: 'Say more' },
    { name: 'shuffle', type: 'boolean', default: true, description: 'Shuffle the samples' },
    { name: 'test-samples', type: 'int', default: 1000, min: 0, description: 'Samples to test on' },
    { name: 'threads', type: 'int', min: 1, max: 64, words: ['auto'], default: 'auto', description: 'Threads' },
    { name: 'worker', type: 'boolean', words: ['auto'], default: 'auto', description: 'A worker' },
  ],
};

const TRACE: CommandSpec = {
  name: 'trace',
  summary: 'Replay a golden case and write its trace',
  usage: 'ncsim trace CASE.json [--out TRACE.json]',
  positionals: [{ name: 'CASE.json', description: 'the case to replay', required: true }],
  options: [{ name: 'out', short: 'o', type: 'string', description: 'Write the trace here (stdout when absent)' }],
};

function refusal(cmd: CommandSpec, argv: string[]): InputError {
  try {
    parseArgs(cmd, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('parseArgs', () => {
  it('fills defaults with camelCase keys', () => {
    expect(parseArgs(TRAIN, [])).toEqual({
      options: {
        steps: 16, learningRate: 0.01, rule: 'ltl-online', layers: [784, 100, 10],
        verbose: false, shuffle: true, testSamples: 1000, threads: 'auto', worker: 'auto', help: false,
      },
      positionals: [],
      given: [],
    });
  });

  it('names the options given on the line, apart from the defaults (a preset fills only the others)', () => {
    expect(parseArgs(TRAIN, ['--steps=8', '--no-shuffle', '--steps', '9']).given.sort()).toEqual(['shuffle', 'steps']);
  });

  it('does not share default arrays between calls', () => {
    const a = parseArgs(TRAIN, []).options.layers as number[];
    a.push(1);
    expect(parseArgs(TRAIN, []).options.layers).toEqual([784, 100, 10]);
    expect(TRAIN.options[4].default).toEqual([784, 100, 10]);
  });

  it('takes --x=v, --x v, -s v and -s=v', () => {
    const { options } = parseArgs(TRAIN, ['--steps=8', '--test-samples', '5', '-o', 'r.json', '--rule=stop-w']);
    expect(options).toMatchObject({ steps: 8, testSamples: 5, out: 'r.json', rule: 'stop-w' });
    expect(parseArgs(TRAIN, ['-o=x.json']).options.out).toBe('x.json');
  });

  it('keeps "=" inside a value', () => {
    expect(parseArgs(TRAIN, ['--out=a=b']).options.out).toBe('a=b');
  });

  it('handles booleans: --flag, --no-flag, --flag=false, -v', () => {
    expect(parseArgs(TRAIN, ['--verbose', '--no-shuffle']).options).toMatchObject({ verbose: true, shuffle: false });
    expect(parseArgs(TRAIN, ['--verbose=false', '--shuffle=true']).options).toMatchObject({ verbose: false, shuffle: true });
    expect(parseArgs(TRAIN, ['-v']).options.verbose).toBe(true);
    expect(refusal(TRAIN, ['--verbose=yes']).field).toBe('--verbose');
    expect(refusal(TRAIN, ['--no-verbose=false']).field).toBe('--no-verbose');
  });

  it('takes an int or boolean option\'s words (auto) besides its values, and says so when refusing', () => {
    expect(parseArgs(TRAIN, []).options).toMatchObject({ threads: 'auto', worker: 'auto' });
    expect(parseArgs(TRAIN, ['--threads', '3', '--no-worker']).options).toMatchObject({ threads: 3, worker: false });
    expect(parseArgs(TRAIN, ['--threads=auto', '--worker=auto']).options).toMatchObject({ threads: 'auto', worker: 'auto' });
    expect(refusal(TRAIN, ['--threads', 'all']).message).toMatch(/expected an integer in \[1, 64\] or auto, got "all"/);
    expect(refusal(TRAIN, ['--worker=yes']).message).toMatch(/expected true or false or auto/);
    expect(() => checkCommandSpec({ ...TRACE, options: [{ name: 'x', type: 'string', words: ['auto'], description: 'x' }] })).toThrow(/words apply to int and boolean only/);
  });

  it('does not let a boolean swallow the next argument', () => {
    expect(parseArgs(TRAIN, ['--verbose', 'data.bin'])).toMatchObject({ options: { verbose: true }, positionals: ['data.bin'] });
  });

  it('refuses --no- for a non-boolean', () => {
    const err = refusal(TRAIN, ['--no-steps']);
    expect(err.field).toBe('--no-steps');
    expect(err.message).toMatch(/boolean options only/);
  });

  it('parses comma-separated int lists', () => {
    expect(parseArgs(TRAIN, ['--layers', '2,3, 4']).options.layers).toEqual([2, 3, 4]);
    expect(parseArgs(TRAIN, ['--layers=7']).options.layers).toEqual([7]);
  });

  it('takes negative numbers as values, "-" as a value or positional', () => {
    expect(parseArgs(TRAIN, ['--offset', '-0.5']).options.offset).toBe(-0.5);
    expect(parseArgs(TRAIN, ['--offset', '-.5']).options.offset).toBe(-0.5);
    expect(parseArgs(TRAIN, ['--out', '-']).options.out).toBe('-');
    expect(parseArgs(TRAIN, ['-']).positionals).toEqual(['-']);
  });

  it('the last of a repeated option wins', () => {
    expect(parseArgs(TRAIN, ['--steps', '3', '--steps=4']).options.steps).toBe(4);
  });

  it('treats everything after -- as positional', () => {
    expect(parseArgs(TRACE, ['--', '--weird.json']).positionals).toEqual(['--weird.json']);
  });

  it('returns positionals in order, options anywhere', () => {
    expect(parseArgs(TRACE, ['-o', 't.json', 'case.json'])).toEqual({
      options: { out: 't.json', help: false },
      positionals: ['case.json'],
      given: ['out'],
    });
  });

  it('recognises --help and -h, and help wins over errors and missing arguments', () => {
    expect(parseArgs(TRACE, ['--help']).options.help).toBe(true);
    expect(parseArgs(TRACE, ['-h']).options.help).toBe(true);
    expect(parseArgs(TRACE, ['--bogus', '--help']).options.help).toBe(true);
    expect(parseArgs(TRAIN, ['--steps', 'x', '-h']).options).toMatchObject({ help: true, steps: 16 });
    // after --, "--help" is a positional (here: the case file)
    expect(parseArgs(TRACE, ['--', '--help'])).toEqual({ options: { help: false }, positionals: ['--help'], given: [] });
  });

  it('leaves -h to a table that claims it', () => {
    const cmd: CommandSpec = { ...TRACE, options: [{ name: 'hidden', short: 'h', type: 'int', description: 'Hidden units' }] };
    expect(parseArgs(cmd, ['CASE', '-h', '5']).options).toMatchObject({ hidden: 5, help: false });
    expect(parseArgs(cmd, ['--help']).options.help).toBe(true);
  });
});

describe('parseArgs refusals name the option and what was expected', () => {
  const cases: [string, CommandSpec, string[], string, RegExp][] = [
    ['unknown option, close to one', TRAIN, ['--stpes', '3'], '--stpes', /did you mean --steps\?/],
    ['unknown option, a prefix', TRAIN, ['--learning=0.1'], '--learning', /did you mean --learning-rate\?/],
    ['unknown option, a negation typo', TRAIN, ['--no-shufle'], '--no-shufle', /did you mean --no-shuffle\?/],
    ['unknown option, nothing close', TRAIN, ['--zzzzzzzz'], '--zzzzzzzz', /--help/],
    ['unknown short', TRAIN, ['-x'], '-x', /known option of "train"/],
    ['single dash long name', TRAIN, ['-steps', '3'], '-steps', /did you mean --steps\?/],
    ['missing value at the end', TRAIN, ['--steps'], '--steps', /expected a value: an integer >= 1, got nothing/],
    ['missing value before an option', TRAIN, ['--out', '--verbose'], '--out', /"--verbose" follows/],
    ['bad int', TRAIN, ['--steps', 'ten'], '--steps', /expected an integer >= 1, got "ten"/],
    ['fractional int', TRAIN, ['--steps=1.5'], '--steps', /an integer/],
    ['int in exponent form', TRAIN, ['--steps=1e3'], '--steps', /an integer/],
    ['empty int', TRAIN, ['--steps='], '--steps', /got ""/],
    ['unsafe int', TRAIN, ['--steps=99999999999999999999'], '--steps', /an integer/],
    ['int out of range', TRAIN, ['--steps', '0'], '--steps', /out of range/],
    ['negative int out of range', TRAIN, ['--test-samples=-1'], '--test-samples', /an integer >= 0/],
    ['bad number', TRAIN, ['--learning-rate', '1e'], '--learning-rate', /a number >= 0/],
    ['Infinity', TRAIN, ['--learning-rate=Infinity'], '--learning-rate', /a number/],
    ['NaN', TRAIN, ['--learning-rate=NaN'], '--learning-rate', /a number/],
    ['hex number', TRAIN, ['--learning-rate=0x10'], '--learning-rate', /a number/],
    ['number out of range', TRAIN, ['--offset=-2'], '--offset', /in \[-1, 1\].*out of range/],
    ['bad enum', TRAIN, ['--rule', 'stop-x'], '--rule', /one of ltl-online, ltl-offline, stop-w, got "stop-x" \(did you mean stop-w\?\)/],
    ['list with an empty item', TRAIN, ['--layers', '784,,10'], '--layers', /item 2/],
    ['list with a non-integer', TRAIN, ['--layers', '784,1.5'], '--layers', /item 2 is "1.5"/],
    ['list item out of range', TRAIN, ['--layers=784,0'], '--layers', /item 2 \(0\) is out of range/],
    ['empty list', TRAIN, ['--layers='], '--layers', /comma-separated list of integers/],
    ['empty string', TRAIN, ['--out='], '--out', /non-empty string/],
    ['missing required positional', TRACE, [], 'CASE.json', /argument "CASE.json": expected the case to replay, got nothing/],
    ['extra positional', TRACE, ['a.json', 'b.json'], 'b.json', /at most 1 positional argument/],
    ['positional where none is declared', { ...TRACE, positionals: undefined }, ['a.json'], 'a.json', /no positional/],
  ];
  it.each(cases)('%s', (_what, cmd, argv, field, message) => {
    const err = refusal(cmd, argv);
    expect(err.field).toBe(field);
    expect(err.message).toContain(`"${field}"`);
    expect(err.message).toMatch(message);
  });
});

describe('checkCommandSpec', () => {
  const base = (options: CommandSpec['options']): CommandSpec => ({ name: 'x', summary: '', usage: 'x', options });
  it.each([
    ['duplicate name', base([{ name: 'a', type: 'int', description: '' }, { name: 'a', type: 'int', description: '' }])],
    ['not kebab-case', base([{ name: 'testSamples', type: 'int', description: '' }])],
    ['duplicate short', base([{ name: 'a', short: 'a', type: 'int', description: '' }, { name: 'b', short: 'a', type: 'int', description: '' }])],
    ['enum without choices', base([{ name: 'a', type: 'enum', description: '' }])],
    ['default out of range', base([{ name: 'a', type: 'int', min: 1, default: 0, description: '' }])],
    ['default not in choices', base([{ name: 'a', type: 'enum', choices: ['p'], default: 'q', description: '' }])],
    ['default of wrong type', base([{ name: 'a', type: 'list', default: '1,2', description: '' }])],
    ['negation collision', base([{ name: 'color', type: 'boolean', description: '' }, { name: 'no-color', type: 'int', description: '' }])],
  ])('throws a plain Error for %s', (_what, cmd) => {
    let err: unknown;
    try { parseArgs(cmd, []); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(InputError);
  });
  it('accepts the example tables', () => {
    expect(() => checkCommandSpec(TRAIN)).not.toThrow();
    expect(() => checkCommandSpec(TRACE)).not.toThrow();
  });
});

describe('help and docs', () => {
  it('formatHelp lists every option with its type, choices and default', () => {
    const h = formatHelp(TRAIN);
    expect(h).toMatch(/^Usage: ncsim train \[DATA\] \[options\]\n\nTrain a network/);
    expect(h).toMatch(/--steps <int>\s+Time steps per sample  \[int >= 1; default: 16\]/);
    expect(h).toMatch(/--rule <ltl-online\|ltl-offline\|stop-w>\s+Learning rule  \[one of: ltl-online, ltl-offline, stop-w; default: ltl-online\]/);
    expect(h).toMatch(/--layers <int,int,...>\s+Layer widths  \[list of int, each >= 1; default: 784,100,10\]/);
    expect(h).toMatch(/-o, --out <path>/);
    expect(h).toMatch(/-v, --\[no-\]verbose/);
    expect(h).toMatch(/--\[no-\]shuffle .*default: true/);
    expect(h).toMatch(/--test-samples <int>/);
    expect(h).toMatch(/-h, --help\s+Show this help and exit\n/);
    expect(h).toMatch(/Arguments:\n\s+DATA\s+the data set  \[optional\]/);
    for (const o of TRAIN.options) expect(h).toContain(`${o.name}`);
  });

  it('formatTopHelp lists the commands', () => {
    const t = formatTopHelp('ncsim', [TRAIN, TRACE]);
    expect(t).toMatch(/^Usage: ncsim <command> \[options\]/);
    expect(t).toMatch(/ train\s+Train a network on the chip model\n/);
    expect(t).toMatch(/ trace\s+Replay a golden case/);
    expect(t).toContain('ncsim <command> --help');
  });

  it('optionsMarkdown is a table with one row per option (pipes escaped)', () => {
    const md = optionsMarkdown(TRAIN);
    const lines = md.trimEnd().split('\n');
    expect(lines[0]).toBe('| Option | Type | Default | Description |');
    expect(lines).toHaveLength(2 + TRAIN.options.length + 1);
    expect(md).toContain('| `--steps <int>` | int >= 1 | `16` | Time steps per sample |');
    expect(md).toContain('`--rule <ltl-online\\|ltl-offline\\|stop-w>`');
    expect(md).toContain('Where to write \\| the report');
    for (const l of lines) expect(l.replace(/\\\|/g, '').split('|')).toHaveLength(6);
  });
});

describe('helpers', () => {
  it('camelCase', () => {
    expect(camelCase('test-samples')).toBe('testSamples');
    expect(camelCase('steps')).toBe('steps');
    expect(camelCase('a-b-c2')).toBe('aBC2');
  });
  it('closest', () => {
    expect(closest('stpes', ['steps', 'rule'])).toBe('steps');
    expect(closest('zzzz', ['steps', 'rule'])).toBeUndefined();
    expect(closest('', ['steps'])).toBeUndefined();
  });
});
