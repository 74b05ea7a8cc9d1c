/**
 * The messages between the playground page (src/web/page.ts) and its Web Worker
 * (src/web/worker.ts), which runs the chip so that the page never freezes.
 */
import type { LibraryTrainOptions, PricedTrainReport } from '../train/api.js';

/** Page -> worker: train with these options (any subset of `ncsim train`'s, camelCase). Stop: the page ends the worker. */
export interface TrainRequest { type: 'train'; options: LibraryTrainOptions }

/** A few neurons of the chip on one test digit: what the page draws as a raster and a membrane trace. */
export interface Probe {
  /** Index of the digit in the test pool, its label and the chip's prediction. */
  index: number;
  label: number;
  predicted: number;
  /** The digit's 28 x 28 pixels as bytes (0..255). */
  image: number[];
  /** Per shown layer: its name, neurons shown, and for each step t = 1..T the shown neurons that spiked. */
  raster: { layer: string; neurons: number; spikes: number[][] }[];
  /** Membrane U[t] of a few neurons of the first layer, t = 1..T. */
  membrane: { layer: string; neuron: number; u: number[] }[];
  threshold: number;
}

/** The run's live figures, posted a few times a second. */
export interface LiveFigures {
  phase: 'teacher' | 'train' | 'test';
  epoch: number;
  done: number;
  total: number;
  /** Chip-loop samples per second of the current phase so far. */
  samplesPerSecond: number;
  /** Update events issued and what a dense rule would write, per layer, since training began. */
  layers: { name: string; issued: number; dense: number }[];
  /** The training so far priced on the chosen model (average timing model); absent before the first training sample. */
  cost?: { model: string; energyPerSamplePJ: number; latencyPerSampleS: number; cyclesPerStep: Record<string, number> };
  probe?: Probe;
}

export type WorkerMessage =
  | { type: 'started'; teacherAccuracy: number; network: string[]; trainSamples: number; testSamples: number }
  | { type: 'tested'; epoch: number; testAccuracy: number; trainAccuracy?: number }
  | { type: 'live'; live: LiveFigures }
  | { type: 'done'; report: PricedTrainReport; html: string; seconds: number; chipSamplesPerSecond: number }
  | { type: 'error'; message: string };
