// --preset (src/train/presets.ts): the papers' settings fill the options not given; an option
// given explicitly wins, on the command line and in the library; the run records the preset and
// the values it ran with.
import { describe, it, expect } from 'vitest';
import { PRESETS, PRESET_NAMES, presetValues, resolvePreset } from '../../src/train/presets.js';
import { resolveTrainOptions } from '../../src/train/api.js';
import { TRAIN_DEFAULTS } from '../../src/train/train.js';
import { parseArgs } from '../../src/cli/options.js';
import { TRAIN } from '../../src/cli/commands.js';
import { InputError } from '../../src/io/errors.js';

/** What `ncsim train ARGV` trains with (the CLI's path: parse, then the preset over what was not given). */
function cliOptions(argv: string[]) {
  const { options, given } = parseArgs(TRAIN, argv);
  const { json: _j, out: _o, quiet: _q, help: _h, hw: _w, stats: _s, accelergy: _a, schedule: _c, mapping: _m, report: _r, seeds: _e, ...rest } = options;
  return resolvePreset(rest as unknown as typeof TRAIN_DEFAULTS, new Set(given));
}

describe('presets', () => {
  it('ltl-paper sets the LTL code\'s values, the percentile per rule (online 99, offline 99.9), the warm-up for online LTL only', () => {
    const on = cliOptions(['--preset', 'ltl-paper']);
    expect(on).toMatchObject({ preset: 'ltl-paper', threshold: 0.6, width: 0.4, height: 'unit', reset: 'zero', steps: 16, warmup: 12, percentile: 99, normalization: 'batch', batch: 64 });
    expect(on.leak).toBe(Math.exp(-1 / 10));
    const off = cliOptions(['--preset', 'ltl-paper', '--rule', 'ltl-offline']);
    expect(off.percentile).toBe(99.9);
    expect(off.warmup).toBe(TRAIN_DEFAULTS.warmup);
  });

  it('an option given on the command line wins over the preset, whatever its position; the others still come from it', () => {
    for (const argv of [['--threshold', '1', '--preset', 'ltl-paper'], ['--preset=ltl-paper', '--threshold=1']]) {
      const o = cliOptions([...argv, '--no-teacher-worker']);
      expect(o.threshold).toBe(1);
      expect(o.width).toBe(0.4);
      expect(o.teacherWorker).toBe(false);
    }
    // given explicitly with the default's value: still wins (the preset would set 0.6)
    expect(cliOptions(['--preset', 'ltl-paper', '--warmup', '0']).warmup).toBe(0);
    // no preset: the defaults, untouched
    expect(cliOptions([])).toEqual({ ...TRAIN_DEFAULTS, ...cliOptions([]) });
    expect(cliOptions([]).threshold).toBe(TRAIN_DEFAULTS.threshold);
  });

  it('the library: the preset under the options given, a bad name refused naming the field', () => {
    const o = resolveTrainOptions({ preset: 'stop-paper', rule: 'stop-wtl', steps: 8 }).train;
    expect(o).toMatchObject({ preset: 'stop-paper', reset: 'subtract', steps: 8, leak: Math.exp(-1 / 10) });
    expect(() => resolveTrainOptions({ preset: 'ltl' as never })).toThrow(InputError);
    expect(() => resolveTrainOptions({ preset: 'ltl' as never })).toThrow(/preset/);
  });

  it('every value names its source, applies to a rule of the table, and fits the option table', () => {
    for (const name of PRESET_NAMES) {
      for (const v of PRESETS[name].values) {
        expect(v.source.length, `${name} ${v.option}`).toBeGreaterThan(10);
        const spec = TRAIN.options.find((o) => o.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) === v.option)!;
        expect(spec, v.option).toBeDefined();
        // the value parses as the command line would take it
        expect(parseArgs(TRAIN, [`--${spec.name}=${String(v.value)}`]).options[v.option]).toEqual(v.value);
      }
      expect(Object.keys(presetValues(name, 'bptt')).length).toBeGreaterThan(0);
    }
  });

  it('--help lists the presets', () => {
    const help = TRAIN.options.find((o) => o.name === 'preset')!;
    expect(help.choices).toEqual(['ltl-paper', 'stop-paper']);
    expect(help.description).toContain('ltl-paper: ');
    expect(help.description).toContain('stop-paper: ');
  });
});
