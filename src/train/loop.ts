/**
 * The training loop over one pass of samples, the one home of it: `ncsim train`'s epochs
 * (TrainSession.trainEpoch) and the pipeline bench (bench/pipeline.ts) both run it. For each
 * sample of `order`: take its layer targets from the stream (computed in-thread, or waited for
 * from the teacher's worker: src/stream/), encode its input, give the rule its supervision and
 * let the chip learn it, then score the chip's prediction.
 */
import type { Chip, ChipRule } from '../chip/chip.js';
import type { Encoding } from '../host/encoding.js';
import type { Rng } from '../host/rng.js';
import type { SampleSet } from '../net/data.js';
import type { TargetStream } from '../stream/target-stream.js';

export interface SampleLoop {
  chip: Chip;
  rule: ChipRule;
  /** The samples (their input over time and labels). */
  set: SampleSet;
  /** Sample indices in the order the stream was made with. */
  order: ArrayLike<number>;
  stream: Pick<TargetStream, 'next'>;
  /** Time steps T per sample. */
  steps: number;
  encoding: Encoding;
  /** The input encoder's generator (the session's encRng). */
  rng: Rng;
  /** Scratch for one sample's input, T x input size. */
  x: Float32Array;
  /** Called after each sample with its position in `order` and the pass's figures so far (progress, checkpoints). */
  onSample?: (s: number, sofar: SampleLoopResult) => void;
  /** Resume the pass after this many samples of `order`, with the figures it had then (a checkpoint's); absent: from the start. */
  start?: { sample: number } & SampleLoopResult;
  /** Called after every time step of every sample (the step timer, src/timing). */
  observe?: () => void;
  /** When given, receives the chip's prediction for each sample, in order (the bench compares runs). */
  predictions?: Int32Array;
}

export interface SampleLoopResult {
  /** Samples the chip predicted right while learning them. */
  correct: number;
  /** Wall time spent in stream.next(): computing targets (in-thread) or waiting for them (threaded), s. */
  targetSeconds: number;
}

export function trainSamples(o: SampleLoop): SampleLoopResult {
  const it = trainSampleSteps(o);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/** trainSamples, pausing after every sample (the library's async train yields to the event loop there). */
export function* trainSampleSteps(o: SampleLoop): Generator<void, SampleLoopResult> {
  const { chip, rule, set, order, stream, steps, x } = o;
  let correct = o.start?.correct ?? 0, waited = (o.start?.targetSeconds ?? 0) * 1000;
  for (let s = o.start?.sample ?? 0; s < order.length; s++) {
    const i = order[s];
    const t0 = performance.now();
    const targets = stream.next();
    waited += performance.now() - t0;
    set.frames(i, steps, o.encoding, o.rng, x);
    rule.setSample({ targets, label: set.labels[i] });
    chip.runSample(x, steps, true, o.observe);
    const predicted = chip.predict();
    if (o.predictions) o.predictions[s] = predicted;
    if (predicted === set.labels[i]) correct++;
    o.onSample?.(s, { correct, targetSeconds: waited / 1000 });
    yield;
  }
  return { correct, targetSeconds: waited / 1000 };
}
