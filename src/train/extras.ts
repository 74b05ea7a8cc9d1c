/**
 * What a training run can do where Node runs it, and a browser cannot: run the ANN teacher a
 * batch ahead in a worker thread (same bits as in-thread), and read data sets from folders
 * (`--data idx:DIR`, `fashion-mnist`, `events:DIR`). Installed by src/node/platform.ts; without
 * them the teacher runs in-thread and only the built-in data (mnist, mnist-events) is there.
 */
import type { TargetProducer } from '../stream/in-thread.js';
import type { Teacher } from '../host/teacher.js';
import type { Dataset } from '../host/mnist.js';
import type { DataSource, EventSourceOptions } from '../net/data.js';
import type { Net } from '../net/file.js';

export interface TrainExtras {
  /** A producer whose teacher runs in a worker thread. */
  threadedTargets?(o: { teacher: Teacher; data: Dataset }): TargetProducer;
  /** The data set `--data` names when it is not a built-in one; undefined: not a name this platform reads. */
  dataSource?(data: string, o: EventSourceOptions & { net?: Net }): DataSource | undefined;
  /** What `--data` accepts here besides the built-in data, for messages ("idx:FOLDER, ..."). */
  dataNames?: string;
}

let extras: TrainExtras = {};

export function setTrainExtras(e: TrainExtras): void {
  extras = e;
}

export function trainExtras(): TrainExtras {
  return extras;
}
