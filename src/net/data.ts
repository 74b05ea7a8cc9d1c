/**
 * What `ncsim train --data` feeds the chip and its teacher (issue 7):
 *
 *   mnist          the seeded MNIST split (host/mnist.ts); each image becomes T inputs by
 *                  --encoding (direct currents or rate spikes); the teacher sees the pixels.
 *   mnist-events   the same split, each digit turned into saccade events (host/events/saccade.ts,
 *                  N-MNIST-like) and binned into T frames of counts, which are the chip's input
 *                  x[t] (analog input currents: a count is the current of its step).
 *   events:FOLDER  a folder of event recordings (host/events/folder.ts), binned into T frames
 *                  (node/data-sources.ts: read where Node runs).
 *   idx:FOLDER     (node/data-sources.ts) the four IDX files of an image data set (host/idx.ts: MNIST, Fashion-MNIST,
 *                  ...), its own train/test split; encoded like mnist.
 *   fashion-mnist  idx: of Debian's dataset-fashion-mnist package (60,000 / 10,000 images).
 *
 * Event data and the teacher: the ANN teacher is trained (and gives its targets) on the
 * time-summed frames divided by T, (1/T)·Σ_t x[t]: the mean input current per step, which is
 * what the chip's first layer integrates on average, so that a teacher weight means the same
 * on both sides (the conversion start, --init teacher, relies on it) and the values stay on the
 * pixels' scale.
 *
 * Shapes: with a net file, the frames follow the net's input: for mnist-events the canvas is
 * the input's height (28: the digit fills it, or 34: N-MNIST's size) and the polarities are split
 * (2 channels: OFF, ON) or merged (1 channel); an events folder must give frames of the input's
 * shape. Without a net file the MLP takes the frames as they come (mnist-events: 2 x 34 x 34).
 *
 * Seeds: the MNIST split uses seed 0 whatever --seed is (train.ts); the saccade conversion uses
 * the fixed seeds 1 (train pool) and 2 (test pool) so that runs with different --seed see the
 * same events; a folder without train/ and test/ sub-folders is split 80/20 per label with seed 0.
 * Frames are kept sparse (index, count) per sample: the saccade digits have a few thousand
 * nonzero (step, pixel) entries, against 2 x 34 x 34 x T values dense.
 */
import { InputError } from '../io/errors.js';
import type { Dataset, MnistSplit } from '../host/mnist.js';
import { encode, Encoding } from '../host/encoding.js';
import { Rng } from '../host/rng.js';
import { digitEvents } from '../host/events/saccade.js';
import { binEvents, frameShape, type EventDataset } from '../host/events/frames.js';
import type { Shape3 } from './file.js';

/** The saccade conversion's seeds (fixed: every --seed sees the same events). */
export const EVENTS_SEED_TRAIN = 1;
export const EVENTS_SEED_TEST = 2;
/** Seed of the 80/20 split of an events folder without train/ and test/ sub-folders. */
export const FOLDER_SPLIT_SEED = 0;

/** One pool of samples: the teacher's static inputs and the chip's inputs over time. */
export interface SampleSet {
  n: number;
  labels: Uint8Array;
  /** The teacher's input per sample: the image, or (1/T)·Σ_t x[t] of event frames. */
  readonly static: Dataset;
  /** Fill out[0 .. T*size) with x[1..T] of sample i. */
  frames(i: number, steps: number, encoding: Encoding, rng: Rng, out: Float32Array): void;
}

export interface DataSource {
  /** 'mnist', 'mnist-events' or 'events:FOLDER'. */
  name: string;
  /** Shape of one step's input (C x H x W). */
  shape: Shape3;
  size: number;
  /** Frames of events (true) or images to encode (false). */
  events: boolean;
  train: SampleSet;
  test: SampleSet;
  /** Mean bytes of input sent to the chip per training sample (images: 4 B a pixel; events: 4 B per nonzero (step, pixel)). */
  inputBytesPerSample: number;
}

/** Images (MNIST, or an IDX folder's, of height x width pixels), encoded by --encoding. */
export function imageSource(split: MnistSplit, name = 'mnist', dims?: { height: number; width: number }): DataSource {
  const set = (d: Dataset): SampleSet => ({
    n: d.n, labels: d.labels, static: d,
    frames: (i, steps, enc, rng, out) => encode(d.images, i * d.size, d.size, steps, enc, rng, out),
  });
  const side = Math.round(Math.sqrt(split.train.size));
  const { height, width } = dims ?? { height: side, width: side };
  return {
    name, shape: { channels: 1, height, width }, size: split.train.size, events: false,
    train: set(split.train), test: set(split.test), inputBytesPerSample: 4 * split.train.size,
  };
}

/** Sparse T x size frames of many samples, with their time-averaged frame. */
export class SparseFrames implements SampleSet {
  readonly n: number;
  readonly labels: Uint8Array;
  readonly static: Dataset;
  private readonly start: Float64Array;
  private idx: Uint32Array;
  private val: Float32Array;
  private used = 0;

  constructor(n: number, readonly size: number, readonly steps: number, labels: Uint8Array) {
    this.n = n;
    this.labels = labels;
    this.start = new Float64Array(n + 1);
    this.idx = new Uint32Array(Math.max(1024, n * 256));
    this.val = new Float32Array(this.idx.length);
    this.static = { n, size, images: new Float32Array(n * size), labels };
  }

  /** Sample i's dense frames (T x size); samples are set in order 0, 1, ... */
  set(i: number, dense: Float32Array): void {
    const T = this.steps, size = this.size, avg = this.static.images, base = i * size;
    this.start[i] = this.used;
    for (let q = 0; q < T * size; q++) {
      const v = dense[q];
      if (v === 0) continue;
      if (this.used === this.idx.length) this.grow();
      this.idx[this.used] = q;
      this.val[this.used] = v;
      this.used++;
      avg[base + (q % size)] += v;
    }
    for (let j = 0; j < size; j++) avg[base + j] /= T;
    this.start[i + 1] = this.used;
  }

  private grow(): void {
    const idx = new Uint32Array(this.idx.length * 2);
    idx.set(this.idx);
    const val = new Float32Array(idx.length);
    val.set(this.val);
    this.idx = idx;
    this.val = val;
  }

  /** Nonzero (step, pixel) entries over all samples. */
  get entries(): number { return this.used; }

  frames(i: number, steps: number, _enc: Encoding, _rng: Rng, out: Float32Array): void {
    if (steps !== this.steps) throw new RangeError(`event frames were binned into ${this.steps} steps, not ${steps}`);
    out.fill(0, 0, steps * this.size);
    for (let e = this.start[i], end = this.start[i + 1]; e < end; e++) out[this.idx[e]] = this.val[e];
  }
}

/** Options of the event sources: T and, from a net file, the input shape the frames must have. */
export interface EventSourceOptions {
  steps: number;
  samples: number;
  testSamples: number;
  /** The net's input shape (absent: the default MLP takes the frames as they come). */
  input?: Shape3;
  /** The net file, for error messages. */
  netLabel?: string;
}

/**
 * MNIST digits as saccade events (mnistEvents of host/events/saccade.ts, sample for sample: the
 * same seeds, forks and binning), binned into T frames of counts over the saccades' 300 ms.
 */
export function mnistEventSource(split: MnistSplit, o: EventSourceOptions): DataSource {
  let canvas: 28 | 34 = 34;
  let polarity: 'split' | 'merge' = 'split';
  if (o.input) {
    const bad = (field: string, expected: string, got: unknown) => {
      throw new InputError(`input.${field}`, expected, got, { kind: netKind(o), note: '--data mnist-events' });
    };
    if (o.input.channels !== 1 && o.input.channels !== 2) bad('channels', '1 (polarities merged) or 2 (OFF, ON) for --data mnist-events', o.input.channels);
    if (o.input.height !== 28 && o.input.height !== 34) bad('height', '28 or 34 (the saccade canvas) for --data mnist-events', o.input.height);
    if (o.input.width !== o.input.height) bad('width', `${o.input.height} (the canvas is square)`, o.input.width);
    canvas = o.input.height as 28 | 34;
    polarity = o.input.channels === 2 ? 'split' : 'merge';
  }
  const shape = frameShape({ width: canvas, height: canvas, polarity });
  const T = o.steps;
  const convert = (d: Dataset, seed: number): SparseFrames => {
    const set = new SparseFrames(d.n, shape.size, T, d.labels);
    const dense = new Float32Array(T * shape.size);
    const rng = new Rng(seed);
    for (let i = 0; i < d.n; i++) {
      const { events } = digitEvents(d.images, i * d.size, { canvas }, rng.fork());
      binEvents(events, { steps: T, width: canvas, height: canvas, polarity, mode: 'count', window: [0, 300_000] }, dense);
      set.set(i, dense);
    }
    return set;
  };
  const train = convert(split.train, EVENTS_SEED_TRAIN);
  const test = convert(split.test, EVENTS_SEED_TEST);
  return {
    name: 'mnist-events', shape: { channels: shape.channels, height: shape.height, width: shape.width }, size: shape.size, events: true,
    train, test, inputBytesPerSample: train.n ? (4 * train.entries) / train.n : 0,
  };
}

/** What messages about a net file's field start with. */
export const netKind = (o: EventSourceOptions) => (o.netLabel ? `net ${o.netLabel} field` : 'net field');

/** Split 80/20 per label, seeded (as the MNIST split): the first round(80 %) of each label train. */
export function splitEvents(d: EventDataset): [EventDataset, EventDataset] {
  const rng = new Rng(FOLDER_SPLIT_SEED);
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < d.n; i++) {
    const l = d.labels[i];
    if (!byLabel.has(l)) byLabel.set(l, []);
    (byLabel.get(l) as number[]).push(i);
  }
  const tr: number[] = [], te: number[] = [];
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const idx = byLabel.get(label) as number[];
    rng.shuffle(idx);
    const k = idx.length === 1 ? 1 : Math.round(idx.length * 0.8);
    idx.forEach((i, r) => (r < k ? tr : te).push(i));
  }
  rng.shuffle(tr);
  rng.shuffle(te);
  const per = d.steps * d.size;
  const pick = (ids: number[]): EventDataset => {
    const frames = new Float32Array(ids.length * per);
    ids.forEach((i, r) => frames.set(d.frames.subarray(i * per, (i + 1) * per), r * per));
    return { ...d, n: ids.length, frames, labels: Uint8Array.from(ids.map((i) => d.labels[i])) };
  };
  return [pick(tr), pick(te)];
}
