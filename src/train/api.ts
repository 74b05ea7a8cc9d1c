/**
 * The library's training entry points: train() and trainAsync() take PARTIAL options (every
 * absent one is `ncsim train`'s default) and return the PRICED report, cost and host/chip
 * pipeline filled in on a hardware model, exactly as the CLI prints it. trainAsync reports
 * progress and can be cancelled with an AbortSignal, checked between samples.
 */
import { trainSteps, drain, TRAIN_DEFAULTS, TrainOptions, TrainReport, Progress, TrainChecks, RunHooks, RunPosition } from './train.js';
import { Checkpoint, CheckpointWriter, DEFAULT_CHECKPOINT_EVERY, prepareCheckpointDir } from './checkpoint.js';
import { loadModel, HwModel } from '../cost/hwmodel.js';
import { mapWithPolicy, MapPolicy } from '../cost/mapping.js';
import { costRun } from '../cost/cost.js';
import { pipelineReport } from '../pipeline/params.js';
import type { Schedule } from '../pipeline/des.js';
import { InputError } from '../io/errors.js';
import { isNirPath, importNir } from '../net/nir.js';
import { checkNirExportable, nirOfChip, prepareNirExport } from '../net/nir-export.js';
import { planOutputs } from '../io/outputs.js';

/** How a run is priced: the `--hw`, `--mapping` and `--schedule` of `ncsim train`. */
export interface PriceOptions {
  /** A shipped model's name (`ncsim hw list`), a model file path, or a loaded model. */
  hw: string | HwModel;
  mapping: MapPolicy;
  schedule: Schedule;
}

export const PRICE_DEFAULTS: PriceOptions = { hw: 'loihi', mapping: 'spread', schedule: 'pipelined' };

/** Checkpoints of a run: `ncsim train --checkpoint DIR --checkpoint-every N --resume DIR` (docs/checkpoints.md). */
export interface CheckpointOptions {
  /** Folder the run saves its checkpoint in (made if absent; refused if it holds another run's). */
  checkpoint: string;
  /** Training samples between two checkpoints, besides every epoch's end (0: epoch ends only; default DEFAULT_CHECKPOINT_EVERY). */
  checkpointEvery: number;
  /**
   * Continue a saved run: its folder, or a loaded Checkpoint. Absent options are the
   * checkpoint's; given ones must equal them, except those that do not change results
   * (teacherWorker, backend, maxMemory, schedule) and a larger `epochs`. A folder given here is
   * also where the run goes on saving, unless `checkpoint` names another.
   */
  resume: string | Checkpoint;
}

/** What train() and trainAsync() accept: any subset of the training, pricing and checkpoint options. */
export type LibraryTrainOptions = Partial<TrainOptions & PriceOptions & CheckpointOptions>;

/** A report whose cost and pipeline are always there. */
export type PricedTrainReport = TrainReport & Required<Pick<TrainReport, 'cost' | 'pipeline'>>;

export interface TrainAsyncHooks {
  /** Called as the run goes: teacher epochs, then every 200 training and 500 test samples. */
  onProgress?: (p: Progress) => void;
  /** Aborting it stops the run between two samples; the promise then rejects with an AbortError. */
  signal?: AbortSignal;
  /**
   * Also write the network as trained on chip (after the last epoch) to this NIR file (docs/nir.md,
   * `--save-nir`): the path is checked before the run, the file written when it ends.
   */
  saveNir?: string;
}

const CHECKPOINT_KEYS = ['checkpoint', 'checkpointEvery', 'resume'];
const KNOWN = new Set([...Object.keys(TRAIN_DEFAULTS), 'lr', 'net', 'dt', 'teacher', ...Object.keys(PRICE_DEFAULTS), ...CHECKPOINT_KEYS]);

/** Where a run saves its checkpoints and what it resumes, resolved. */
export interface ResolvedCheckpoint {
  dir?: string;
  every: number;
  resume?: Checkpoint;
}

/**
 * The full options: defaults for what is absent (a resumed run: the checkpoint's); an unknown
 * name is refused (a typo would otherwise be silently ignored).
 */
export function resolveTrainOptions(partial: LibraryTrainOptions = {}): { train: TrainOptions; price: PriceOptions; checkpoint: ResolvedCheckpoint } {
  for (const k of Object.keys(partial)) {
    if (!KNOWN.has(k)) throw new InputError(k, `one of ${[...KNOWN].join(', ')}`, undefined, { kind: 'train option', showGot: false });
  }
  const { checkpoint, checkpointEvery, resume, ...runOptions } = partial;
  const resolved = resolveRunOptions(runOptions);
  if (checkpoint !== undefined && typeof checkpoint !== 'string') throw new InputError('checkpoint', 'a folder path', checkpoint, { kind: 'train option' });
  if (checkpointEvery !== undefined && !(Number.isSafeInteger(checkpointEvery) && checkpointEvery >= 0)) {
    throw new InputError('checkpointEvery', 'an integer >= 0 (training samples between two checkpoints; 0: at epoch ends only)', checkpointEvery, { kind: 'train option' });
  }
  if (resume === undefined) {
    if (checkpoint !== undefined) prepareCheckpointDir(checkpoint);
    return { ...resolved, checkpoint: { ...(checkpoint !== undefined ? { dir: checkpoint } : {}), every: checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY } };
  }
  // Resumed: the checkpoint's options, and the given ones checked against them.
  const ckpt = resume instanceof Checkpoint ? resume : Checkpoint.load(resume);
  const { hw, mapping, schedule, ...given } = runOptions;
  // A loaded model is compared by its digest once the run starts (Checkpoint.checkSession), a name or path here.
  const r = ckpt.resumeOptions(given, { ...(typeof hw === 'string' ? { hw } : {}), mapping, schedule });
  const dir = checkpoint ?? (typeof resume === 'string' ? resume : undefined);
  if (dir !== undefined) prepareCheckpointDir(dir, typeof resume === 'string' ? resume : ckpt.dir);
  const price: PriceOptions = r.price
    ? { hw: hw !== undefined && typeof hw !== 'string' ? hw : r.price.hw, mapping: r.price.mapping as MapPolicy, schedule: r.price.schedule as Schedule }
    : resolved.price;
  return { train: r.train, price, checkpoint: { ...(dir !== undefined ? { dir } : {}), every: checkpointEvery ?? ckpt.info.every, resume: ckpt } };
}

function resolveRunOptions(partial: Partial<TrainOptions & PriceOptions>): { train: TrainOptions; price: PriceOptions } {
  const { hw, mapping, schedule, ...rest } = partial;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  // The kind of each value is the default's (the CLI's parser checks ranges and choices; the
  // library at least refuses a value of the wrong kind, e.g. epochs: "3").
  for (const [k, v] of Object.entries(defined)) {
    const d: unknown = (TRAIN_DEFAULTS as unknown as Record<string, unknown>)[k] ?? (k === 'lr' || k === 'dt' ? 0 : '');
    const kind = Array.isArray(d) ? 'array' : typeof d;
    if ((Array.isArray(v) ? 'array' : typeof v) !== kind || (kind === 'number' && !Number.isFinite(v))) {
      throw new InputError(k, kind === 'array' ? 'an array' : kind === 'number' ? 'a finite number' : `a ${kind}`, v, { kind: 'train option' });
    }
  }
  return {
    train: { ...TRAIN_DEFAULTS, ...defined } as TrainOptions,
    price: { hw: hw ?? PRICE_DEFAULTS.hw, mapping: mapping ?? PRICE_DEFAULTS.mapping, schedule: schedule ?? PRICE_DEFAULTS.schedule },
  };
}

/** Fills in the report's cost (mapped onto the model's cores) and its host/link/chip pipeline. */
export function priceReport(report: TrainReport, model: HwModel, mapping: MapPolicy, schedule: Schedule): PricedTrainReport {
  const placed = mapWithPolicy(report.activity.layers, model, mapping);
  // The run's per-step timing (when it was timed on this model and mapping) prices latency; else the average model.
  report.cost = costRun(report.activity, model, placed, report.stepTiming?.phases);
  delete report.stepTiming;
  report.pipeline = pipelineReport(report.activity, report.cost, model, report.options.epochs, report.options.batch, schedule);
  return report as PricedTrainReport;
}

/** Train on chip and price the run (synchronous). */
export function train(options: LibraryTrainOptions = {}, onProgress?: (p: Progress) => void): PricedTrainReport {
  const { train: o, price, checkpoint } = resolveTrainOptions(options);
  // The model first: a bad --hw is refused before minutes of simulation.
  const model = typeof price.hw === 'string' ? loadModel(price.hw) : price.hw;
  const { checks, hooks } = checkpointing(o, price, model, checkpoint);
  return priceReport(drain(trainSteps(o, onProgress, checks, { model, mapping: price.mapping }, hooks)), model, price.mapping, price.schedule);
}

/**
 * The checks and hooks of a run that saves checkpoints or resumes one; `stopping` (an aborted
 * signal's reason) makes the run save at the next boundary and stop with it.
 */
export function checkpointing(o: TrainOptions, price: PriceOptions, model: HwModel, c: ResolvedCheckpoint, stopping?: (at: RunPosition) => unknown): { checks: TrainChecks; hooks: RunHooks } {
  const fits = fitsChecks(model, price.mapping);
  const resume = c.resume;
  const checks: TrainChecks = resume
    ? {
        beforeTeacher: (plan) => {
          resume.checkNetwork(plan.net);
          fits.beforeTeacher?.(plan);
        },
      }
    : fits;
  if (c.dir === undefined) return { checks, hooks: resume ? { resume: resume.runState(), ready: (s) => resume.checkSession(s, model) } : {} };
  const hw = typeof price.hw === 'string' ? price.hw : (price.hw.path ?? price.hw.name);
  const writer = new CheckpointWriter(c.dir, c.every, { options: o, price: { hw, mapping: price.mapping, schedule: price.schedule }, model, ...(stopping ? { stopping } : {}) });
  return { checks, hooks: writer.hooks(resume) };
}

/**
 * train(), without blocking the event loop for more than ~20 ms at a time (the host's teacher
 * training, before the first sample, is one block). Rejects with an AbortError when `signal`
 * aborts; the run's worker thread is closed either way.
 */
export async function trainAsync(options: LibraryTrainOptions = {}, hooks: TrainAsyncHooks = {}): Promise<PricedTrainReport> {
  const { signal, onProgress } = hooks;
  signal?.throwIfAborted();
  const { train: o, price, checkpoint } = resolveTrainOptions(options);
  const model = typeof price.hw === 'string' ? loadModel(price.hw) : price.hw;
  // A NIR graph as net is read here (h5wasm is asynchronous); train() needs importNir awaited first.
  if (o.net && isNirPath(o.net)) await importNir(o.net, { dt: o.dt });
  // --save-nir: the path and what NIR can express checked now; the chip's graph kept after the last epoch.
  const outputs = planOutputs([{ option: 'saveNir', path: hooks.saveNir }], o.net ? [o.net] : []);
  // Aborted while checkpointing: the run saves at the next sample boundary, then stops with the signal's reason.
  const run = checkpointing(o, price, model, checkpoint, signal && (() => (signal.aborted ? (signal.reason ?? new Error('aborted')) : undefined)));
  if (hooks.saveNir !== undefined) {
    checkNirExportable(o, 'saveNir');
    await prepareNirExport();
    run.checks.afterTraining = ({ net, chip }) => outputs.set('saveNir', nirOfChip(net, chip, o.dt));
  }
  await yieldToEventLoop();
  const steps = trainSteps(o, onProgress, run.checks, { model, mapping: price.mapping }, run.hooks);
  let last = performance.now();
  try {
    for (;;) {
      // A checkpointing run notices the abort itself, at its next boundary (after writing the checkpoint).
      if (!checkpoint.dir) signal?.throwIfAborted();
      const r = steps.next();
      if (r.done) {
        const report = priceReport(r.value, model, price.mapping, price.schedule);
        outputs.commit();
        return report;
      }
      if (performance.now() - last > 20) {
        await yieldToEventLoop();
        last = performance.now();
      }
    }
  } finally {
    // Runs the generator's own finally blocks (target stream, teacher worker) when stopped early.
    steps.return(undefined as never);
  }
}

/** Refuse a network the model cannot hold once it is known, before the teacher trains (exit 2 in the CLI). */
function fitsChecks(model: HwModel, mapping: MapPolicy): TrainChecks {
  return { beforeTeacher: (plan) => void mapWithPolicy(plan.layers, model, mapping) };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
