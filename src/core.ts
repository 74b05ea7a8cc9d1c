/**
 * ncsim's core, without Node: the chip, its kernels, the rules, training, the cost model, the
 * hardware models, the HTML report. It imports no Node built-in (a test bundles it for a
 * browser), so a page or a Web Worker can run it: install a platform first (setPlatform; the
 * playground's is src/web/platform.ts), or pass the kernels' bytes with setWasmBytes. In Node,
 * import `ncsim` (src/index.ts), which installs Node's platform and exports all of this.
 */
export { setPlatform, platform } from './platform.js';
export type { Platform, MnistDigit, ImagePool } from './platform.js';
export { setTrainExtras } from './train/extras.js';
export type { TrainExtras } from './train/extras.js';
// The training run step by step (a page drives it between two messages), its session and pricing.
export { trainSteps, SPLIT_SEED } from './train/train.js';
export { parseHwModel } from './cost/hwmodel.js';
export { SHIPPED_MODEL_FILES } from './cost/shipped-models.js';
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
export { train, trainAsync, trainRun, runOf, resolveTrainOptions, priceReport, PRICE_DEFAULTS } from './train/api.js';
export type { LibraryTrainOptions, PriceOptions, PricedTrainReport, TrainAsyncHooks } from './train/api.js';
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
/** The teacher's own wasm kernels (ncsim-teacher.wasm), as setWasmBytes for the chip's. */
export { setTeacherWasmBytes } from './host/teacher-kernels.js';
export { percentile, calibrateNorms, targetsFor } from './host/targets.js';
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
export type { Net, NetParams, NetLayerParams } from './net/file.js';
export { probeNet } from './net/probe.js';
export { readEventFile } from './host/events/formats.js';
export { binEvents } from './host/events/frames.js';
export { learningMemoryCurves } from './rules/memory.js';
// The HTML report.
export { renderReport, renderCompare } from './report/html/render.js';
