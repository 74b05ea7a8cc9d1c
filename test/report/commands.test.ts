// `ncsim report` and `ncsim compare` handlers: output files, labels, and refusals (exit 2,
// the file and the field named, nothing written).
import { describe, it, expect, beforeAll, afterEach, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REPORT, COMPARE, cmdReport, cmdCompare, writeReportHtml, checkRun, readRunFile, labelsFromFiles, defaultReportPath,
} from '../../src/cli/report-commands.js';
import { checkCommandSpec, formatHelp } from '../../src/cli/options.js';
import { InputError, exitStatusFor } from '../../src/io/errors.js';
import type { ReportRun } from '../../src/report/html/types.js';
import { makeRun, recost, withOptionalFields } from './fixture.js';

let run: ReportRun;
let runJson: string;
beforeAll(() => {
  run = makeRun();
  runJson = JSON.stringify(run, null, 2);
});

let stdout: string[] = [];
function captureStdout() {
  stdout = [];
  return vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout.push(String(s));
    return true;
  });
}
afterEach(() => vi.restoreAllMocks());

const tmp = () => mkdtempSync(join(tmpdir(), 'ncsim-report-'));

/** Runs fn, expects an InputError (exit status 2) whose message contains every part. */
function refused(fn: () => void, ...parts: string[]): InputError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  expect(exitStatusFor(err)).toBe(2);
  for (const p of parts) expect((err as Error).message).toContain(p);
  return err as InputError;
}

describe('command tables', () => {
  it('are well formed and document their options', () => {
    checkCommandSpec(REPORT);
    checkCommandSpec(COMPARE);
    expect(formatHelp(REPORT)).toContain('-o, --out <path>');
    expect(formatHelp(COMPARE)).toContain('--labels <a,b,...>');
    expect(REPORT.name).toBe('report');
    expect(COMPARE.name).toBe('compare');
  });
});

describe('ncsim report', () => {
  it('writes one HTML file with the run embedded, and says where', () => {
    const dir = tmp();
    const f = join(dir, 'run.json');
    writeFileSync(f, runJson);
    captureStdout();
    cmdReport([f, '-o', join(dir, 'r.html')]);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('id="ncsim-run"');
    expect(stdout.join('')).toMatch(/^wrote .*r\.html \(\d+ kB\)\n$/);
    expect(readdirSync(dir).sort()).toEqual(['r.html', 'run.json']);
  });

  it('default output: RUN.html beside RUN.json; "-o -" prints the page', () => {
    const dir = tmp();
    const f = join(dir, 'a.json');
    writeFileSync(f, runJson);
    captureStdout();
    cmdReport([f]);
    expect(existsSync(join(dir, 'a.html'))).toBe(true);
    expect(defaultReportPath('x/run.JSON')).toBe('x/run.html');
    expect(defaultReportPath('run')).toBe('run.html');
    captureStdout();
    cmdReport([f, '-o', '-', '--gantt-batches', '3']);
    const html = stdout.join('');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('First 3 of 60 batches shown');
  });

  it('--help prints the help and writes nothing', () => {
    captureStdout();
    cmdReport(['--help']);
    expect(stdout.join('')).toContain('Usage: ncsim report RUN.json');
  });

  it('writeReportHtml writes the page of a run in memory (for ncsim train --report)', () => {
    const dir = tmp();
    writeReportHtml(withOptionalFields(run), join(dir, 'x.html'));
    const html = readFileSync(join(dir, 'x.html'), 'utf8');
    expect(html).toContain('<figure id="chart-robustness"');
    expect(html).toContain('<figure id="chart-memory"');
    expect(readdirSync(dir)).toEqual(['x.html']);
  });

  it('--robustness draws one chart per study of an ncsim robustness report; a file of another kind is refused', async () => {
    const { runRobustness } = await import('../../src/robustness/robustness.js');
    const { loadModel } = await import('../../src/cost/hwmodel.js');
    const { TRAIN_DEFAULTS } = await import('../../src/train/train.js');
    const study = runRobustness({
      trainOptions: { ...TRAIN_DEFAULTS, samples: 200, testSamples: 100, hidden: [8], epochs: 1, teacherEpochs: 1, teacherWorker: false },
      model: loadModel('rram'), studies: [{ vary: 'mismatch', levels: [0, 0.3] }, { vary: 'silencing', levels: [0.2] }], calibrationEpochs: 1, seed: 2,
    });
    const dir = tmp();
    const rf = join(dir, 'run.json'), sf = join(dir, 'study.json'), out = join(dir, 'r.html');
    writeFileSync(rf, runJson);
    writeFileSync(sf, JSON.stringify(study));
    captureStdout();
    cmdReport([rf, '--robustness', sf, '-o', out]);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<figure id="chart-robustness-1"');
    expect(html).toContain('<figure id="chart-robustness-2"');
    expect(html).toContain('accuracy vs silencing');
    // A train run passed as a study: refused, nothing written.
    const out2 = join(dir, 'r2.html');
    refused(() => cmdReport([rf, '--robustness', rf, '-o', out2]), `robustness study ${JSON.stringify(rf)} field`, '"kind"');
    expect(existsSync(out2)).toBe(false);
  });

  const cases: [string, (r: Record<string, unknown>) => unknown, string[]][] = [
    ['not a train run (an activity record)', (r) => r.activity, ['"kind"', 'expected "ncsim.train"']],
    ['no kind', (r) => ({ ...r, kind: undefined }), ['"kind"', 'got nothing']],
    ['another kind', (r) => ({ ...r, kind: 'ncsim.trace' }), ['"kind"', 'got "ncsim.trace"']],
    ['an unknown schema version', (r) => ({ ...r, schemaVersion: 2 }), ['"schemaVersion"', 'expected 1', 'got 2']],
    ['schema version as a string', (r) => ({ ...r, schemaVersion: '1' }), ['"schemaVersion"', 'got "1"']],
    ['an array', () => [1, 2], ['"(the file)"']],
    ['epochs not an array', (r) => ({ ...r, snn: { ...(r.snn as object), epochs: 3 } }), ['"snn.epochs"']],
    ['an epoch without layers', (r) => ({ ...r, snn: { ...(r.snn as object), epochs: [{ epoch: 1, testAccuracy: 0.5 }] } }), ['"snn.epochs[0].layers"']],
    ['a bad cost report', (r) => ({ ...r, cost: { model: {}, phases: { train: {} } } }), ['"cost.phases.train.energy"']],
    ['a bad pipeline report', (r) => ({ ...r, pipeline: { comparison: { pipelined: { timeline: 'x' } } } }), ['"pipeline.comparison.pipelined.timeline"']],
    ['a malformed robustness field', (r) => ({ ...r, robustness: { vary: 'noise', levels: [0, 1], ideal: [1, 1], deployed: [1], calibrated: [1, 1] } }), ['"robustness.deployed"', 'an array of 2 finite accuracies']],
    ['a malformed memory field', (r) => ({ ...r, memory: { windows: [8], rules: [{ rule: '', bytes: [1] }] } }), ['"memory.rules[0].rule"']],
  ];

  for (const [what, mutate, parts] of cases) {
    it(`refuses ${what}: exit 2, file and field named, nothing written`, () => {
      const dir = tmp();
      const f = join(dir, 'bad.json');
      writeFileSync(f, JSON.stringify(mutate(JSON.parse(runJson))));
      const out = join(dir, 'bad.html');
      captureStdout();
      refused(() => cmdReport([f, '-o', out]), `run ${JSON.stringify(f)} field`, ...parts);
      expect(readdirSync(dir)).toEqual(['bad.json']);
      expect(stdout).toEqual([]);
    });
  }

  it('refuses a missing file, a non-JSON file, a missing argument and -o onto the input', () => {
    const dir = tmp();
    refused(() => cmdReport([join(dir, 'nope.json'), '-o', join(dir, 'x.html')]), 'run file', 'nope.json', 'ENOENT');
    const f = join(dir, 'garbage.json');
    writeFileSync(f, '{"kind": "ncsim.train", ');
    refused(() => cmdReport([f, '-o', join(dir, 'x.html')]), 'run file', 'garbage.json', 'valid JSON (line 1, column');
    refused(() => cmdReport([]), 'RUN.json');
    const g = join(dir, 'good.json');
    writeFileSync(g, runJson);
    refused(() => cmdReport([g, '-o', g]), '--out', 'other than the input');
    expect(JSON.parse(readFileSync(g, 'utf8')).kind).toBe('ncsim.train');
    refused(() => cmdReport([g, '--gantt-batches', '0']), '--gantt-batches');
    expect(readdirSync(dir).sort()).toEqual(['garbage.json', 'good.json']);
  });

  it('checkRun and readRunFile accept a real run', () => {
    expect(checkRun(JSON.parse(runJson), 'x.json').kind).toBe('ncsim.train');
    const dir = tmp();
    writeFileSync(join(dir, 'r.json'), runJson);
    expect(readRunFile(join(dir, 'r.json')).snn.epochs).toHaveLength(2);
    // cost and pipeline are optional
    expect(() => checkRun({ ...JSON.parse(runJson), cost: undefined, pipeline: undefined }, 'x.json')).not.toThrow();
  });
});

describe('ncsim compare', () => {
  function twoRuns(dir: string): [string, string] {
    const a = join(dir, 'loihi.json'), b = join(dir, 'rram.json');
    writeFileSync(a, runJson);
    writeFileSync(b, JSON.stringify(recost(run, 'rram')));
    return [a, b];
  }

  it('labels the runs by file name and writes one page', () => {
    const dir = tmp();
    const [a, b] = twoRuns(dir);
    const out = join(dir, 'c.html');
    captureStdout();
    cmdCompare([a, b, '-o', out]);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('ncsim compare — loihi vs rram');
    const runs = JSON.parse(/<script type="application\/json" id="ncsim-runs">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(runs.map((r: { label: string }) => r.label)).toEqual(['loihi', 'rram']);
    expect(runs[1].run.cost.model.name).toBe('rram');
  });

  it('--labels names them; three runs work', () => {
    const dir = tmp();
    const [a, b] = twoRuns(dir);
    captureStdout();
    cmdCompare([a, b, a, '--labels', 'x, y ,z', '-o', join(dir, 'c.html')]);
    expect(readFileSync(join(dir, 'c.html'), 'utf8')).toContain('ncsim compare — x vs y vs z');
  });

  it('labels from shared file names get their folder, then a number', () => {
    expect(labelsFromFiles(['a/run.json', 'b/run.json', 'c.json'])).toEqual(['a/run', 'b/run', 'c']);
    expect(labelsFromFiles(['a/run.json', 'a/run.json'])).toEqual(['a/run (1)', 'a/run (2)']);
    expect(labelsFromFiles(['x.JSON', 'y'])).toEqual(['x', 'y']);
  });

  it('refusals: one run only, label count, a bad run among good ones — nothing written', () => {
    const dir = tmp();
    const [a, b] = twoRuns(dir);
    const out = join(dir, 'c.html');
    refused(() => cmdCompare([a, '-o', out]), 'B.json');
    refused(() => cmdCompare([a, b, '--labels', 'only-one', '-o', out]), '--labels', '2 non-empty comma-separated labels');
    refused(() => cmdCompare([a, b, '--labels', 'x,', '-o', out]), '--labels');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...JSON.parse(runJson), schemaVersion: 7 }));
    refused(() => cmdCompare([a, bad, b, '-o', out]), `run ${JSON.stringify(bad)} field "schemaVersion"`);
    refused(() => cmdCompare([a, b, '-o', b]), '--out');
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'loihi.json', 'rram.json']);
  });

  it('default output compare.html (in the current folder); --help', () => {
    expect(COMPARE.options.find((o) => o.name === 'out')?.default).toBe('compare.html');
    captureStdout();
    cmdCompare(['--help']);
    expect(stdout.join('')).toContain('Usage: ncsim compare A.json B.json');
  });
});
