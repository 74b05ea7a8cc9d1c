/**
 * Shared-memory protocol between the target stream (main thread, target-stream.ts) and the
 * teacher worker (targets-worker.ts). Everything that crosses threads per sample lives in
 * SharedArrayBuffers and is synchronised with Atomics (sequentially consistent, so the slot
 * values written before `HEAD` is stored are visible to whoever loads that `HEAD`).
 *
 * Worker life (one per producer): Int32Array [STATE, ERROR_LENGTH, 0, 0] then ERROR_BYTES of
 * UTF-8 text (the last error). STATE: STARTING -> READY, and EXITED / FAILED when the worker
 * thread ends (its process 'exit' handler writes them, then wakes the pass being produced).
 *
 * A pass (one stream: one order of samples): Int32Array [HEAD, TAIL, STOP, STATUS] and a ring of
 * `slotCount` slots, each Σ_l nOut_l float32 (the layer targets of one sample, layer after
 * layer). The worker writes sample p into slot p % slotCount once p - TAIL < slotCount, then
 * stores HEAD = p + 1 and notifies HEAD; the consumer copies slot (TAIL % slotCount) out, stores
 * TAIL + 1 and notifies TAIL. STOP = 1 asks the worker to abandon the pass.
 */

export const LIFE_STATE = 0;
export const LIFE_ERROR_LENGTH = 1;
export const LIFE_WORDS = 4;
export const ERROR_BYTES = 4096;

export const WORKER_STARTING = 0;
export const WORKER_READY = 1;
export const WORKER_EXITED = 2;
export const WORKER_FAILED = 3;

export const HEAD = 0;
export const TAIL = 1;
export const STOP = 2;
export const STATUS = 3;
export const PASS_WORDS = 4;

export const PASS_QUEUED = 0;
export const PASS_RUNNING = 1;
export const PASS_DONE = 2;
export const PASS_FAILED = 3;
export const PASS_STOPPED = 4;

/** Faults the worker can be asked to simulate at a given order position (tests only). */
export interface InjectedFault {
  /** order position at which the fault happens, before that sample's targets are written */
  at: number;
  /** 'throw': an exception in the pass; 'exit': the worker thread exits (process.exit(1)); 'hang': it stops producing until the pass is stopped */
  kind: 'throw' | 'exit' | 'hang';
}

/** Per-batch normalization (train.ts's `normalization: 'batch'`): norms recomputed at every multiple of `batch`. */
export interface BatchNormSpec {
  /** samples per batch: at order positions 0, batch, 2·batch, ... */
  batch: number;
  /** percentile q of batchNorms */
  percentile: number;
}

export interface WorkerTeacherLayer {
  nIn: number;
  nOut: number;
  weights: Float32Array;
  bias: Float32Array;
}

/** `workerData` of the teacher worker: sent once, at start. */
export interface WorkerInit {
  teacher: { sizes: number[]; clip: number; layers: WorkerTeacherLayer[] };
  /** n*size values, backed by a SharedArrayBuffer (shared, not copied) */
  images: Float32Array;
  n: number;
  size: number;
  life: SharedArrayBuffer;
}

/** Message that starts a pass; passes run one after the other, in the order sent. */
export interface PassMessage {
  ctrl: SharedArrayBuffer;
  slots: SharedArrayBuffer;
  slotCount: number;
  /** Int32Array of `length` sample indices, SharedArrayBuffer-backed */
  order: Int32Array;
  norms?: number[];
  batchNorms?: BatchNormSpec;
  fault?: InjectedFault;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes `text` (cut to ERROR_BYTES) into the life buffer's error area. */
export function writeError(life: SharedArrayBuffer, text: string): void {
  const words = new Int32Array(life, 0, LIFE_WORDS);
  const bytes = new Uint8Array(life, LIFE_WORDS * 4, ERROR_BYTES);
  const { written } = encoder.encodeInto(text, bytes);
  Atomics.store(words, LIFE_ERROR_LENGTH, written ?? 0);
}

export function readError(life: SharedArrayBuffer): string {
  const words = new Int32Array(life, 0, LIFE_WORDS);
  const len = Atomics.load(words, LIFE_ERROR_LENGTH);
  // copy out of shared memory: TextDecoder does not take views on a SharedArrayBuffer
  const bytes = new Uint8Array(len);
  bytes.set(new Uint8Array(life, LIFE_WORDS * 4, len));
  return decoder.decode(bytes);
}

export function lifeBytes(): number {
  return LIFE_WORDS * 4 + ERROR_BYTES;
}

/** Offsets (in float32) of each layer's targets inside a slot, and the slot's width. */
export function slotLayout(widths: number[]): { offsets: number[]; width: number } {
  const offsets: number[] = [];
  let width = 0;
  for (const w of widths) {
    offsets.push(width);
    width += w;
  }
  return { offsets, width };
}
