/** The step timer's view of a chip: this step's event lists and the layers' counters (no copies, no allocation per step). */
import type { Chip } from '../chip/chip.js';
import type { StepEvents, StepSource } from './step-timer.js';

export function chipSource(chip: Chip): StepSource {
  const ev: StepEvents = { buf: chip.k.mem.i32, off: 0, n: 0 };
  // Counter views made once: the kernels' memory never grows after the arena is allocated.
  const counters = chip.spec.layers.map((_, l) => chip.counters(l));
  return {
    host: chip.k,
    events(l: number): StepEvents {
      const e = chip.stepEvents(l);
      ev.buf = chip.k.mem.i32;
      ev.off = e.idx >>> 2;
      ev.n = e.n;
      return ev;
    },
    counters: (l: number) => counters[l],
  };
}
