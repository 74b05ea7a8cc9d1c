/**
 * The shapes of the ANN teacher (teacher.ts), in a module of their own so that the f32 engine
 * (teacher-engine.ts), the f64 path kept for reproducing older runs (teacher-f64.ts, cnn-f64.ts)
 * and the public API (teacher.ts, cnn.ts) can all read them without importing each other.
 */
import type { ConvGeometry } from '../model/types.js';

/**
 * The teacher's arithmetic: 'f32' (the default) trains and infers with the wasm SIMD kernels of
 * assembly/teacher.ts; 'f64' is the earlier TypeScript path (f64 sums, f32 storage), kept so that
 * runs made before the f32 teacher can be reproduced bit for bit.
 */
export type TeacherPrecision = 'f32' | 'f64';

export interface TeacherLayer {
  nIn: number;
  nOut: number;
  /** nOut*nIn, row-major: W[i*nIn + j] connects input j to output i */
  weights: Float32Array;
  bias: Float32Array;
  /**
   * A convolution (cnn.ts, conv-forward.ts): weights K x C x kh x kw row-major, one bias per output channel,
   * activations channel-major. With `fixed`, an average pooling (no clip, never trained).
   */
  conv?: ConvGeometry;
  fixed?: boolean;
}

export interface Teacher {
  /** widths from input to output: [nIn, ...hidden, classes] */
  sizes: number[];
  /** upper bound c of the hidden layers' clipped ReLU */
  clip: number;
  layers: TeacherLayer[];
  /** the arithmetic of teacherForward on this teacher (absent: 'f32') */
  precision?: TeacherPrecision;
}

export interface TeacherOptions {
  hidden: number[];
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  /** clipped-ReLU bound c (default 1; Infinity gives a plain ReLU) */
  clip?: number;
  /** learning-rate schedule over all steps: 'cosine' (default) anneals to 0, 'constant' keeps it */
  schedule?: 'cosine' | 'constant';
  /**
   * data augmentation: each training sample is translated by a random (dx, dy) in
   * [-shift, shift]^2 pixels, zero fill (default 0 = none; needs square images)
   */
  shift?: number;
  /** output width (default 10) */
  classes?: number;
  /** 'f32' (default, wasm SIMD) or 'f64' (the earlier TypeScript teacher) */
  precision?: TeacherPrecision;
}

/** What a teacher's training loop reads of trainTeacher's / trainNetTeacher's options (checked there), f32 and f64 alike. */
export interface TeacherLoopOptions {
  epochs: number;
  learningRate: number;
  batchSize: number;
  schedule: 'cosine' | 'constant';
  /** random translation of the training images (MLP; 0 = none) and their width */
  shift: number;
  width: number;
}
