/**
 * Node's library entry points (what `import ... from "ncsim"` gives): the core's train() and
 * trainAsync() (src/train/api.ts) plus what needs files: checkpoints and resume
 * (docs/checkpoints.md), a NIR graph as `net` and `saveNir` (docs/nir.md).
 */
import type { TrainOptions, TrainChecks, RunHooks, RunPosition, Progress } from '../train/train.js';
import { drain } from '../train/train.js';
import {
  checkOptionNames, driveAsync, fitsChecks, resolveRunOptions, runOf,
  type LibraryTrainOptions as CoreTrainOptions, type PriceOptions, type PricedTrainReport, type TrainAsyncHooks as CoreAsyncHooks,
} from '../train/api.js';
import { Checkpoint, CheckpointWriter, DEFAULT_CHECKPOINT_EVERY, prepareCheckpointDir } from '../train/checkpoint.js';
import { loadModel, type HwModel } from '../cost/hwmodel.js';
import type { MapPolicy } from '../cost/mapping.js';
import type { Schedule } from '../pipeline/des.js';
import { InputError } from '../io/errors.js';
import { isNirPath, importNir } from '../net/nir.js';
import { checkNirExportable, nirOfChip, prepareNirExport } from '../net/nir-export.js';
import { planOutputs } from '../io/outputs.js';

export { priceReport, PRICE_DEFAULTS } from '../train/api.js';
export type { PriceOptions, PricedTrainReport } from '../train/api.js';

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
export type LibraryTrainOptions = CoreTrainOptions & Partial<CheckpointOptions>;

export interface TrainAsyncHooks extends CoreAsyncHooks {
  /**
   * Also write the network as trained on chip (after the last epoch) to this NIR file (docs/nir.md,
   * `--save-nir`): the path is checked before the run, the file written when it ends.
   */
  saveNir?: string;
}

const CHECKPOINT_KEYS = ['checkpoint', 'checkpointEvery', 'resume'];

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
  checkOptionNames(partial, CHECKPOINT_KEYS);
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

/** Train on chip and price the run (synchronous). A NIR `net` must have been read with importNir first (it is asynchronous). */
export function train(options: LibraryTrainOptions = {}, onProgress?: (p: Progress) => void): PricedTrainReport {
  const { train: o, price, checkpoint } = resolveTrainOptions(options);
  // The model first: a bad --hw is refused before minutes of simulation.
  const model = typeof price.hw === 'string' ? loadModel(price.hw) : price.hw;
  const run = runOf(o, { ...price, hw: model }, onProgress, checkpointing(o, price, model, checkpoint));
  return run.priced(drain(run.steps));
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
 * aborts (a checkpointing run saves at the next sample first); the run's worker thread is
 * closed either way.
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
  if (hooks.saveNir !== undefined) {
    checkNirExportable(o, 'saveNir');
    await prepareNirExport();
  }
  // Aborted while checkpointing: the run saves at the next sample boundary, then stops with the signal's reason.
  const parts = checkpointing(o, price, model, checkpoint, signal && (() => (signal.aborted ? (signal.reason ?? new Error('aborted')) : undefined)));
  if (hooks.saveNir !== undefined) parts.checks.afterTraining = ({ net, chip }) => outputs.set('saveNir', nirOfChip(net, chip, o.dt));
  const run = runOf(o, { ...price, hw: model }, onProgress, parts);
  const report = run.priced(await driveAsync(run.steps, signal, checkpoint.dir !== undefined));
  outputs.commit();
  return report;
}
