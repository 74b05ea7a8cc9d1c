// `ncsim train --seeds` (src/cli/train-seeds.ts) as a user meets it: dist/cli.js (built by
// `npm test` before the suite runs). One small two-seed run serves the checks of its figures.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
const SMALL = ['--hidden', '8', '--samples', '120', '--test-samples', '40', '--epochs', '2', '--teacher-epochs', '1', '--no-teacher-worker', '--quiet'];

const schemas = join(root, 'docs', 'schemas');
const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addSchema(JSON.parse(readFileSync(join(schemas, 'ncsim.run.schema.json'), 'utf8')));
const validate = ajv.compile(JSON.parse(readFileSync(join(schemas, 'ncsim.train-seeds.schema.json'), 'utf8')));

let doc: any;
let stdout: string;
beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run "npm run build" (npm test does it)');
  const dir = mkdtempSync(join(tmpdir(), 'ncsim-seeds-'));
  const out = join(dir, 'seeds.json');
  // the preset's values under an option given explicitly (--threshold), through the CLI's own path
  const r = run('train', '--seeds', '3,1', '--preset', 'ltl-paper', '--threshold', '0.9', '--out', out, ...SMALL);
  expect(r.status, r.stderr).toBe(0);
  stdout = r.stdout;
  doc = JSON.parse(readFileSync(out, 'utf8'));
});

const fig = (name: string) => doc.figures.find((f: { name: string }) => f.name === name);

describe('ncsim train --seeds', () => {
  it('runs each seed in order with the same options, the preset applied and the explicit option winning', () => {
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.kind).toBe('ncsim.train-seeds');
    expect(doc.seeds).toEqual([3, 1]);
    expect(doc.runs.map((r: any) => r.options.seed)).toEqual([3, 1]);
    for (const r of doc.runs) {
      expect(r.options).toMatchObject({ preset: 'ltl-paper', threshold: 0.9, width: 0.4, reset: 'zero', warmup: 12, hidden: [8] });
    }
    expect(doc.options.seed).toBeUndefined();
    expect(doc.options.threshold).toBe(0.9);
  });

  it('gives the mean and sample sd of every accuracy, per epoch too, from the runs\' own reports', () => {
    const chip = doc.runs.map((r: any) => r.snn.testAccuracy);
    expect(fig('snn_accuracy').values).toEqual(chip);
    expect(fig('snn_accuracy').mean).toBeCloseTo((chip[0] + chip[1]) / 2, 12);
    expect(fig('snn_accuracy').sd).toBeCloseTo(Math.abs(chip[0] - chip[1]) / Math.SQRT2, 12);
    expect(fig('teacher_accuracy').values).toEqual(doc.runs.map((r: any) => r.teacher.testAccuracy));
    for (const e of [1, 2]) expect(fig(`snn_accuracy_epoch_${e}`).values).toEqual(doc.runs.map((r: any) => r.snn.epochs[e - 1].testAccuracy));
    expect(fig('updates_issued').values).toEqual(doc.runs.map((r: any) => r.learning.updates));
    expect(fig('energy_per_train_sample_J').mean).toBeGreaterThan(0);
    // different seeds: different runs
    expect(doc.runs[0].learning.updates).not.toBe(doc.runs[1].learning.updates);
  });

  it('prints one line per seed, then the table of mean ± sd', () => {
    expect(stdout).toMatch(/^seed 3: teacher .* %, chip .* %/m);
    expect(stdout).toMatch(/^seed 1: /m);
    expect(stdout).toContain('preset ltl-paper');
    expect(stdout).toMatch(/snn_accuracy\s+\d+\.\d\d ± \d+\.\d\d %/);
  });

  it('one run (no --seeds) prints the preset\'s values as it ran with them', () => {
    const r = run('train', '--preset', 'ltl-paper', '--width', '1.5', ...SMALL);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/preset ltl-paper\s+threshold 0\.6, leak 0\.904837, reset zero, boxcar 1\.5 x 1, warm-up 12, percentile 99 \(batch 64\)/);
  });

  it('refuses a repeated seed, --seed beside it and one-run outputs, exit 2 naming the option, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-seeds-bad-'));
    for (const [args, field] of [
      [['--seeds', '1,2,1'], '--seeds'], [['--seeds', '1,2', '--seed', '4'], '--seed'],
      [['--seeds', '1,2', '--report', join(dir, 'r.html')], '--report'], [['--seeds', '1,x'], '--seeds'],
    ] as [string[], string][]) {
      const r = run('train', ...args, '--out', join(dir, 'o.json'), ...SMALL);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(field);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a sweep file with "seeds"', () => {
  it('is refused naming the field: a sweep varies "seed" itself', async () => {
    const { parseSweep, expand } = await import('../../src/cli/sweep/spec.js');
    const { InputError } = await import('../../src/io/errors.js');
    const doc = { schema: 'ncsim.sweep/1', command: 'train', fixed: { samples: 100, seeds: [1, 2] } };
    // checked with the command's options, before anything runs
    expect(() => expand(parseSweep(doc, 'x.json'))).toThrow(InputError);
    expect(() => expand(parseSweep(doc, 'x.json'))).toThrow(/fixed\.seeds[\s\S]*vary "seed"/);
  });
});
