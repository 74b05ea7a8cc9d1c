/**
 * Every command and option of the CLI, declared once: the tables drive parsing, `--help` and
 * the option tables of docs/cli.md (`node dist/cli.js docs --readme docs/cli.md`).
 */
import type { CommandSpec } from './options.js';
import { TRAIN_DEFAULTS as D } from '../train/train.js';
import { MAX_THREADS } from '../chip/thread-plan.js';
import { RULES, RULE_TABLE, rulesUpdatingAt, updateAtFor } from '../rules/table.js';
import { PRESET_NAMES, presetHelp } from '../train/presets.js';
import { REPORT, COMPARE } from './report-commands.js';
import { ROBUSTNESS } from './robustness-command.js';
import { NET } from './net-command.js';
import { NIR_DEFAULT_DT } from '../net/nir.js';

export const TRAIN: CommandSpec = {
  name: 'train',
  summary: 'Train an SNN on chip with a local learning rule on built-in MNIST and print the report',
  usage: 'ncsim train [options]',
  options: [
    { name: 'rule', type: 'enum', choices: [...RULES], default: D.rule, description: 'learning rule run by the chip (stop-*, bptt: spiking layers + a readout trained on the label)' },
    { name: 'preset', type: 'enum', choices: [...PRESET_NAMES], description: `the papers' settings (docs/presets.md); every option given explicitly wins over the preset: ${presetHelp()}` },
    { name: 'epochs', type: 'int', min: 0, max: 1000, default: D.epochs, description: 'passes over the training digits' },
    { name: 'samples', type: 'int', min: 1, default: D.samples, description: 'training samples used (mnist: a seeded split of the 10,000 digits of the mnist package; idx:/fashion-mnist: the first N of the training file)' },
    { name: 'test-samples', type: 'int', min: 1, default: D.testSamples, description: 'held-out test samples (idx:/fashion-mnist: the first N of the data set\'s own test file)' },
    { name: 'steps', type: 'int', min: 1, max: 10000, default: D.steps, description: 'time window T (time steps per sample)' },
    { name: 'warmup', type: 'int', min: 0, default: D.warmup, description: 'online LTL warm-up: no update for t <= warmup' },
    { name: 'error', type: 'enum', choices: ['exact', 'sign'], default: D.error, description: 'learning circuit error: exact (multiplier) or sign() with a 1-bit boxcar gate' },
    { name: 'update-at', type: 'enum', choices: ['step', 'sample'], description: `${rulesUpdatingAt('step').join(', ')}: when weight updates land in synaptic memory, every step or once per sample (default: ${RULES.map((r) => `${r} ${updateAtFor(r)}`).join(', ')}; stop-*: "step" keeps no gradient accumulators, docs/results.md); the other rules refuse "step"` },
    { name: 'lr', type: 'number', min: 0, max: 10, description: `learning rate eta of the chip (default per rule: ${RULES.map((r) => `${r} ${RULE_TABLE[r].learningRate}`).join(', ')})` },
    { name: 'lr-decay', type: 'number', min: 0, max: 1, default: D.lrDecay, description: 'learning rate of epoch e is lr * lr-decay^(e-1)' },
    { name: 'hidden', type: 'list', min: 1, max: 100000, default: D.hidden, description: 'hidden layer sizes (teacher and SNN), comma-separated' },
    { name: 'net', type: 'string', valueName: 'file', description: 'network description file (ncsim.net/1: conv, pool and dense layers; see nets/README.md), or a NIR graph (.nir, docs/nir.md); replaces --hidden' },
    { name: 'dt', type: 'number', min: 1e-9, max: 10, default: NIR_DEFAULT_DT, description: 'a NIR file\'s time step (s): LIF leak 1 - dt/tau, input gain r*dt/tau (docs/nir.md)' },
    { name: 'data', type: 'string', valueName: 'source', default: D.data, description: 'mnist (images, encoded by --encoding), mnist-events (seeded saccade events binned into --steps frames), events:FOLDER (event recordings), idx:FOLDER (the four IDX files of an image data set, gzipped or not) or fashion-mnist (Debian\'s dataset-fashion-mnist, 60,000 / 10,000 images); event frames are input currents and the teacher sees them summed over time / T' },
    { name: 'encoding', type: 'enum', choices: ['direct', 'rate'], default: D.encoding, description: 'input: analog currents (direct) or Bernoulli rate spikes' },
    { name: 'seed', type: 'int', min: 0, max: 4294967295, default: D.seed, description: 'seed of everything (split, teacher, chip, spikes)' },
    { name: 'seeds', type: 'list', min: 0, max: 4294967295, description: 'run once per seed, one after the other with the same options, and report the mean and standard deviation of every accuracy and headline figure (a multi-seed report, ncsim.train-seeds; replaces --seed)' },
    { name: 'threshold', type: 'number', min: 1e-6, max: 1e6, default: D.threshold, description: 'firing threshold' },
    { name: 'leak', type: 'number', min: 1e-6, max: 1, default: D.leak, description: 'membrane leak alpha (1 = IF)' },
    { name: 'reset', type: 'enum', choices: ['subtract', 'zero'], default: D.reset, description: 'reset after a spike' },
    { name: 'delay', type: 'int', min: 0, max: 1, default: D.delay, description: 'synaptic delay d in steps' },
    { name: 'width', type: 'number', min: 1e-6, max: 1e6, default: D.width, description: 'boxcar surrogate window p' },
    { name: 'height', type: 'enum', choices: ['unit', 'normalized'], default: D.height, description: 'boxcar height: 1 or 1/p' },
    { name: 'percentile', type: 'number', min: 0, max: 100, default: D.percentile, description: 'percentile q of the target normalization' },
    { name: 'normalization', type: 'enum', choices: ['calibration', 'batch'], default: D.normalization, description: 'y_norm over a calibration set, or per batch' },
    { name: 'batch', type: 'int', min: 1, default: D.batch, description: 'batch size of the per-batch normalization' },
    { name: 'init', type: 'enum', choices: ['random', 'teacher', 'file'], default: D.init, description: 'initial chip weights: seeded random, the teacher rescaled (conversion start), or those of the NIR file given as --net with its thresholds, leaks and reset (docs/nir.md)' },
    { name: 'teacher-worker', type: 'boolean', words: ['auto'], default: D.teacherWorker, description: 'run the teacher in a worker thread a batch ahead of the chip (same results bit for bit); auto: when a core is left for it beside the chip\'s threads' },
    { name: 'init-gain', type: 'number', min: 0, max: 1000, default: D.initGain, description: 'scale of the random initial weights' },
    { name: 'teacher', type: 'string', valueName: 'model.onnx', description: 'use this ONNX model (e.g. from torch.onnx.export) as the teacher instead of training one: Gemm, MatMul, Add, Conv, Relu, Clip, AveragePool, Flatten, Reshape (and the Pad, Shape, Gather, Unsqueeze, Concat and Constant nodes PyTorch writes around them); its layers must be the network\'s (docs/onnx.md)' },
    { name: 'teacher-epochs', type: 'int', min: 1, max: 1000, default: D.teacherEpochs, description: 'epochs of host training of the ANN teacher' },
    { name: 'teacher-lr', type: 'number', min: 0, max: 10, default: D.teacherLr, description: 'teacher learning rate (Adam)' },
    { name: 'teacher-precision', type: 'enum', choices: ['f32', 'f64'], default: D.teacherPrecision, description: "teacher arithmetic: f32 (wasm SIMD kernels) or f64 (the earlier TypeScript teacher, to reproduce runs made before it)" },
    { name: 'backend', type: 'enum', choices: ['wasm', 'ts'], default: D.backend, description: 'kernels: wasm, or the TypeScript twin' },
    { name: 'threads', type: 'int', min: 1, max: MAX_THREADS, words: ['auto'], default: D.threads, description: 'threads the chip is simulated on, each a slice of every layer\'s neurons (same results bit for bit); > 1: online LTL on dense layers of the ideal chip only; auto: a thread per 128 neurons of the widest layer, up to the cores, where that runs (else 1) (docs/speed.md, "Threads")' },
    { name: 'mismatch', type: 'number', min: 0, max: 10, default: D.mismatch, description: 'non-ideal chip: sigma of the device mismatch of synapse and neuron gains, drawn from --hw and --seed (0: the ideal chip; `ncsim robustness` studies levels)' },
    { name: 'max-memory', type: 'number', min: 0.001, max: 1e6, valueName: 'GB', description: "memory budget in GB: a run whose chip, learning state, teacher and data need more is refused before anything is allocated or trained (default: half of this machine's memory)" },
    { name: 'hw', type: 'string', valueName: 'model', default: 'loihi', description: 'hardware model that prices the run: a name from `ncsim hw list` or a model file path' },
    { name: 'mapping', type: 'enum', choices: ['spread', 'pack', 'layer-per-core'], default: 'spread', description: 'placement of layers on cores: spread work over the cores (falls back to pack when it does not fit), pack into the fewest cores, or one layer per core' },
    { name: 'schedule', type: 'enum', choices: ['pipelined', 'sequential', 'hil'], default: 'pipelined', description: 'host/chip schedule to report first; all three are simulated side by side' },
    { name: 'json', type: 'boolean', default: false, description: 'print the report as one JSON document instead of a table' },
    { name: 'out', type: 'string', valueName: 'path', description: 'also write the JSON report to this file' },
    { name: 'report', type: 'string', valueName: 'path', description: 'also write a self-contained HTML report with charts' },
    { name: 'stats', type: 'string', valueName: 'path', description: 'also write the cost figures as stats.txt lines (name value # description (unit))' },
    { name: 'accelergy', type: 'string', valueName: 'path', description: "also write the action counts in Accelergy's action_counts YAML shape" },
    { name: 'save-nir', type: 'string', valueName: 'path', description: 'also write the network as trained on chip (after the last epoch) as a NIR graph (HDF5, nir.write\'s layout; docs/nir.md): `ncsim net` and `train --net FILE --init file` read it back to the same predictions' },
    { name: 'quiet', type: 'boolean', default: false, description: 'no progress bar' },
    { name: 'checkpoint', type: 'string', valueName: 'DIR', description: 'save the run in this folder (made if absent) every --checkpoint-every samples and at every epoch\'s end; on SIGINT/SIGTERM save at the next sample and exit 130/143 (docs/checkpoints.md)' },
    { name: 'checkpoint-every', type: 'int', min: 0, valueName: 'N', description: 'training samples between two checkpoints, besides every epoch\'s end; 0: epoch ends only (default 2000; a resumed run: its checkpoint\'s)' },
    { name: 'resume', type: 'string', valueName: 'DIR', description: 'continue the run saved in this folder, bit for bit; absent options are the checkpoint\'s, options that change results must equal them (more --epochs allowed); goes on saving there unless --checkpoint names another folder' },
  ],
};

export const COST: CommandSpec = {
  name: 'cost',
  summary: 'Re-cost a saved run (a train report or an activity record) on a hardware model, without simulating again',
  usage: 'ncsim cost RUN.json [--hw MODEL] [--json] [--out FILE] [--stats FILE] [--accelergy FILE]',
  positionals: [{ name: 'RUN.json', description: 'a report written by `ncsim train --out`, or an ncsim.activity/1 record', required: true }],
  options: [
    { name: 'hw', type: 'string', valueName: 'model', default: 'loihi', description: 'hardware model: a name from `ncsim hw list` or a model file path' },
    { name: 'mapping', type: 'enum', choices: ['spread', 'pack', 'layer-per-core'], default: 'spread', description: 'placement of layers on cores: spread work over the cores (falls back to pack when it does not fit), pack into the fewest cores, or one layer per core' },
    { name: 'json', type: 'boolean', default: false, description: 'print the cost report as JSON instead of a table' },
    { name: 'out', type: 'string', valueName: 'path', description: 'also write the JSON cost report to this file' },
    { name: 'stats', type: 'string', valueName: 'path', description: 'also write the stats.txt lines' },
    { name: 'accelergy', type: 'string', valueName: 'path', description: "also write Accelergy's action_counts YAML" },
  ],
};

export const HW: CommandSpec = {
  name: 'hw',
  summary: 'List the shipped hardware models, or show one with every number and its source',
  usage: 'ncsim hw list | ncsim hw show MODEL',
  positionals: [
    { name: 'ACTION', description: '"list" or "show"', required: true },
    { name: 'MODEL', description: 'a model name or file (for show)', required: false },
  ],
  options: [],
};

export const TRACE: CommandSpec = {
  name: 'trace',
  summary: 'Replay a golden case (ncsim.case/1) step by step and write its trace (ncsim.trace/1)',
  usage: 'ncsim trace CASE.json [--out TRACE.json] [--vcd WAVES.vcd] [--backend wasm|ts]',
  positionals: [{ name: 'CASE.json', description: 'the case file', required: true }],
  options: [
    { name: 'out', type: 'string', valueName: 'path', description: 'write the trace here ("-" or absent: stdout)' },
    { name: 'vcd', type: 'string', valueName: 'path', description: 'also write the trace as a VCD waveform file (GTKWave): spikes, membrane, current, weights' },
    { name: 'backend', type: 'enum', choices: ['wasm', 'ts'], default: 'wasm', description: 'kernels: wasm, or the TypeScript twin' },
  ],
};

export const COMMANDS: CommandSpec[] = [TRAIN, TRACE, COST, HW, NET, REPORT, COMPARE, ROBUSTNESS];
