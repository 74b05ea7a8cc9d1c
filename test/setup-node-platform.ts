// The tests import src/ modules directly, as Node's entry points do: Node's platform first
// (files, the wasm file, the MNIST package, worker threads; src/node/platform.ts).
import '../src/node/platform.js';
