// `--teacher model.onnx` end to end: a teacher trained by ncsim, written as ONNX, teaches the chip
// exactly as the teacher it came from (same norms, same targets, so the same run bit for bit:
// same accuracy after every epoch, same update counts), the report says where the teacher came
// from (file, sha256) and its accuracy as ncsim measured it; the CLI refuses a bad file with
// exit status 2 before any data is loaded, writing nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRAIN_DEFAULTS, TrainSession, train, type TrainOptions } from '../../src/train/train.js';
import { renderReport } from '../../src/report/html/render.js';
import { resolveTrainOptions } from '../../src/train/api.js';
import { teacherToOnnx } from './write-onnx.js';

const root = join(__dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'onnx');
const cli = join(root, 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ncsim-onnx-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('training from an ONNX teacher', () => {
  it("a teacher trained by ncsim and written as ONNX gives the same run as ncsim's own teacher", () => {
    const opts: TrainOptions = { ...TRAIN_DEFAULTS, samples: 500, testSamples: 100, hidden: [32], epochs: 2, steps: 16, teacherEpochs: 3, teacherWorker: false };
    const session = new TrainSession(opts);
    const file = join(dir, 'ncsim-teacher.onnx');
    const bytes = teacherToOnnx(session.teacher);
    session.close();
    writeFileSync(file, bytes);
    const own = train(opts);
    // the ONNX teacher runs in the worker thread: same targets, bit for bit
    const onnx = train({ ...opts, teacher: file, teacherWorker: true });
    expect(onnx.teacher.source).toEqual({ format: 'onnx', file, sha256: createHash('sha256').update(bytes).digest('hex'), producer: 'ncsim-test', opset: 13 });
    expect(own.teacher.source).toBeUndefined();
    expect(onnx.teacher.testAccuracy).toBe(own.teacher.testAccuracy);
    expect(onnx.teacher.norms).toEqual(own.teacher.norms);
    expect(onnx.snn.initialTestAccuracy).toBe(own.snn.initialTestAccuracy);
    const epochs = (r: typeof own) => r.snn.epochs.map((e) => [e.testAccuracy, e.trainAccuracy, e.updates, e.denseUpdates]);
    expect(epochs(onnx)).toEqual(epochs(own));
    expect(own.snn.testAccuracy).toBeGreaterThan(own.snn.initialTestAccuracy + 0.2); // the chip did learn (measured: 6 % -> 48 %)
  });
});

describe('the library option', () => {
  it('teacher is a known train() option, and must be a string', () => {
    expect(resolveTrainOptions({ teacher: 'model.onnx' }).train.teacher).toBe('model.onnx');
    expect(() => resolveTrainOptions({ teacher: 3 } as never)).toThrow(/"teacher": expected a string, got 3/);
  });
});

describe('ncsim train --teacher (dist/cli.js)', () => {
  it('a PyTorch CNN teaches the chip of the same net; the report names the file, its sha256, and the accuracy ncsim measured', () => {
    const r = run('train', '--teacher', join(fixtures, 'cnn.onnx'), '--net', join(fixtures, 'cnn.net.json'), '--samples', '60', '--test-samples', '40', '--epochs', '1', '--steps', '4', '--quiet', '--json');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const sha = createHash('sha256').update(readFileSync(join(fixtures, 'cnn.onnx'))).digest('hex');
    expect(report.teacher.source).toMatchObject({ format: 'onnx', sha256: sha, producer: 'pytorch 1.13.0' });
    expect(report.teacher.sizes).toEqual([784, 784, 196, 32, 10]);
    expect(report.teacher.testAccuracy).toBeGreaterThanOrEqual(0);
    const html = renderReport(report, {});
    expect(html).toContain('Teacher (ONNX) test accuracy');
    expect(html).toMatch(/read from .*cnn\.onnx \(ONNX, not trained by ncsim\)/);
    const text = run('train', '--teacher', join(fixtures, 'mlp.onnx'), '--hidden', '32', '--samples', '50', '--test-samples', '20', '--epochs', '0', '--steps', '2', '--quiet');
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/teacher \(ONNX\) 784-32-10/);
    expect(text.stdout).toMatch(new RegExp(`teacher read from +.*mlp\\.onnx +\\(sha256 ${createHash('sha256').update(readFileSync(join(fixtures, 'mlp.onnx'))).digest('hex')}, pytorch 1\\.13\\.0, opset 13; not trained by ncsim\\)`));
  });

  it('a bad teacher exits 2 naming the node or both shapes, and writes nothing', () => {
    const out = join(dir, 'run.json');
    const cases: [string[], RegExp][] = [
      [['--teacher', join(fixtures, 'sigmoid.onnx')], /node '\/1\/Sigmoid' \(Sigmoid\)/],
      [['--teacher', join(fixtures, 'mlp-20.onnx'), '--hidden', '32'], /layer 1, node '\/0\/Gemm' \(Gemm\)": expected the SNN's layer h1: dense 784 -> 32 \(the teacher's layer is dense 784 -> 20\)/],
      [['--teacher', join(fixtures, 'cnn.onnx')], /the SNN's 3 layers \(dense 784 -> 256, dense 256 -> 256, dense 256 -> 10\).*the teacher has 4: conv 1x28x28 -> 4x14x14/],
      [['--teacher', join(fixtures, 'dynamic.onnx')], /graph.input 'x' dimension 1/],
      [['--teacher', join(fixtures, 'cnn.net.json')], /ONNX file ".*cnn.net.json".*not readable as protobuf/],
      [['--teacher', join(dir, 'absent.onnx')], /ENOENT/],
    ];
    for (const [args, names] of cases) {
      const r = run('train', ...args, '--out', out, '--quiet');
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(names);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(out)).toBe(false);
    }
  });
});
