/**
 * The page's digits and the page's platform give the CLI's numbers (issue 19 item 3): the
 * digits file decodes to the CLI's float32 pixels bit for bit, and a run on the browser's
 * platform (bundled files, fetched wasm bytes, the digits file; src/web/platform.ts),
 * installed here in Node, equals the same run on Node's platform, counter for counter.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeDigits, encodeDigits, pixelCode, pixelValue } from '../../src/web/digits.js';
import { webPlatform } from '../../src/web/platform.js';
import { loadMnist } from '../../src/host/mnist.js';
import { SPLIT_SEED } from '../../src/train/train.js';
import { setPlatform } from '../../src/platform.js';
import { setTrainExtras, trainExtras } from '../../src/train/extras.js';
import { nodePlatform, findWasmFile } from '../../src/node/platform.js';
import { train } from '../../src/train/api.js';
import { InputError } from '../../src/io/errors.js';
import { comparable } from './comparable.js';

const DIGITS_FILE = new URL('../../dist/web/digits.bin', import.meta.url);

const NODE_EXTRAS = trainExtras();

/** The worker's platform: no files but its own, no threads, the page's digits. */
function installBrowser(): void {
  const wasm = new Uint8Array(readFileSync(findWasmFile() as string));
  const teacherWasm = new Uint8Array(readFileSync(findWasmFile('ncsim-teacher.wasm') as string));
  setPlatform(webPlatform({ wasm, teacherWasm, digits: decodeDigits(new Uint8Array(readFileSync(DIGITS_FILE))) }));
  setTrainExtras({});
}

afterEach(() => {
  setPlatform(nodePlatform);
  setTrainExtras(NODE_EXTRAS);
});

describe('the digits file', () => {
  it('keeps every pixel value of the mnist package exactly (three decimals of k/255)', () => {
    const pkg = createRequire(import.meta.url)('mnist') as { raw: number[] }[];
    let checked = 0;
    const wrong: number[] = [];
    for (const d of pkg) {
      for (const v of d.raw) {
        if (Math.fround(pixelValue(pixelCode(v))) !== Math.fround(v)) wrong.push(v);
        checked++;
      }
    }
    expect(checked).toBe(7_840_000);
    expect(wrong).toEqual([]);
    expect(() => pixelCode(0.5)).toThrow(/not three decimals/);
  });

  it('decodes to the pools of the CLI\'s split, bit for bit (the built file and a fresh encoding)', () => {
    expect(existsSync(DIGITS_FILE), 'run npm run build').toBe(true);
    const file = decodeDigits(new Uint8Array(readFileSync(DIGITS_FILE)));
    expect(file.seed).toBe(SPLIT_SEED);
    expect([file.train.n, file.test.n]).toEqual([3000, 1000]);
    const cli = loadMnist({ trainSamples: 3000, testSamples: 1000, seed: SPLIT_SEED });
    for (const pool of ['train', 'test'] as const) {
      expect(Buffer.from(file[pool].images.buffer).equals(Buffer.from(cli[pool].images.buffer)), pool).toBe(true);
      expect([...file[pool].labels]).toEqual([...cli[pool].labels]);
    }
    const again = decodeDigits(encodeDigits({ seed: SPLIT_SEED, train: cli.train, test: cli.test }));
    expect(Buffer.from(again.test.images.buffer).equals(Buffer.from(cli.test.images.buffer))).toBe(true);
  });

  it('refuses a file that is not one, saying what is wrong', () => {
    const good = readFileSync(DIGITS_FILE);
    expect(() => decodeDigits(new Uint8Array(10))).toThrow(/shorter than its 32-byte header/);
    const bad = new Uint8Array(good.subarray(0, 4096));
    expect(() => decodeDigits(bad)).toThrow(/4096 bytes, expected/);
    bad[0] = 0x41;
    expect(() => decodeDigits(bad)).toThrow(/magic/);
  });
});

describe('a run on the browser\'s platform', () => {
  const options = { samples: 120, testSamples: 60, hidden: [32], steps: 6, epochs: 1, teacherEpochs: 2, seed: 3, mismatch: 0.1, hw: 'generic45' };

  it('equals the same run on Node\'s platform, every counter, accuracy and cost', () => {
    const node = train(options);
    installBrowser();
    const web = train(options);
    expect(web.cost.model.path).toBe('hw-models/generic45.json');
    expect(web.learning.updates).toBeGreaterThan(0);
    expect(comparable(web)).toEqual(comparable(node));
  });

  it('reads only its own files, and only the digits it has', () => {
    installBrowser();
    expect(() => train({ ...options, net: '/etc/passwd' })).toThrow(InputError);
    expect(() => train({ ...options, samples: 3001 })).toThrow(/at most 3000/);
    expect(() => train({ ...options, data: 'idx:/tmp' })).toThrow(/mnist or mnist-events/);
  });
});
