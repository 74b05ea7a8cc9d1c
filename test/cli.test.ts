// The CLI as a user meets it: dist/cli.js (built by `npm test` before the suite runs).
import type { CostReport } from '../src/cost/cost.js';
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAnyCaseFile } from '../src/trace/case.js';
import { runTrace } from '../src/trace/trace.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
const golden = (name: string) => join(root, 'test', 'golden', `${name}.case.json`);

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run "npm run build" (npm test does it)');
});

describe('ncsim trace', () => {
  it('prints the same trace as the library, for every golden case', () => {
    for (const f of readdirSync(join(root, 'test', 'golden')).filter((f) => f.endsWith('.case.json'))) {
      const r = run('trace', join(root, 'test', 'golden', f));
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(runTrace(readAnyCaseFile(join(root, 'test', 'golden', f))))));
    }
  });

  it('--out writes the file and nothing to stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-'));
    const out = join(dir, 't.json');
    const r = run('trace', golden('spec-example'), '--out', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).format).toBe('ncsim.trace/1');
  });

  it('a malformed case: exit 2, the field named, no output file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-'));
    const bad = join(dir, 'bad.case.json');
    const c = JSON.parse(readFileSync(golden('spec-example'), 'utf8'));
    c.neuron.threshold = -1;
    writeFileSync(bad, JSON.stringify(c));
    const out = join(dir, 'trace.json');
    const r = run('trace', bad, '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('neuron.threshold');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['bad.case.json']);
  });

  it('every rule has circuits: a readout rule (bptt) runs, the readout traced with its events', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-'));
    const c = JSON.parse(readFileSync(golden('spec-example'), 'utf8'));
    c.rule.name = 'bptt';
    c.neuron.delay = 0;
    c.layers[1].weights = [[0.2, 0.1, -0.3], [0.1, 0.1, 0.1]];
    c.layers[1].bias = [0, 0];
    const f = join(dir, 'c.json');
    writeFileSync(f, JSON.stringify(c));
    const r = run('trace', f);
    expect(r.status, r.stderr).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.layers.h2.s).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect(Object.keys(t.events)).toEqual(['h1', 'h2']);
  });
});

describe('CLI reference option tables (docs/cli.md)', () => {
  it('are the CLI\'s own tables, one per command with options (ncsim docs --readme docs/cli.md)', async () => {
    const { ALL_COMMANDS: COMMANDS } = await import('../src/cli/all-commands.js');
    const { syncOptionTables, missingOptionTables } = await import('../src/cli/readme-tables.js');
    const readme = readFileSync(new URL('../docs/cli.md', import.meta.url), 'utf8');
    expect(missingOptionTables(readme, COMMANDS)).toEqual([]);
    expect(syncOptionTables(readme, COMMANDS)).toBe(readme);
    // A table edited by hand is put back.
    const edited = readme.replace('| `--epochs <int>`', '| `--epochz <int>`');
    expect(edited).not.toBe(readme);
    expect(syncOptionTables(edited, COMMANDS)).toBe(readme);
  });
});

describe('ncsim options', () => {
  it('--help lists every train option with its default', () => {
    const r = run('train', '--help');
    expect(r.status).toBe(0);
    for (const o of ['--rule', '--epochs', '--samples', '--test-samples', '--steps', '--warmup', '--error', '--update-at', '--lr', '--hidden', '--encoding', '--seed', '--json', '--out']) {
      expect(r.stdout.replaceAll('[no-]', '')).toContain(o);
    }
    expect(r.stdout).toMatch(/default/i);
  });

  it('bad options exit 2 naming the option', () => {
    for (const [args, field] of [[['train', '--steps', '0'], '--steps'], [['train', '--error', 'maybe'], '--error'], [['train', '--bogus'], '--bogus'], [['frobnicate'], 'command']] as const) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(field);
    }
  });

  it('options a rule cannot run with: exit 2 naming the option, no stack trace', () => {
    for (const [args, field] of [[['--rule', 'stop-w', '--delay', '1'], '--delay'], [['--rule', 'stop-wtl', '--reset', 'zero'], '--reset']] as const) {
      const r = run('train', ...args, '--quiet');
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(field);
      expect(r.stderr).not.toContain('    at ');
    }
  });

  it('--samples beyond the MNIST pool: exit 2 naming --samples', () => {
    const r = run('train', '--samples', '100000', '--quiet');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--samples');
  });
});

describe('ncsim train', () => {
  it('a small run: --json report with the documented fields; --out written; same seed, same numbers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-'));
    const args = ['train', '--samples', '300', '--test-samples', '100', '--epochs', '1', '--teacher-epochs', '1', '--hidden', '32', '--json', '--quiet'];
    const a = run(...args, '--out', join(dir, 'a.json'));
    expect(a.status, a.stderr).toBe(0);
    const r = JSON.parse(a.stdout);
    expect(r.schemaVersion).toBe(1);
    for (const x of [r.teacher.testAccuracy, r.snn.testAccuracy, r.snn.epochs[0].testAccuracy]) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
    }
    expect(r.snn.epochs[0].epoch).toBe(1);
    expect(r.learning.updates).toBeGreaterThan(0);
    expect(r.learning.updates).toBeLessThanOrEqual(r.learning.denseUpdates);
    expect(r.synapticEvents).toBeGreaterThan(0);
    expect(r.wallSeconds).toBeGreaterThan(0);
    expect(r.samplesPerSecond).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')).snn).toEqual(r.snn);
    const b = JSON.parse(run(...args).stdout);
    expect(b.snn.testAccuracy).toBe(r.snn.testAccuracy);
    expect(b.learning).toEqual(r.learning);
  });
});

describe('ncsim cost and hw', () => {
  const small = ['train', '--samples', '200', '--test-samples', '50', '--epochs', '1', '--teacher-epochs', '1', '--hidden', '24', '--quiet', '--json'];

  it('re-costing a saved run on another model equals simulating on that model directly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-'));
    const onLoihi = run(...small, '--hw', 'loihi', '--out', join(dir, 'loihi.json'));
    expect(onLoihi.status, onLoihi.stderr).toBe(0);
    const onRram = JSON.parse(run(...small, '--hw', 'rram').stdout);
    const recost = run('cost', join(dir, 'loihi.json'), '--hw', 'rram', '--json', '--stats', join(dir, 'stats.txt'));
    expect(recost.status, recost.stderr).toBe(0);
    // Energy and the average model are re-priced exactly from the counts; per-step timing is not
    // (the steps are gone): the re-cost says so (kind "average", timing null) where a run on rram
    // has it simulated — and its static energy follows its simulated time.
    const re = JSON.parse(recost.stdout) as CostReport;
    const strip = (c: CostReport) => ({ ...c, phases: Object.fromEntries(Object.entries(c.phases).map(([k, p]) => [k, { ...p, timing: null, latency: null, energy: { ...p.energy, totalPJ: null, staticPJ: null, perSamplePJ: null, perEpochPJ: null, byCircuit: { ...p.energy.byCircuit, static: null } } }])) });
    expect(strip(re)).toEqual(strip(onRram.cost));
    expect(re.phases.train.latency.kind).toBe('average');
    expect(re.phases.train.timing).toBeNull();
    expect(onRram.cost.phases.train.latency.kind).toBe('simulated');
    expect(onRram.cost.phases.train.timing?.steps).toBe(onRram.cost.phases.train.steps);
    // the same model and placement: the run's own per-step timing is reused
    const same = JSON.parse(run('cost', join(dir, 'loihi.json'), '--hw', 'loihi', '--json').stdout) as CostReport;
    expect(same.phases.train.timing).toEqual(JSON.parse(readFileSync(join(dir, 'loihi.json'), 'utf8')).cost.phases.train.timing);
    const stats = readFileSync(join(dir, 'stats.txt'), 'utf8');
    expect(stats).toMatch(/^train\.energy\.\S+\s+\S+\s+# .+ \(\S+\)$/m);
  });

  it('hw list names the four shipped models; hw show prints sources', () => {
    const list = run('hw', 'list');
    expect(list.status).toBe(0);
    for (const m of ['loihi', 'generic45', 'rram', 'xylo']) expect(list.stdout).toContain(m);
    const show = run('hw', 'show', 'loihi');
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('Davies');
  });

  it('a bad model or run file: exit 2 naming it, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-'));
    const r = run('train', '--hw', 'nosuchchip', '--out', join(dir, 'x.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nosuchchip');
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(join(dir, 'run.json'), '{"schemaVersion": 1}');
    const c = run('cost', join(dir, 'run.json'));
    expect(c.status).toBe(2);
    expect(run('hw', 'frob').status).toBe(2);
  });
});
