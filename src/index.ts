/**
 * ncsim as a library: build a chip, attach a learning rule, train, trace, read the counters.
 * The CLI (src/cli/main.ts) is a thin layer over these.
 */
export { Chip } from './chip/chip.js';
export type { ChipSpec, LayerSpec, ChipRule, ChipShape } from './chip/chip.js';
export type { Reset, RuleName, ConvGeometry } from './model/types.js';
export { createKernels } from './chip/kernels.js';
export type { Backend, Kernels } from './chip/kernels.js';
export { setWasmBytes } from './chip/wasm.js';
export { COUNTERS, readCounters } from './chip/counters.js';
export { LtlOnline, LTL_ONLINE_DEFAULTS } from './rules/ltl-online.js';
export type { LtlOnlineOptions } from './rules/ltl-online.js';
// Training: partial options in, the priced report out (cost and pipeline filled in, as `ncsim train` prints).
export { train, trainAsync, resolveTrainOptions, priceReport, PRICE_DEFAULTS } from './train/api.js';
export type { LibraryTrainOptions, PriceOptions, PricedTrainReport, TrainAsyncHooks, CheckpointOptions } from './train/api.js';
// Checkpoints: train({ checkpoint: DIR }) saves the run; train({ resume: DIR or a loaded Checkpoint }) continues it bit for bit (docs/checkpoints.md).
export { Checkpoint, DEFAULT_CHECKPOINT_EVERY, RunInterrupted } from './train/checkpoint.js';
export type { CheckpointInfo } from './train/checkpoint.js';
export { TRAIN_DEFAULTS } from './train/train.js';
export type { TrainOptions, TrainReport, EpochReport, Progress } from './train/train.js';
export { parseCase, readCaseFile } from './trace/case.js';
export type { Case } from './trace/case.js';
export { runTrace, emptyWaveforms } from './trace/trace.js';
export type { Trace, Waveforms } from './trace/trace.js';
// Loihi's bit-accurate neuron: its cases, its trace, and waveforms (docs/loihi.md).
export { parseAnyCase, readAnyCaseFile } from './trace/case.js';
export type { LoihiCase } from './trace/loihi-case.js';
export { runLoihiTrace } from './trace/loihi-trace.js';
export type { LoihiTrace } from './trace/loihi-trace.js';
export { traceVcd } from './trace/vcd.js';
export { loadMnist } from './host/mnist.js';
export { trainTeacher, teacherForward, teacherAccuracy } from './host/teacher.js';
export type { Teacher, TeacherLayer, TeacherOptions, TeacherPrecision } from './host/teacher.js';
/** The teacher's own wasm kernels (dist/ncsim-teacher.wasm), as setWasmBytes for the chip's. */
export { setTeacherWasmBytes } from './host/teacher-kernels.js';
export { percentile, calibrateNorms, targetsFor } from './host/targets.js';
// ONNX teachers (docs/onnx.md): a model trained elsewhere as the host's teacher.
export { loadOnnxTeacher } from './host/onnx/load.js';
export type { LoadedOnnxTeacher, LoadOnnxOptions } from './host/onnx/load.js';
export { onnxTeacherFromBytes, ONNX_OPERATORS } from './host/onnx/convert.js';
export type { OnnxTeacher, OnnxLayer } from './host/onnx/convert.js';
export { alignOnnxTeacher } from './host/onnx/align.js';
export { Rng } from './host/rng.js';
export { InputError, NonFiniteError } from './io/errors.js';
export type { Activity } from './cost/activity.js';
export { createRule, usesReadout, adaptSpec, RULES } from './rules/index.js';
export type { RuleOptions } from './rules/index.js';
export { RULE_TABLE } from './rules/table.js';
export type { RuleInfo } from './rules/table.js';
export { LtlOffline } from './rules/ltl-offline.js';
export { Stop } from './rules/stop.js';
export type { StopVariant } from './rules/stop.js';
export { Bptt } from './rules/bptt.js';
// The training session (one epoch at a time, chips built from the run's network).
export { TrainSession } from './train/train.js';
// Cost: hardware models, mapping onto cores, cycles and energy.
export { loadModel, listModels } from './cost/hwmodel.js';
export type { HwModel } from './cost/hwmodel.js';
export { mapActivity, mapWithPolicy } from './cost/mapping.js';
export { costRun } from './cost/cost.js';
export type { CostReport } from './cost/cost.js';
// The host/link/chip pipeline.
export { simulatePipeline } from './pipeline/des.js';
export { pipelineReport } from './pipeline/params.js';
// Devices and the robustness study.
export { deviceFor } from './chip/device.js';
export type { DeviceSpec } from './chip/device.js';
export { runRobustness } from './robustness/robustness.js';
export type { RobustnessReport } from './robustness/robustness.js';
// Networks, data, learning memory.
export { parseNet, readNetFile } from './net/file.js';
export type { Net } from './net/file.js';
export { importNir, readNirGraph, nirToNet, loadedNir, NIR_DEFAULT_DT } from './net/nir.js';
export type { NirGraph, NirNode, NirOptions } from './net/nir.js';
export type { NetParams, NetLayerParams } from './net/file.js';
export { exportNir, nirGraphOf, nirFileBytes, prepareNirExport, trainedNet, NIR_EXPORT_VERSION } from './net/nir-export.js';
export type { TrainedNet, ChipParams } from './net/nir-export.js';
export { probeNet } from './net/probe.js';
export { readEventFile } from './host/events/formats.js';
export { binEvents } from './host/events/frames.js';
export { loadEventFolder } from './host/events/folder.js';
export { learningMemoryCurves } from './rules/memory.js';
// The HTML report.
export { renderReport, renderCompare } from './report/html/render.js';
