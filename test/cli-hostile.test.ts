/**
 * The CLI on a table of hostile inputs, every command and file format (issue 14): each must exit
 * with its documented status (2 for bad input), name the field or option in its message, show no
 * stack trace, and leave the files around it as they were (no output created, none clobbered).
 * main() is called in-process with stdout and stderr captured, so ~150 inputs take seconds.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { workedActivity } from './cost/fixtures.js';

const root = join(__dirname, '..');
let dir = '';
const p = (name: string) => join(dir, name);

interface Hostile {
  family: string;
  argv: () => string[];
  /** Expected exit status (2 unless said). */
  status?: number;
  /** Words the message must contain (the field, option or path named). */
  names: string | RegExp;
}

function run(argv: string[]): { status: number; stdout: string; stderr: string } {
  let stdout = '', stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { stdout += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { stderr += String(s); return true; });
  try {
    return { status: main(argv), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Every file under dir (names, sizes, modes, mtimes, contents of small files): no output may appear or change. */
function snapshot(): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const f = join(d, ent.name);
      if (ent.isDirectory()) { out.push(`${f}/`); walk(f); continue; }
      const st = statSync(f);
      const body = st.isFile() && st.size < 4096 ? readFileSync(f, 'utf8') : '';
      out.push(`${f} ${st.size} ${st.mode.toString(8)} ${st.mtimeMs} ${body}`);
    }
  };
  walk(dir);
  return out.sort().join('\n');
}

const CASE = () => JSON.parse(readFileSync(join(root, 'test/golden/spec-example.case.json'), 'utf8'));
const NET = () => JSON.parse(readFileSync(join(root, 'nets/mlp.json'), 'utf8'));
const HW = () => JSON.parse(readFileSync(join(root, 'hw-models/loihi.json'), 'utf8'));
const j = (v: unknown) => JSON.stringify(v);

/** A case with one change at a path like `layers.0.weights.1.0`. */
function caseWith(path: string, value: unknown): string {
  const c = CASE();
  const keys = path.split('.');
  let o = c;
  for (const k of keys.slice(0, -1)) o = o[k];
  o[keys[keys.length - 1]] = value;
  return j(c);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ncsim-hostile-'));
  mkdirSync(p('out'));
  mkdirSync(p('empty-events'));
  mkdirSync(p('escape'));
  writeFileSync(p('case.json'), j(CASE()));
  writeFileSync(p('net.json'), j(NET()));
  writeFileSync(p('keep.json'), '{"keep": true}\n');
  chmodSync(p('keep.json'), 0o640);
  execFileSync('mkfifo', [p('fifo')]);
  writeFileSync(p('empty.json'), '');
  writeFileSync(p('bom-garbage.json'), '\ufeff{"format": "ncsim.case/1",,}');
  writeFileSync(p('binary.json'), Buffer.from([0, 255, 1, 2, 0xc3, 0x28, 10]));
  writeFileSync(p('array.json'), '[]');
  writeFileSync(p('null.json'), 'null');
  writeFileSync(p('deep-open.json'), '['.repeat(200000));
  writeFileSync(p('deep-closed.json'), '['.repeat(100000) + ']'.repeat(100000));
  writeFileSync(p('huge.json'), '');
  truncateSync(p('huge.json'), 70 * 1024 * 1024); // sparse: over the 64 MiB cap, no disk used
  writeFileSync(p('huge-hw.json'), '');
  truncateSync(p('huge-hw.json'), 5 * 1024 * 1024);
  const cases: Record<string, string> = {
    'w1e300': caseWith('layers.0.weights.0.0', 1e300),
    'w-1e39': caseWith('layers.0.weights.1.1', -1e39),
    'b1e39': caseWith('layers.0.bias.0', 1e39),
    'thr1e-300': caseWith('neuron.threshold', 1e-300),
    'thr1e-46': caseWith('neuron.threshold', 1e-46),
    'thr1e39': caseWith('neuron.threshold', 1e39),
    'leak1e-50': caseWith('neuron.leak', 1e-50),
    'lr1e300': caseWith('rule.learningRate', 1e300),
    'in1e39': caseWith('input.0.0', 1e39),
    'tg1e300': caseWith('targets.h1.0', 1e300),
    'width1e-300': caseWith('surrogate.width', 1e-300),
    'format2': caseWith('format', 'ncsim.case/2'),
    'noformat': caseWith('format', undefined),
    'wstring': caseWith('layers.0.weights.0.0', '0.1'),
    'wnull': caseWith('layers.0.weights.0.0', null),
    'delay2': caseWith('neuron.delay', 2),
  };
  for (const [k, v] of Object.entries(cases)) writeFileSync(p(`case-${k}.json`), v);
  const net = (f: (n: ReturnType<typeof NET>) => void) => { const n = NET(); f(n); return j(n); };
  writeFileSync(p('net-huge-units.json'), net((n) => { n.layers[0].units = 1_000_000; }));
  writeFileSync(p('net-units-float.json'), net((n) => { n.layers[0].units = 2.5; }));
  writeFileSync(p('net-format.json'), net((n) => { n.format = 'ncsim.net/9'; }));
  writeFileSync(p('net-unknown-field.json'), net((n) => { n.extra = 1; }));
  writeFileSync(p('net-no-layers.json'), net((n) => { n.layers = []; }));
  writeFileSync(p('net-wide.json'), net((n) => { n.layers[0].units = 1_000_000; n.layers[1].units = 1_000_000; }));
  const hw = (f: (m: ReturnType<typeof HW>) => void) => { const m = HW(); f(m); return j(m); };
  writeFileSync(p('hw-schema.json'), hw((m) => { m.schema = 'ncsim.hw/2'; }));
  writeFileSync(p('hw-neg-cores.json'), hw((m) => { m.cores.count.value = -1; }));
  writeFileSync(p('hw-nan.json'), hw((m) => { m.clock.value = 'fast'; }));
  writeFileSync(p('hw-typo.json'), hw((m) => { m.corse = m.cores; delete m.cores; }));
  const act = workedActivity();
  writeFileSync(p('activity.json'), j(act));
  writeFileSync(p('run-kind.json'), j({ kind: 'ncsim.robustness', schemaVersion: 1, activity: act }));
  writeFileSync(p('run-version.json'), j({ kind: 'ncsim.train', schemaVersion: 2, activity: act }));
  writeFileSync(p('run-noversion.json'), j({ kind: 'ncsim.train', activity: act }));
  const zero = structuredClone(act);
  zero.phases.train.samples = 0;
  zero.phases.test.samples = 0;
  writeFileSync(p('activity-zero.json'), j(zero));
  const zeroCounts = structuredClone(act);
  zeroCounts.phases.train.samples = 0;
  zeroCounts.phases.train.steps = 0;
  zeroCounts.phases.test.samples = 0;
  zeroCounts.phases.test.steps = 0;
  for (const ph of ['train', 'test'] as const) for (const k of Object.keys(zeroCounts.phases[ph].counters)) zeroCounts.phases[ph].counters[k] = {};
  writeFileSync(p('activity-nothing.json'), j(zeroCounts));
  writeFileSync(p('activity-schema.json'), j({ ...act, schema: 'ncsim.activity/2' }));
  writeFileSync(p('activity-negative.json'), j({ ...act, timeWindow: -3 }));
  writeFileSync(p('activity-counter.json'), j({ ...act, phases: { ...act.phases, train: { ...act.phases.train, counters: { ...act.phases.train.counters, [act.layers[0].name]: { 'no.such.counter': 1 } } } } }));
  writeFileSync(p('robustness-kind.json'), j({ kind: 'ncsim.train', schemaVersion: 1 }));
  writeFileSync(p('robustness-version.json'), j({ kind: 'ncsim.robustness', schemaVersion: 7 }));
  const run = { kind: 'ncsim.train', schemaVersion: 1, options: {}, teacher: { testAccuracy: 0.9, sizes: [784, 10] }, snn: { initialTestAccuracy: 0.1, testAccuracy: 0.8, epochs: [] }, learning: { layers: [] } };
  writeFileSync(p('run.json'), j(run));
  writeFileSync(p('run-wrongkind.json'), j({ ...run, kind: 'ncsim.cost' }));
  writeFileSync(p('run-v2.json'), j({ ...run, schemaVersion: 2 }));
  // event folders: every file empty; a labels file naming a path outside the folder
  for (const f of ['a.csv', 'b.csv']) writeFileSync(join(p('empty-events'), f), '');
  writeFileSync(join(p('empty-events'), 'labels.csv'), 'a.csv,0\nb.csv,1\n');
  writeFileSync(join(p('escape'), 'a.csv'), 'x,y,t,p\n1,1,10,1\n');
  writeFileSync(p('outside.csv'), 'x,y,t,p\n1,1,10,1\n');
  writeFileSync(join(p('escape'), 'labels.csv'), 'a.csv,0\n../outside.csv,1\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const T = ['train', '--samples', '20', '--test-samples', '10', '--epochs', '1', '--teacher-epochs', '1', '--hidden', '8', '--quiet'];

const HOSTILE: Hostile[] = [
  // ---- files that are not regular, readable, small JSON documents
  ...(['trace', 'cost', 'net', 'report'] as const).flatMap((cmd): Hostile[] => [
    { family: 'files', argv: () => [cmd, '/dev/zero'], names: /"\/dev\/zero".*character device/ },
    { family: 'files', argv: () => [cmd, p('fifo')], names: /FIFO/ },
    { family: 'files', argv: () => [cmd, dir], names: /is a folder/ },
    { family: 'files', argv: () => [cmd, p('missing.json')], names: /ENOENT/ },
    { family: 'files', argv: () => [cmd, p('empty.json')], names: /valid JSON \(line 1, column 1/ },
    { family: 'files', argv: () => [cmd, p('bom-garbage.json')], names: /line 1, column 2\d/ },
    { family: 'files', argv: () => [cmd, p('binary.json')], names: /valid JSON \(line 1/ },
    { family: 'files', argv: () => [cmd, p('huge.json')], names: /73400320 bytes, more than the limit/ },
    { family: 'files', argv: () => [cmd, p('deep-open.json')], names: /valid JSON/ },
    { family: 'files', argv: () => [cmd, p('deep-closed.json')], names: /"\(the file\)"|"\(case\)"|"format"|"kind"|"schema"/ },
    { family: 'files', argv: () => [cmd, p('array.json')], names: /"\(the file\)"|"\(case\)"|"format"|"schema"|"kind"/ },
    { family: 'files', argv: () => [cmd, p('null.json')], names: /"\(the file\)"|"\(case\)"|"format"|"schema"|"kind"/ },
  ]),
  { family: 'files', argv: () => ['hw', 'show', '/dev/zero'], names: /character device/ },
  { family: 'files', argv: () => ['hw', 'show', p('fifo')], names: /FIFO/ },
  { family: 'files', argv: () => ['hw', 'show', p('huge-hw.json')], names: /more than the limit of 4194304 bytes/ },
  { family: 'files', argv: () => ['hw', 'show', p('empty.json')], names: /valid JSON \(line 1, column 1/ },
  { family: 'files', argv: () => ['hw', 'show', `${dir}/`], names: /is a folder|hardware model/ },
  { family: 'files', argv: () => [...T, '--net', '/dev/zero'], names: /character device/ },
  { family: 'files', argv: () => [...T, '--net', p('fifo')], names: /FIFO/ },
  { family: 'files', argv: () => [...T, '--hw', p('fifo')], names: /FIFO/ },
  { family: 'files', argv: () => [...T, '--hw', '/dev/zero'], names: /character device/ },
  { family: 'files', argv: () => [...T, '--teacher', '/dev/zero'], names: /ONNX file "\/dev\/zero".*character device/ },
  { family: 'files', argv: () => [...T, '--teacher', p('fifo')], names: /ONNX file .*FIFO/ },
  { family: 'files', argv: () => [...T, '--teacher', p('empty.json')], names: /ONNX file .*empty.json.*the file is empty/ },
  { family: 'files', argv: () => ['report', p('run.json'), '--robustness', p('fifo'), '-o', p('out/r.html')], names: /FIFO/ },
  { family: 'files', argv: () => ['compare', p('run.json'), '/dev/zero', '-o', p('out/c.html')], names: /character device/ },
  // ---- kinds and schema versions, checked the same way by every reader
  { family: 'kinds', argv: () => ['cost', p('run-kind.json')], names: /"kind": expected "ncsim.train"/ },
  { family: 'kinds', argv: () => ['cost', p('run-version.json')], names: /"schemaVersion": expected 1/ },
  { family: 'kinds', argv: () => ['cost', p('run-noversion.json')], names: /"schemaVersion": expected 1/ },
  { family: 'kinds', argv: () => ['cost', p('activity-schema.json')], names: /"schema": expected "ncsim.activity\/1"/ },
  { family: 'kinds', argv: () => ['cost', p('activity-zero.json')], names: /"phases.train.samples": expected an integer >= 1/ },
  { family: 'kinds', argv: () => ['cost', p('activity-nothing.json')], names: /"phases.test.samples": expected an integer >= 1/ },
  { family: 'kinds', argv: () => ['cost', p('activity-negative.json')], names: /"timeWindow"/ },
  { family: 'kinds', argv: () => ['cost', p('activity-counter.json')], names: /no.such.counter/ },
  { family: 'kinds', argv: () => ['cost', p('case.json')], names: /"schema"/ },
  { family: 'kinds', argv: () => ['cost', p('net.json')], names: /"schema"/ },
  { family: 'kinds', argv: () => ['report', p('run-kind.json'), '-o', p('out/r.html')], names: /"kind": expected "ncsim.train"/ },
  { family: 'kinds', argv: () => ['report', p('run-wrongkind.json'), '-o', p('out/r.html')], names: /"kind": expected "ncsim.train"/ },
  { family: 'kinds', argv: () => ['report', p('run-v2.json'), '-o', p('out/r.html')], names: /"schemaVersion": expected 1/ },
  { family: 'kinds', argv: () => ['report', p('activity.json'), '-o', p('out/r.html')], names: /"kind"/ },
  { family: 'kinds', argv: () => ['report', p('run.json'), '--robustness', p('robustness-kind.json'), '-o', p('out/r.html')], names: /"kind": expected "ncsim.robustness"/ },
  { family: 'kinds', argv: () => ['report', p('run.json'), '--robustness', p('robustness-version.json'), '-o', p('out/r.html')], names: /"schemaVersion": expected 1/ },
  { family: 'kinds', argv: () => ['compare', p('run.json'), p('run-v2.json'), '-o', p('out/c.html')], names: /"schemaVersion"/ },
  { family: 'kinds', argv: () => ['trace', p('case-format2.json')], names: /"format": expected "ncsim.case\/1"/ },
  { family: 'kinds', argv: () => ['trace', p('case-noformat.json')], names: /"format"/ },
  { family: 'kinds', argv: () => ['net', p('net-format.json')], names: /"format": expected "ncsim.net\/1"/ },
  { family: 'kinds', argv: () => ['hw', 'show', p('hw-schema.json')], names: /"schema": expected "ncsim.hw\/1"/ },
  { family: 'kinds', argv: () => ['trace', p('activity.json')], names: /"format"/ },
  // ---- numbers checked in the f32 range they live in
  { family: 'f32', argv: () => ['trace', p('case-w1e300.json')], names: /"layers\[0\].weights\[0\]\[0\]": expected a finite number within f32 range/ },
  { family: 'f32', argv: () => ['trace', p('case-w-1e39.json')], names: /"layers\[0\].weights\[1\]\[1\]": expected a finite number within f32/ },
  { family: 'f32', argv: () => ['trace', p('case-b1e39.json')], names: /"layers\[0\].bias\[0\]"/ },
  { family: 'f32', argv: () => ['trace', p('case-thr1e-300.json')], names: /"neuron.threshold": expected a number > 0 that stays > 0 in f32/ },
  { family: 'f32', argv: () => ['trace', p('case-thr1e-46.json')], names: /"neuron.threshold"/ },
  { family: 'f32', argv: () => ['trace', p('case-thr1e39.json')], names: /"neuron.threshold"/ },
  { family: 'f32', argv: () => ['trace', p('case-leak1e-50.json')], names: /"neuron.leak": expected a number in \(0, 1\] that stays > 0 in f32/ },
  { family: 'f32', argv: () => ['trace', p('case-lr1e300.json')], names: /"rule.learningRate"/ },
  { family: 'f32', argv: () => ['trace', p('case-in1e39.json')], names: /"input\[0\]\[0\]"/ },
  { family: 'f32', argv: () => ['trace', p('case-tg1e300.json')], names: /"targets.h1\[0\]"/ },
  { family: 'f32', argv: () => ['trace', p('case-width1e-300.json')], names: /"surrogate.width"/ },
  { family: 'f32', argv: () => ['trace', p('case-wstring.json')], names: /"layers\[0\].weights/ },
  { family: 'f32', argv: () => ['trace', p('case-wnull.json')], names: /"layers\[0\].weights/ },
  { family: 'f32', argv: () => ['trace', p('case-delay2.json')], names: /"neuron.delay"/ },
  { family: 'f32', argv: () => [...T, '--lr', '1e308'], names: /option "--lr": expected a number/ },
  { family: 'f32', argv: () => [...T, '--threshold', '1e300'], names: /option "--threshold"/ },
  { family: 'f32', argv: () => [...T, '--threshold', '1e-300'], names: /option "--threshold"/ },
  { family: 'f32', argv: () => [...T, '--teacher-lr', '1e308'], names: /option "--teacher-lr"/ },
  { family: 'f32', argv: () => [...T, '--init-gain', '1e300'], names: /option "--init-gain"/ },
  { family: 'f32', argv: () => [...T, '--width', '1e300'], names: /option "--width"/ },
  { family: 'f32', argv: () => [...T, '--leak', '1e-300'], names: /option "--leak"/ },
  { family: 'f32', argv: () => [...T, '--lr', 'NaN'], names: /option "--lr"/ },
  { family: 'f32', argv: () => [...T, '--lr', 'Infinity'], names: /option "--lr"/ },
  { family: 'f32', argv: () => [...T, '--lr-decay', '2'], names: /option "--lr-decay"/ },
  { family: 'f32', argv: () => ['robustness', '--vary', 'thermal', '--lr', '1e308'], names: /option "--lr"/ },
  { family: 'f32', argv: () => ['net', p('net.json'), '--init-gain', '1e300'], names: /option "--init-gain"/ },
  // ---- sizes: refused as products, before anything is allocated or trained
  { family: 'sizes', argv: () => [...T, '--hidden', '100000'], names: /layer "h1" does not fit chip "loihi"/ },
  { family: 'sizes', argv: () => [...T, '--hidden', '100000', '--max-memory', '0.5'], names: /option "--max-memory": expected at least .* GB/ },
  { family: 'sizes', argv: () => [...T, '--hidden', '5000,5000', '--max-memory', '0.1'], names: /option "--max-memory"/ },
  { family: 'sizes', argv: () => [...T, '--steps', '10000', '--rule', 'bptt'], names: /does not fit chip "loihi"/ },
  { family: 'sizes', argv: () => [...T, '--steps', '10000', '--rule', 'bptt', '--max-memory', '0.01'], names: /option "--max-memory"/ },
  { family: 'sizes', argv: () => [...T, '--net', p('net-huge-units.json')], names: /option "--net": expected a network whose every layer has at most/ },
  { family: 'sizes', argv: () => [...T, '--net', p('net-wide.json')], names: /option "--net": expected a network whose every layer has at most/ },
  { family: 'sizes', argv: () => [...T, '--hidden', '100001'], names: /option "--hidden"/ },
  { family: 'sizes', argv: () => [...T, '--steps', '10001'], names: /option "--steps"/ },
  { family: 'sizes', argv: () => [...T, '--samples', '1000000000'], names: /option "--samples"/ },
  { family: 'sizes', argv: () => [...T, '--max-memory', '0'], names: /option "--max-memory"/ },
  { family: 'sizes', argv: () => [...T, '--max-memory', '-5'], names: /option "--max-memory"/ },
  { family: 'sizes', argv: () => ['net', p('net-units-float.json')], names: /"layers\[0\].units"/ },
  { family: 'sizes', argv: () => ['net', p('net-no-layers.json')], names: /"layers"/ },
  { family: 'sizes', argv: () => ['net', p('net-unknown-field.json')], names: /"extra"/ },
  { family: 'sizes', argv: () => ['hw', 'show', p('hw-neg-cores.json')], names: /"cores.count/ },
  { family: 'sizes', argv: () => ['hw', 'show', p('hw-nan.json')], names: /"clock/ },
  { family: 'sizes', argv: () => ['hw', 'show', p('hw-typo.json')], names: /corse|cores/ },
  // ---- output paths: checked before any work, never half-written, never clobbered
  ...([['--out'], ['--report'], ['--stats'], ['--accelergy'], ['--save-nir']] as const).flatMap(([opt]): Hostile[] => [
    { family: 'outputs', argv: () => [...T, opt, p('nodir/x')], names: new RegExp(`option "${opt}": expected a path in an existing folder`) },
    { family: 'outputs', argv: () => [...T, opt, p('out')], names: new RegExp(`option "${opt}": expected a file path, not a folder`) },
    { family: 'outputs', argv: () => [...T, opt, p('keep.json/x')], names: new RegExp(`option "${opt}": expected a path in an existing folder`) },
    { family: 'outputs', argv: () => [...T, opt, '/dev/null'], names: new RegExp(`option "${opt}": expected a regular file path`) },
  ]),
  { family: 'outputs', argv: () => [...T, '--out', p('out/x.json'), '--report', p('out/x.json')], names: /option "--report": expected a file other than --out/ },
  { family: 'outputs', argv: () => [...T, '--out', p('out/x.json'), '--stats', p('out/../out/x.json')], names: /option "--stats": expected a file other than --out/ },
  { family: 'outputs', argv: () => [...T, '--out', p('net.json'), '--net', p('net.json')], names: /option "--out": expected a file other than the input/ },
  { family: 'outputs', argv: () => [...T, '--out', p('run.json'), '--teacher', p('run.json')], names: /option "--out": expected a file other than the input/ },
  { family: 'outputs', argv: () => [...T, '--out', '-'], names: /option "--out": expected a file path \("-" for stdout is not available/ },
  { family: 'outputs', argv: () => [...T, '--rule', 'stop-w', '--save-nir', p('out/x.nir')], names: /option "--save-nir": expected a rule whose layers all spike/ },
  { family: 'outputs', argv: () => [...T, '--delay', '1', '--save-nir', p('out/x.nir')], names: /option "--delay": expected 0 with --save-nir/ },
  { family: 'outputs', argv: () => [...T, '--out', ''], names: /option "--out"/ },
  ...(['--out', '--stats', '--accelergy'] as const).flatMap((opt): Hostile[] => [
    { family: 'outputs', argv: () => ['cost', p('activity.json'), opt, p('nodir/x')], names: new RegExp(`option "${opt}": expected a path in an existing folder`) },
    { family: 'outputs', argv: () => ['cost', p('activity.json'), opt, p('out')], names: new RegExp(`option "${opt}": expected a file path, not a folder`) },
    { family: 'outputs', argv: () => ['cost', p('activity.json'), opt, p('activity.json')], names: new RegExp(`option "${opt}": expected a file other than the input`) },
  ]),
  { family: 'outputs', argv: () => ['cost', p('activity.json'), '--out', p('out/a.json'), '--stats', p('out/a.json')], names: /option "--stats": expected a file other than --out/ },
  { family: 'outputs', argv: () => ['cost', p('activity-zero.json'), '--out', p('keep.json')], names: /phases.train.samples/ },
  { family: 'outputs', argv: () => ['trace', p('case.json'), '--out', p('nodir/t.json')], names: /option "--out": expected a path in an existing folder/ },
  { family: 'outputs', argv: () => ['trace', p('case.json'), '--out', p('out')], names: /option "--out": expected a file path, not a folder/ },
  { family: 'outputs', argv: () => ['trace', p('case.json'), '--out', p('case.json')], names: /option "--out": expected a file other than the input/ },
  { family: 'outputs', argv: () => ['trace', p('case-w1e300.json'), '--out', p('keep.json')], names: /weights\[0\]\[0\]/ },
  { family: 'outputs', argv: () => ['report', p('run.json'), '-o', p('nodir/r.html')], names: /option "--out": expected a path in an existing folder/ },
  { family: 'outputs', argv: () => ['report', p('run.json'), '-o', p('out')], names: /option "--out": expected a file path, not a folder/ },
  { family: 'outputs', argv: () => ['report', p('run.json'), '-o', p('run.json')], names: /option "--out": expected a file other than the input/ },
  { family: 'outputs', argv: () => ['report', p('run-v2.json'), '-o', p('keep.json')], names: /schemaVersion/ },
  { family: 'outputs', argv: () => ['compare', p('run.json'), p('run.json'), '-o', p('nodir/c.html')], names: /option "--out": expected a path in an existing folder/ },
  { family: 'outputs', argv: () => ['compare', p('run.json'), p('activity.json'), '-o', p('activity.json')], names: /option "--out": expected a file other than the input/ },
  { family: 'outputs', argv: () => ['net', p('net.json'), '--out', p('nodir/n.json')], names: /option "--out": expected a path in an existing folder/ },
  { family: 'outputs', argv: () => ['net', p('net.json'), '--out', p('net.json')], names: /option "--out": expected a file other than the input/ },
  { family: 'outputs', argv: () => ['robustness', '--vary', 'thermal', '--out', p('nodir/r.json')], names: /option "--out": expected a path in an existing folder/ },
  { family: 'outputs', argv: () => ['robustness', '--vary', 'thermal', '--out', p('out')], names: /option "--out": expected a file path, not a folder/ },
  // ---- options and data
  { family: 'options', argv: () => [...T, '--steps', 'abc'], names: /option "--steps"/ },
  { family: 'options', argv: () => [...T, '--hidden', '1,,2'], names: /option "--hidden"/ },
  { family: 'options', argv: () => [...T, '--hidden', '0'], names: /option "--hidden"/ },
  { family: 'options', argv: () => [...T, '--seed', '-1'], names: /option "--seed"/ },
  { family: 'options', argv: () => [...T, '--epochs', '1e9'], names: /option "--epochs"/ },
  { family: 'options', argv: () => [...T, '--stpes', '4'], names: /option "--stpes".*did you mean --steps/ },
  { family: 'options', argv: () => [...T, '--rule', 'hebb'], names: /option "--rule"/ },
  { family: 'options', argv: () => [...T, '--hw', 'nosuchchip'], names: /hardware model "nosuchchip"/ },
  { family: 'options', argv: () => [...T, '--data', 'events:'], names: /option "--data"/ },
  { family: 'options', argv: () => [...T, '--data', `events:${p('missing-folder')}`], names: /option "--data": expected events:FOLDER with a readable folder/ },
  { family: 'options', argv: () => [...T, '--data', `events:${p('empty-events')}`], names: /event files with at least one event between them/ },
  { family: 'options', argv: () => [...T, '--data', `events:${p('escape')}`], names: /"\.\.\/outside\.csv"|no path leading out of the folder/ },
  { family: 'options', argv: () => [...T, '--resume', p('missing-folder')], names: /option "--resume": expected a checkpoint folder/ },
  { family: 'options', argv: () => [...T, '--checkpoint', p('case.json')], names: /option "--checkpoint": expected a folder/ },
  { family: 'options', argv: () => ['nosuchcommand'], names: /argument "command"/ },
  { family: 'options', argv: () => ['hw', 'frobnicate'], names: /argument "ACTION"/ },
  { family: 'options', argv: () => ['trace'], names: /CASE.json/ },
  { family: 'options', argv: () => ['cost'], names: /RUN.json/ },
  { family: 'options', argv: () => ['trace', p('case.json'), '--backend', 'gpu'], names: /option "--backend"/ },
  { family: 'options', argv: () => ['robustness', '--vary', 'nothing'], names: /option "--vary"/ },
  { family: 'options', argv: () => ['compare', p('run.json')], names: /run|RUN/ },
];

describe('the CLI on hostile inputs', () => {
  it(`refuses each of ${HOSTILE.length} hostile inputs cleanly, naming the field, writing nothing`, () => {
    const counts: Record<string, number> = {};
    const failures: string[] = [];
    for (const h of HOSTILE) {
      counts[h.family] = (counts[h.family] ?? 0) + 1;
      const argv = h.argv();
      const before = snapshot();
      const r = run(argv);
      const want = h.status ?? 2;
      const problems: string[] = [];
      if (r.status !== want) problems.push(`exit ${r.status}, expected ${want}`);
      if (!(typeof h.names === 'string' ? r.stderr.includes(h.names) : h.names.test(r.stderr))) problems.push(`message does not match ${String(h.names)}`);
      if (/\n\s+at /.test(r.stderr)) problems.push('stack trace in stderr');
      if (snapshot() !== before) problems.push('files changed');
      if (problems.length) failures.push(`ncsim ${argv.join(' ')}: ${problems.join('; ')}\n    stderr: ${r.stderr.trim().slice(0, 300)}`);
    }
    // the families and their sizes (docs/cli-errors.md quotes them)
    console.log(`hostile inputs per family: ${JSON.stringify(counts)}, total ${HOSTILE.length}`);
    expect(failures).toEqual([]);
  }, 120_000);

  it('a failed run leaves an existing output as it was, mode included; a successful one keeps its mode', () => {
    const target = p('keep.json');
    const before = readFileSync(target, 'utf8');
    expect(run(['trace', p('case-thr1e-300.json'), '--out', target]).status).toBe(2);
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(run(['trace', p('case.json'), '--out', target]).status).toBe(0);
    expect(JSON.parse(readFileSync(target, 'utf8')).format).toBe('ncsim.trace/1');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    writeFileSync(target, before);
    chmodSync(target, 0o640);
  });

  it('trace --out - writes the trace to stdout (no file named "-")', () => {
    const cwd = process.cwd();
    process.chdir(p('out'));
    try {
      const r = run(['trace', p('case.json'), '--out', '-']);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout).format).toBe('ncsim.trace/1');
      expect(readdirSync(p('out'))).not.toContain('-');
    } finally {
      process.chdir(cwd);
    }
  });

  it('cost writes --out and --stats together', () => {
    const r = run(['cost', p('activity.json'), '--out', p('out/c.json'), '--stats', p('out/c.txt'), '--hw', 'loihi']);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(p('out/c.json'), 'utf8')).schema).toBe('ncsim.cost/1');
    expect(readFileSync(p('out/c.txt'), 'utf8')).toMatch(/train\./);
    expect(readdirSync(p('out')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    rmSync(p('out/c.json'));
    rmSync(p('out/c.txt'));
  });
});
