/**
 * What a training run can do where Node runs it, and a browser cannot: run the ANN teacher a
 * batch ahead in a worker thread (same bits as in-thread), and read data sets from folders
 * (`--data idx:DIR`, `fashion-mnist`, `events:DIR`), NIR and ONNX files, the chip on several threads. Installed by src/node/platform.ts; without
 * them the teacher runs in-thread and only the built-in data (mnist, mnist-events) is there.
 */
import type { TargetProducer } from '../stream/in-thread.js';
import type { Teacher } from '../host/teacher.js';
import type { Dataset } from '../host/mnist.js';
import type { DataSource, EventSourceOptions } from '../net/data.js';
import type { Net } from '../net/file.js';
import type { LoadedOnnxTeacher } from '../host/onnx/load.js';
import type { Chip, ChipRule } from '../chip/chip.js';

export interface TrainExtras {
  /** A producer whose teacher runs in a worker thread. */
  threadedTargets?(o: { teacher: Teacher; data: Dataset }): TargetProducer;
  /** The data set `--data` names when it is not a built-in one; undefined: not a name this platform reads. */
  dataSource?(data: string, o: EventSourceOptions & { net?: Net }): DataSource | undefined;
  /** What `--data` accepts here besides the built-in data, for messages ("idx:FOLDER, ..."). */
  dataNames?: string;
  /** The network of a NIR file given as `--net` (read before the run: importNir), or undefined when the file is not NIR. */
  nirNet?(path: string, dt?: number): Net | undefined;
  /** The ONNX model file of `--teacher`, as ncsim's teacher. */
  onnxTeacher?(path: string): LoadedOnnxTeacher;
  /** The chip's samples run on `threads` threads from now on (`--threads`); close() ends them. */
  chipThreads?(chip: Chip, rule: ChipRule | undefined, threads: number): { close(): void };
  /** Cores this process may run on (`--threads auto`, `--teacher-worker auto`); absent: 1. */
  cores?: number;
}

let extras: TrainExtras = {};

export function setTrainExtras(e: TrainExtras): void {
  extras = e;
}

export function trainExtras(): TrainExtras {
  return extras;
}
