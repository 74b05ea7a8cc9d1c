// IDX image data sets (src/host/idx.ts): files written here byte by byte, plain and gzipped,
// read back; malformed files refused naming the file and the byte; Debian's Fashion-MNIST at
// full size where the package is installed (CI installs it, and there its absence fails).
import { describe, it, expect } from 'vitest';
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { FASHION_MNIST_DIR, loadIdxFolder, parseIdx, readIdx } from '../../src/host/idx.js';
import { InputError } from '../../src/io/errors.js';

function idx(magic: number, dims: number[], values: ArrayLike<number>): Uint8Array {
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + values.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, magic, false);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(Array.from(values), header);
  return out;
}

/** A folder with the four files of `n` train and `m` test images of rows x cols. */
function folder(n: number, m: number, rows: number, cols: number, gz: boolean, seed = 1): { dir: string; train: Uint8Array; trainLabels: Uint8Array; test: Uint8Array; testLabels: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'ncsim-idx-'));
  let s = seed;
  const byte = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const train = Uint8Array.from({ length: n * rows * cols }, byte);
  const test = Uint8Array.from({ length: m * rows * cols }, byte);
  const trainLabels = Uint8Array.from({ length: n }, () => byte() % 10);
  const testLabels = Uint8Array.from({ length: m }, () => byte() % 10);
  const put = (name: string, b: Uint8Array) => writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(b) : b);
  put('train-images-idx3-ubyte', idx(0x803, [n, rows, cols], train));
  put('train-labels-idx1-ubyte', idx(0x801, [n], trainLabels));
  put('t10k-images-idx3-ubyte', idx(0x803, [m, rows, cols], test));
  put('t10k-labels-idx1-ubyte', idx(0x801, [m], testLabels));
  return { dir, train, trainLabels, test, testLabels };
}

const refusal = (f: () => unknown): InputError => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('not refused');
};

describe('IDX reader', () => {
  it('reads back what was written, plain or gzipped, pixels as byte / 255, prefixes on request', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.integer(), (n, m, rows, cols, gz, seed) => {
      const f = folder(n, m, rows, cols, gz, seed);
      const take = 1 + (Math.abs(seed) % n);
      const split = loadIdxFolder(f.dir, { trainSamples: take });
      expect(split.height).toBe(rows);
      expect(split.width).toBe(cols);
      expect(split.train.n).toBe(take);
      expect(split.test.n).toBe(m);
      expect(Array.from(split.train.images)).toEqual(Array.from(f.train.subarray(0, take * rows * cols), (b) => Math.fround(b / 255)));
      expect(Array.from(split.train.labels)).toEqual(Array.from(f.trainLabels.subarray(0, take)));
      expect(Array.from(split.test.images)).toEqual(Array.from(f.test, (b) => Math.fround(b / 255)));
      expect(Array.from(split.test.labels)).toEqual(Array.from(f.testLabels));
    }), { numRuns: 25 });
  });

  it('refuses truncated, padded and mistyped files naming the file and the byte', () => {
    const good = idx(0x803, [2, 3, 3], new Uint8Array(18));
    expect(refusal(() => parseIdx(good.subarray(0, good.length - 1), 'a.idx')).message).toMatch(/IDX file "a\.idx".*truncated: the file ends at byte 33/);
    const padded = new Uint8Array(good.length + 2);
    padded.set(good);
    expect(refusal(() => parseIdx(padded, 'a.idx')).message).toMatch(/2 extra bytes from byte 34/);
    const f32 = good.slice();
    f32[2] = 0x0d;
    expect(refusal(() => parseIdx(f32, 'a.idx')).message).toMatch(/type 0x08 at byte 2.*0x0d/);
    expect(refusal(() => parseIdx(good.subarray(0, 10), 'a.idx')).message).toMatch(/16-byte header.*ends at byte 10/);
    const zeroDim = idx(0x803, [0, 3, 3], []);
    expect(refusal(() => parseIdx(zeroDim, 'a.idx')).message).toMatch(/dimension 0 \(bytes 4\.\.7\) >= 1/);
  });

  it('refuses label counts that do not match, swapped files, a request past the file, a broken gzip', () => {
    const f = folder(4, 2, 2, 2, false);
    writeFileSync(join(f.dir, 'train-labels-idx1-ubyte'), idx(0x801, [3], [1, 2, 3]));
    expect(refusal(() => loadIdxFolder(f.dir)).message).toMatch(/4 labels, one per image/);
    const g = folder(4, 2, 2, 2, false);
    expect(refusal(() => loadIdxFolder(g.dir, { trainSamples: 5 })).message).toMatch(/option "--samples": expected at most 4/);
    writeFileSync(join(g.dir, 't10k-images-idx3-ubyte'), idx(0x801, [2], [1, 2]));
    expect(refusal(() => loadIdxFolder(g.dir)).message).toMatch(/images: magic 0x00000803.*got 0x00000801/);
    const h = folder(2, 2, 2, 2, true);
    writeFileSync(join(h.dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx(0x803, [2, 2, 2], new Uint8Array(8))).subarray(0, 20));
    expect(refusal(() => loadIdxFolder(h.dir)).message).toMatch(/complete gzip stream/);
    expect(refusal(() => loadIdxFolder(mkdtempSync(join(tmpdir(), 'ncsim-idx-empty-')))).message).toMatch(/train-images-idx3-ubyte or train-images-idx3-ubyte\.gz/);
  });

  it('never reads a FIFO or a folder (they could block or are not data)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-idx-'));
    expect(refusal(() => readIdx(dir)).message).toMatch(/regular file/);
    const fifo = join(dir, 'train-images-idx3-ubyte');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(() => readIdx(fifo)).message).toMatch(/regular file \(not a folder, FIFO or device\)/);
    expect(refusal(() => readIdx('/dev/zero')).message).toMatch(/regular file/);
  });
});

const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

describe('ncsim train --data idx:FOLDER', () => {
  it('trains on the folder\'s own split; a net of another input size is refused naming the field', () => {
    const f = folder(30, 10, 6, 5, true);
    const r = spawnSync(process.execPath, [cli, 'train', '--data', `idx:${f.dir}`, '--samples', '30', '--test-samples', '10', '--epochs', '1', '--teacher-epochs', '1', '--hidden', '8', '--teacher-worker=false', '--json', '--quiet'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.activity.inputSize).toBe(30);
    const bad = spawnSync(process.execPath, [cli, 'train', '--data', `idx:${f.dir}`, '--samples', '31', '--quiet'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--samples.*at most 30/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

// CI installs dataset-fashion-mnist (.ci/run): there its absence is a failure, not a skip.
const HAS_FASHION = existsSync(FASHION_MNIST_DIR);
describe.runIf(HAS_FASHION || process.env.CI === 'true')('Debian\'s Fashion-MNIST at full size', () => {
  it('60,000 training and 10,000 test images of 28 x 28, ten balanced classes', () => {
    expect(HAS_FASHION, `${FASHION_MNIST_DIR} missing: apt-get install dataset-fashion-mnist`).toBe(true);
    const split = loadIdxFolder(FASHION_MNIST_DIR);
    expect([split.train.n, split.test.n, split.height, split.width]).toEqual([60000, 10000, 28, 28]);
    const perClass = new Array(10).fill(0);
    for (const l of split.test.labels) perClass[l]++;
    expect(perClass).toEqual(new Array(10).fill(1000));
    let max = 0;
    for (let i = 0; i < 784 * 100; i++) max = Math.max(max, split.train.images[i]);
    expect(max).toBe(1);
  });
});
