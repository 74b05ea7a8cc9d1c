/**
 * What the simulator needs from the place it runs in, behind one small interface, so that the
 * core (src/core.ts: chip, kernels, rules, training, cost, report) imports no Node built-in and
 * bundles for a browser. Node's implementation (src/node/platform.ts: files, the wasm file, the
 * `mnist` package, worker threads, the machine's memory) is installed by the Node entry points
 * (src/index.ts, the CLI, the benches, the tests' setup); the playground installs the browser's
 * (src/web/platform.ts: bundled files, fetched wasm bytes, the page's digit subset). Node's
 * extras for training (a teacher worker thread, data sets read from folders) are in
 * src/train/extras.ts.
 *
 * This module imports nothing of the simulator's (the types it names are structural), so every
 * module may import it without a cycle.
 */

/** One class of the built-in MNIST digits: `length` images of 784 pixels in [0, 1], row-major. */
export interface MnistDigit {
  raw: ArrayLike<number>;
  length: number;
}

/** A pool of images (the shape of host/mnist.ts's Dataset). */
export interface ImagePool {
  n: number;
  size: number;
  images: Float32Array;
  labels: Uint8Array;
}

export interface Platform {
  /** 'node' or 'browser' (messages). */
  readonly name: string;
  /**
   * The bytes of the regular file `path`, at most `maxBytes` of them; anything else (missing,
   * a folder, a FIFO, too big) calls `refuse` with a note. The one document reader
   * (io/document.ts) reads every file through this.
   */
  readFile(path: string, maxBytes: number, refuse: (note: string) => never): Uint8Array;
  /** The absolute form of a user's path (reports and messages name files by it). */
  resolvePath(path: string): string;
  /** The folder of the shipped hardware models (readable with readFile) and their names, sorted. */
  hwModels(): { dir: string; names: string[] };
  /** The bytes of a compiled kernel file shipped with ncsim (`ncsim.wasm`). */
  wasmBytes(name: string): Uint8Array;
  /** The built-in MNIST digits, class by class (10 classes), when the platform has them all. */
  mnistDigits?(): MnistDigit[];
  /**
   * The pools of the built-in MNIST split with this seed, already made (a prefix of each), when
   * the platform ships only a subset of the digits (the playground): loadMnist takes prefixes of them.
   */
  mnistPools?(seed: number): { train: ImagePool; test: ImagePool } | undefined;
  /** Bytes this run may use by default, and the largest typed array that can be allocated. */
  memory(): { defaultBudget: number; maxTypedArrayBytes: number };
}

let current: Platform | undefined;

/** Installs the platform (the Node entry points and the playground do, once, before anything runs). */
export function setPlatform(p: Platform): void {
  current = p;
}

export function platform(): Platform {
  if (!current) {
    throw new Error('ncsim: no platform installed: in Node import "ncsim" (or src/node/platform.ts); in a browser call setPlatform() (see src/web/platform.ts)');
  }
  return current;
}
