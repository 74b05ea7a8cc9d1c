/**
 * Image data sets in the IDX format of LeCun's MNIST page (also Fashion-MNIST, KMNIST, EMNIST):
 * a big-endian header, magic 0x00 0x00 type ndims, then ndims u32 sizes, then the values.
 * Images are 3-d unsigned bytes (magic 0x00000803: count x rows x cols), labels 1-d unsigned
 * bytes (0x00000801). Files may be gzipped (detected by the gzip magic 1f 8b, whatever the name).
 *
 * A folder holds the classic four files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
 * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally `.gz`); the test split is
 * the data set's own. Pixels become f32 in [0, 1] (byte / 255), as the `mnist` package's digits.
 * `--samples` / `--test-samples` take prefixes of the files' own order (Fashion-MNIST's and
 * MNIST's training files are already shuffled), so runs with different seeds see the same images.
 *
 * Every malformed file is refused naming the file and the byte where it goes wrong.
 */
import { existsSync } from 'node:fs';
import { readDocumentBytes } from '../io/document.js';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../io/errors.js';
import type { Dataset, MnistSplit } from './mnist.js';

export const IDX_IMAGES = 0x00000803;
export const IDX_LABELS = 0x00000801;

/** Where Debian's dataset-fashion-mnist package puts the four files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The largest file read, gzipped or not (the 60,000-image sets are 47 MB raw). */
const MAX_BYTES = 1 << 30;

export interface IdxArray {
  magic: number;
  dims: number[];
  /** The values after the header (a view into the file's bytes). */
  data: Uint8Array;
}

const fileError = (file: string, expected: string, note?: string) =>
  new InputError(file, expected, undefined, { kind: 'IDX file', showGot: false, note });

/** Parses IDX bytes (already gunzipped); `file` names them in errors. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw fileError(file, 'an IDX header (4 magic bytes)', `the file has ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw fileError(file, 'IDX magic bytes 0x00 0x00 at byte 0', `got 0x${hex(bytes[0])} 0x${hex(bytes[1])}`);
  if (bytes[2] !== 0x08) throw fileError(file, 'unsigned-byte values (type 0x08 at byte 2)', `got type 0x${hex(bytes[2])}`);
  const ndims = bytes[3];
  if (ndims < 1 || ndims > 3) throw fileError(file, '1 to 3 dimensions (byte 3)', `got ${ndims}`);
  const header = 4 + 4 * ndims;
  if (bytes.length < header) throw fileError(file, `a ${header}-byte header`, `the file ends at byte ${bytes.length}`);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    if (n === 0) throw fileError(file, `dimension ${d} (bytes ${4 + 4 * d}..${7 + 4 * d}) >= 1`, 'got 0');
    dims.push(n);
    count *= n;
  }
  const want = header + count;
  if (bytes.length < want) throw fileError(file, `${want} bytes (header ${header} + ${dims.join(' x ')} values)`, `truncated: the file ends at byte ${bytes.length}`);
  if (bytes.length > want) throw fileError(file, `${want} bytes (header ${header} + ${dims.join(' x ')} values)`, `${bytes.length - want} extra bytes from byte ${want}`);
  return { magic: view.getUint32(0, false), dims, data: bytes.subarray(header, want) };
}

/** Reads one IDX file, gunzipping it when it starts with the gzip magic. */
export function readIdx(file: string): IdxArray {
  // The one document reader: regular files only (a FIFO or /dev/zero could block or never end), size cap.
  let bytes: Uint8Array = readDocumentBytes(file, { kind: 'IDX file', what: 'a regular file (not a folder, FIFO or device)', maxBytes: MAX_BYTES });
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes, { maxOutputLength: MAX_BYTES }));
    } catch (e) {
      throw fileError(file, 'a complete gzip stream', (e as Error).message);
    }
  }
  return parseIdx(bytes, file);
}

/** The file `name` or `name.gz` in dir. */
function findFile(dir: string, name: string): string {
  for (const f of [join(dir, name), join(dir, `${name}.gz`)]) if (existsSync(f)) return f;
  throw new InputError('--data', `a folder holding ${name} or ${name}.gz`, `idx:${dir}`, { kind: 'option' });
}

/** Images and labels of one split, the first `n` of them (all when n is undefined). */
function loadSet(dir: string, prefix: string, n: number | undefined, option: string): { set: Dataset; rows: number; cols: number } {
  const imgFile = findFile(dir, `${prefix}-images-idx3-ubyte`);
  const lblFile = findFile(dir, `${prefix}-labels-idx1-ubyte`);
  const img = readIdx(imgFile);
  const lbl = readIdx(lblFile);
  if (img.magic !== IDX_IMAGES) throw fileError(imgFile, 'images: magic 0x00000803 (count x rows x cols unsigned bytes)', `got 0x${img.magic.toString(16).padStart(8, '0')}`);
  if (lbl.magic !== IDX_LABELS) throw fileError(lblFile, 'labels: magic 0x00000801 (count unsigned bytes)', `got 0x${lbl.magic.toString(16).padStart(8, '0')}`);
  const [count, rows, cols] = img.dims;
  if (lbl.dims[0] !== count) throw fileError(lblFile, `${count} labels, one per image of ${imgFile}`, `it has ${lbl.dims[0]}`);
  const take = n ?? count;
  if (take > count) throw new InputError(option, `at most ${count} (the images in ${imgFile})`, take, { kind: 'option' });
  const size = rows * cols;
  const images = new Float32Array(take * size);
  const src = img.data;
  for (let i = 0; i < take * size; i++) images[i] = src[i] / 255;
  const labels = lbl.data.slice(0, take);
  return { set: { n: take, size, images, labels }, rows, cols };
}

export interface IdxFolderOptions {
  trainSamples?: number;
  testSamples?: number;
}

/** The train and test splits of an IDX folder (both of one image size). */
export function loadIdxFolder(dir: string, opts: IdxFolderOptions = {}): MnistSplit & { height: number; width: number } {
  const train = loadSet(dir, 'train', opts.trainSamples, '--samples');
  const test = loadSet(dir, 't10k', opts.testSamples, '--test-samples');
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new InputError('--data', 'train and t10k images of one size', `idx:${dir}`, { kind: 'option', note: `train ${train.rows} x ${train.cols}, t10k ${test.rows} x ${test.cols}` });
  }
  return { train: train.set, test: test.set, height: train.rows, width: train.cols };
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
