/**
 * The library's training entry points, without Node: train() and trainAsync() take PARTIAL
 * options (every absent one is `ncsim train`'s default) and return the PRICED report, cost and
 * host/chip pipeline filled in on a hardware model, exactly as the CLI prints it. trainAsync
 * reports progress and can be cancelled with an AbortSignal, checked between samples. Node's
 * entry points (src/node/api.ts) add checkpoints and NIR files on top of these.
 */
import { trainSteps, drain, TRAIN_DEFAULTS, TrainOptions, TrainReport, Progress, TrainChecks, TrainWatch, RunHooks } from './train.js';
import { loadModel, HwModel } from '../cost/hwmodel.js';
import { mapWithPolicy, MapPolicy } from '../cost/mapping.js';
import { costRun } from '../cost/cost.js';
import { pipelineReport } from '../pipeline/params.js';
import type { Schedule } from '../pipeline/des.js';
import { InputError } from '../io/errors.js';
import { isPresetName, PRESET_NAMES, resolvePreset } from './presets.js';

/** How a run is priced: the `--hw`, `--mapping` and `--schedule` of `ncsim train`. */
export interface PriceOptions {
  /** A shipped model's name (`ncsim hw list`), a model file path, or a loaded model. */
  hw: string | HwModel;
  mapping: MapPolicy;
  schedule: Schedule;
}

export const PRICE_DEFAULTS: PriceOptions = { hw: 'loihi', mapping: 'spread', schedule: 'pipelined' };

/** What train() and trainAsync() accept: any subset of the training and pricing options. */
export type LibraryTrainOptions = Partial<TrainOptions & PriceOptions>;

/** A report whose cost and pipeline are always there. */
export type PricedTrainReport = TrainReport & Required<Pick<TrainReport, 'cost' | 'pipeline'>>;

export interface TrainAsyncHooks {
  /** Called as the run goes: teacher epochs, then every 200 training and 500 test samples. */
  onProgress?: (p: Progress) => void;
  /** Aborting it stops the run between two samples; the promise then rejects with an AbortError. */
  signal?: AbortSignal;
}

/** The run's and the pricing's option names (the train options without a default too). */
const RUN_KEYS = [...Object.keys(TRAIN_DEFAULTS), 'lr', 'updateAt', 'net', 'dt', 'teacher', 'preset', ...Object.keys(PRICE_DEFAULTS)];

/** Refuse an unknown option name (a typo would otherwise be silently ignored); `extra`: names a caller adds. */
export function checkOptionNames(partial: object, extra: readonly string[] = []): void {
  const known = new Set([...RUN_KEYS, ...extra]);
  for (const k of Object.keys(partial)) {
    if (!known.has(k)) throw new InputError(k, `one of ${[...known].join(', ')}`, undefined, { kind: 'train option', showGot: false });
  }
}

/**
 * The full options: defaults for what is absent, or the preset's values where it sets them (an
 * option given wins over the preset); an unknown name is refused.
 */
export function resolveTrainOptions(partial: LibraryTrainOptions = {}): { train: TrainOptions; price: PriceOptions } {
  checkOptionNames(partial);
  return resolveRunOptions(partial);
}

/** The kind of value of each option whose default is "auto". */
const AUTO_KINDS: Record<string, string> = { threads: 'number', teacherWorker: 'boolean' };

export function resolveRunOptions(partial: Partial<TrainOptions & PriceOptions>): { train: TrainOptions; price: PriceOptions } {
  const { hw, mapping, schedule, ...rest } = partial;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  // The kind of each value is the default's (the CLI's parser checks ranges and choices; the
  // library at least refuses a value of the wrong kind, e.g. epochs: "3").
  for (const [k, v] of Object.entries(defined)) {
    const d: unknown = (TRAIN_DEFAULTS as unknown as Record<string, unknown>)[k] ?? (k === 'lr' || k === 'dt' ? 0 : '');
    // An option whose default is "auto" takes "auto" or a value of its own kind.
    if (d === 'auto' && v === 'auto') continue;
    const kind = d === 'auto' ? AUTO_KINDS[k] : Array.isArray(d) ? 'array' : typeof d;
    if ((Array.isArray(v) ? 'array' : typeof v) !== kind || (kind === 'number' && !Number.isFinite(v))) {
      const what = kind === 'array' ? 'an array' : kind === 'number' ? 'a finite number' : `a ${kind}`;
      throw new InputError(k, d === 'auto' ? `${what} or "auto"` : what, v, { kind: 'train option' });
    }
  }
  if (defined.preset !== undefined && !isPresetName(defined.preset)) {
    throw new InputError('preset', `one of ${PRESET_NAMES.join(', ')}`, defined.preset, { kind: 'train option' });
  }
  return {
    train: resolvePreset({ ...TRAIN_DEFAULTS, ...defined } as TrainOptions, new Set(Object.keys(defined))),
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

/** A run of train(), not started: its steps (a generator pausing after every sample) and how its report is priced. */
export interface TrainRun {
  steps: Generator<void, TrainReport>;
  model: HwModel;
  price: PriceOptions & { hw: HwModel };
  /** The priced report of the finished steps. */
  priced(report: TrainReport): PricedTrainReport;
}

/** What a caller adds to a run: checks beyond the model's fit, hooks (checkpoints), a live view. */
export interface RunParts {
  /** Checks in place of the model's fit (which they should include: fitsChecks). */
  checks?: TrainChecks;
  hooks?: RunHooks;
  watch?: TrainWatch;
}

/**
 * The one path of train(), trainAsync(), Node's entry points and the playground's worker (which
 * drives the steps itself, between messages, with `watch` to see the chip): the model loaded (a
 * bad --hw is refused before minutes of simulation), every step timed on it.
 */
export function runOf(o: TrainOptions, price: PriceOptions, onProgress?: (p: Progress) => void, parts: RunParts = {}): TrainRun {
  const model = typeof price.hw === 'string' ? loadModel(price.hw) : price.hw;
  const checks = parts.checks ?? fitsChecks(model, price.mapping);
  const steps = trainSteps(o, onProgress, checks, { model, mapping: price.mapping }, parts.hooks, parts.watch);
  return { steps, model, price: { ...price, hw: model }, priced: (r) => priceReport(r, model, price.mapping, price.schedule) };
}

/** runOf() with the options resolved from a partial set. */
export function trainRun(options: LibraryTrainOptions = {}, onProgress?: (p: Progress) => void, watch?: TrainWatch): TrainRun {
  const { train: o, price } = resolveTrainOptions(options);
  return runOf(o, price, onProgress, watch ? { watch } : {});
}

/** Train on chip and price the run (synchronous). */
export function train(options: LibraryTrainOptions = {}, onProgress?: (p: Progress) => void): PricedTrainReport {
  const run = trainRun(options, onProgress);
  return run.priced(drain(run.steps));
}

/**
 * train(), without blocking the event loop for more than ~20 ms at a time (the host's teacher
 * training, before the first sample, is one block). Rejects with an AbortError when `signal`
 * aborts; the run's worker thread is closed either way.
 */
export async function trainAsync(options: LibraryTrainOptions = {}, hooks: TrainAsyncHooks = {}): Promise<PricedTrainReport> {
  hooks.signal?.throwIfAborted();
  const run = trainRun(options, hooks.onProgress);
  return run.priced(await driveAsync(run.steps, hooks.signal));
}

/**
 * Runs the steps, yielding to the event loop every ~20 ms; `signal` is checked between samples
 * unless the run notices it itself (`signalSeen`: a checkpointing run saves first).
 */
export async function driveAsync(steps: Generator<void, TrainReport>, signal?: AbortSignal, signalSeen = false): Promise<TrainReport> {
  await yieldToEventLoop();
  let last = performance.now();
  try {
    for (;;) {
      if (!signalSeen) signal?.throwIfAborted();
      const r = steps.next();
      if (r.done) return r.value;
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
export function fitsChecks(model: HwModel, mapping: MapPolicy): TrainChecks {
  return { beforeTeacher: (plan) => void mapWithPolicy(plan.layers, model, mapping) };
}

function yieldToEventLoop(): Promise<void> {
  // setImmediate is Node's; a browser (a Web Worker) has setTimeout.
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}
