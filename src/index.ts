/**
 * ncsim as a library in Node: build a chip, attach a learning rule, train, trace, read the
 * counters. The CLI (src/cli/main.ts) is a thin layer over these. Everything but Node's own
 * readers is the core (src/core.ts, importable in a browser); this entry installs Node's
 * platform (files, the wasm file, the MNIST package, worker threads) first.
 */
import './node/platform.js';

export * from './core.js';
// Node's training entry points: the core's plus checkpoints and NIR files (src/node/api.ts).
export { train, trainAsync, resolveTrainOptions, checkpointing } from './node/api.js';
export type { LibraryTrainOptions, TrainAsyncHooks, CheckpointOptions } from './node/api.js';
// Checkpoints: train({ checkpoint: DIR }) saves the run; train({ resume: DIR or a loaded Checkpoint }) continues it bit for bit (docs/checkpoints.md).
export { Checkpoint, DEFAULT_CHECKPOINT_EVERY, RunInterrupted } from './train/checkpoint.js';
export type { CheckpointInfo } from './train/checkpoint.js';
// ONNX teachers (docs/onnx.md): a model file trained elsewhere as the host's teacher.
export { loadOnnxTeacher } from './host/onnx/load.js';
export type { LoadedOnnxTeacher, LoadOnnxOptions } from './host/onnx/load.js';
export { onnxTeacherFromBytes, ONNX_OPERATORS } from './host/onnx/convert.js';
export type { OnnxTeacher, OnnxLayer } from './host/onnx/convert.js';
export { alignOnnxTeacher } from './host/onnx/align.js';
// NIR graphs in and out (docs/nir.md).
export { importNir, readNirGraph, nirToNet, loadedNir, NIR_DEFAULT_DT } from './net/nir.js';
export type { NirGraph, NirNode, NirOptions } from './net/nir.js';
export { exportNir, nirGraphOf, nirFileBytes, prepareNirExport, trainedNet, NIR_EXPORT_VERSION } from './net/nir-export.js';
export type { TrainedNet, ChipParams } from './net/nir-export.js';
export { loadEventFolder } from './host/events/folder.js';
export { nodePlatform, findWasmFile } from './node/platform.js';
