/**
 * The platform of the playground's Web Worker (src/platform.ts): no file system, no threads.
 * Files are the ones bundled with the page (the shipped hardware models and nets, under the
 * paths the CLI reads them from: hw-models/loihi.json, nets/mlp.json); the kernels are the
 * bytes the worker fetched from the page's folder; MNIST is the page's subset of the split's
 * pools (src/web/digits.ts), so `loadMnist` takes the same prefixes the CLI takes.
 */
import type { Platform } from '../platform.js';
import { SHIPPED_MODEL_FILES, SHIPPED_MODELS_DIR } from '../cost/shipped-models.js';
import type { DigitPools } from './digits.js';
import cnnMnist from '../../nets/cnn-mnist.json' with { type: 'json' };
import cnnMnistS2 from '../../nets/cnn-mnist-s2.json' with { type: 'json' };
import mlp from '../../nets/mlp.json' with { type: 'json' };

/** The shipped nets the page offers (MNIST-sized inputs), by the path the CLI reads them from. */
export const SHIPPED_NET_FILES: Record<string, unknown> = {
  'nets/mlp.json': mlp,
  'nets/cnn-mnist.json': cnnMnist,
  'nets/cnn-mnist-s2.json': cnnMnistS2,
};

/** What a page's run may allocate: a browser tab's share, not the machine's. */
const BROWSER_BUDGET_BYTES = 2e9;
const BROWSER_TYPED_ARRAY_MAX_BYTES = 2 ** 31 - 1;

export function webPlatform(o: { wasm: Uint8Array; teacherWasm: Uint8Array; digits: DigitPools }): Platform {
  const files: Record<string, unknown> = { ...SHIPPED_MODEL_FILES, ...SHIPPED_NET_FILES };
  const encoder = new TextEncoder();
  const clean = (path: string) => path.replace(/^(\.\/)+/, '');
  return {
    name: 'browser',
    readFile(path, maxBytes, refuse) {
      const json = files[clean(path)];
      if (json === undefined) return refuse(`the page reads only its own files: ${Object.keys(files).join(', ')}`);
      const bytes = encoder.encode(JSON.stringify(json));
      if (bytes.length > maxBytes) refuse(`${bytes.length} bytes, more than the limit of ${maxBytes} bytes`);
      return bytes;
    },
    resolvePath: clean,
    hwModels: () => ({
      dir: SHIPPED_MODELS_DIR,
      names: Object.keys(SHIPPED_MODEL_FILES).map((f) => f.slice(SHIPPED_MODELS_DIR.length + 1, -'.json'.length)).sort(),
    }),
    // The chip's kernels, and the host teacher's (a module of its own: src/host/teacher-kernels.ts).
    wasmBytes: (name) => (name === 'ncsim-teacher.wasm' ? o.teacherWasm : o.wasm),
    mnistPools: (seed) => (seed === o.digits.seed ? { train: o.digits.train, test: o.digits.test } : undefined),
    memory: () => ({ defaultBudget: BROWSER_BUDGET_BYTES, maxTypedArrayBytes: BROWSER_TYPED_ARRAY_MAX_BYTES }),
  };
}
