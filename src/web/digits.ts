/**
 * The playground's digits: the first N digits of each pool of the built-in MNIST split (the
 * `mnist` package's, split with seed SPLIT_SEED exactly as host/mnist.ts does), in a compact
 * binary file (dist/web/digits.bin) that decodes to the same float32 pixels bit for bit, so that
 * the page and `ncsim train --samples N` see the same digits.
 *
 * The package's pixels are k/255 rounded to three decimals (k = 0..255; a test checks every one
 * of its 7,840,000 values), so one byte k per pixel keeps them exactly: the value is
 * round(1000 k / 255) / 1000, the number JSON.parse gave the package.
 *
 * Layout, little-endian: 16 bytes of ASCII magic "ncsim.digits/1" padded with spaces; u32
 * trainCount, testCount, pixelsPerDigit, splitSeed; the labels of the train pool then of the
 * test pool (one byte each); then the pixels' bytes k, digit after digit, train pool first.
 */
import type { ImagePool } from '../platform.js';

export const DIGITS_MAGIC = 'ncsim.digits/1';
const HEADER_BYTES = 16 + 16;

/** A pixel's value from its byte k: three decimals of k/255, as the mnist package writes it. */
export function pixelValue(k: number): number {
  return Math.round((k * 1000) / 255) / 1000;
}

/** The byte of a package pixel value; an error when it is not one of the 256 values. */
export function pixelCode(v: number): number {
  const k = Math.round(v * 255);
  if (!(k >= 0 && k <= 255) || Math.fround(pixelValue(k)) !== Math.fround(v)) throw new RangeError(`digits: pixel ${v} is not three decimals of k/255`);
  return k;
}

export interface DigitPools { seed: number; train: ImagePool; test: ImagePool }

export function encodeDigits(p: DigitPools): Uint8Array {
  const { train, test } = p;
  if (train.size !== test.size) throw new RangeError('digits: train and test pools of different digit sizes');
  const n = train.n + test.n, size = train.size;
  const out = new Uint8Array(HEADER_BYTES + n + n * size);
  const view = new DataView(out.buffer);
  const magic = DIGITS_MAGIC.padEnd(16, ' ');
  for (let i = 0; i < 16; i++) out[i] = magic.charCodeAt(i);
  view.setUint32(16, train.n, true);
  view.setUint32(20, test.n, true);
  view.setUint32(24, size, true);
  view.setUint32(28, p.seed, true);
  out.set(train.labels.subarray(0, train.n), HEADER_BYTES);
  out.set(test.labels.subarray(0, test.n), HEADER_BYTES + train.n);
  let o = HEADER_BYTES + n;
  for (const pool of [train, test]) {
    for (let i = 0; i < pool.n * size; i++) out[o++] = pixelCode(pool.images[i]);
  }
  return out;
}

/** The pools of a digits file; a file that is not one is refused with what is wrong. */
export function decodeDigits(bytes: Uint8Array): DigitPools {
  const bad = (what: string): never => {
    throw new RangeError(`digits file: ${what}`);
  };
  if (bytes.length < HEADER_BYTES) bad(`${bytes.length} bytes, shorter than its ${HEADER_BYTES}-byte header`);
  const magic = String.fromCharCode(...bytes.subarray(0, 16)).trimEnd();
  if (magic !== DIGITS_MAGIC) bad(`magic "${magic}", expected "${DIGITS_MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nTrain = view.getUint32(16, true), nTest = view.getUint32(20, true), size = view.getUint32(24, true), seed = view.getUint32(28, true);
  const n = nTrain + nTest;
  if (bytes.length !== HEADER_BYTES + n + n * size) bad(`${bytes.length} bytes, expected ${HEADER_BYTES + n + n * size} for ${nTrain} + ${nTest} digits of ${size} pixels`);
  const values = new Float32Array(256);
  for (let k = 0; k < 256; k++) values[k] = pixelValue(k);
  const pool = (first: number, count: number): ImagePool => {
    const images = new Float32Array(count * size);
    const px = HEADER_BYTES + n + first * size;
    for (let i = 0; i < images.length; i++) images[i] = values[bytes[px + i]];
    const labels = bytes.slice(HEADER_BYTES + first, HEADER_BYTES + first + count);
    for (const l of labels) if (l > 9) bad(`label ${l}, expected 0..9`);
    return { n: count, size, images, labels };
  };
  return { seed, train: pool(0, nTrain), test: pool(nTrain, nTest) };
}
