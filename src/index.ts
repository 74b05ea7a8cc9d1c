/**
 * ncsim as a library in Node: build a chip, attach a learning rule, train, trace, read the
 * counters. The CLI (src/cli/main.ts) is a thin layer over these. Everything but Node's own
 * readers is the core (src/core.ts, importable in a browser); this entry installs Node's
 * platform (files, the wasm file, the MNIST package, worker threads) first.
 */
import './node/platform.js';

export * from './core.js';
export { loadEventFolder } from './host/events/folder.js';
export { nodePlatform, findWasmFile } from './node/platform.js';
