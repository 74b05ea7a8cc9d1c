/**
 * Writes the playground's data (run by build.mjs, in Node): dist/web/digits.bin, the first
 * WEB_TRAIN_DIGITS and WEB_TEST_DIGITS digits of the built-in MNIST split's pools, as
 * `ncsim train --samples N --test-samples M` takes them (src/web/digits.ts).
 */
import '../node/platform.js';
import { writeFileSync } from 'node:fs';
import { loadMnist } from '../host/mnist.js';
import { SPLIT_SEED } from '../train/train.js';
import { encodeDigits } from './digits.js';

export const WEB_TRAIN_DIGITS = 3000;
export const WEB_TEST_DIGITS = 1000;

const out = process.argv[2];
if (!out) throw new Error('usage: node web-assets.js OUT/digits.bin');
const split = loadMnist({ trainSamples: WEB_TRAIN_DIGITS, testSamples: WEB_TEST_DIGITS, seed: SPLIT_SEED });
writeFileSync(out, encodeDigits({ seed: SPLIT_SEED, ...split }));
