/**
 * Stops a run whose numbers become non-finite, naming the layer, the value, the sample and the
 * step, instead of training on to a silent below-chance result (exit status 3, NonFiniteError).
 * The chip's membrane potentials are checked after every sample (nOut values a layer: cheap next
 * to the synaptic work), its weights after every epoch, the teacher's weights once trained.
 */
import type { Chip } from '../chip/chip.js';
import { weightCount } from '../chip/chip.js';
import type { Teacher } from '../host/teacher.js';
import { NonFiniteError } from '../io/errors.js';

function firstNonFinite(v: ArrayLike<number>): number {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return i;
  return -1;
}

/** Fixed-point chips keep integers in these buffers (and saturate): there is nothing to check. */
function holdsFloats(chip: Chip): boolean {
  return !chip.spec.device?.fixedPoint;
}

/** After a sample: every layer's membrane potentials (and the readout's sums) must be finite. */
export function checkChipState(chip: Chip, where: { phase: 'train' | 'test'; epoch: number; sample: number; steps: number }, hint: string): void {
  if (!holdsFloats(chip)) return;
  const layers = chip.spec.layers;
  for (let n = 0; n < layers.length; n++) {
    const u = chip.f32(chip.layers[n].u, layers[n].nOut);
    const i = firstNonFinite(u);
    if (i >= 0) {
      throw new NonFiniteError(`layer "${layers[n].name}": membrane potential of neuron ${i} is ${u[i]} at step ${where.steps} of ${where.phase} sample ${where.sample} of epoch ${where.epoch} (${hint})`);
    }
  }
  const j = firstNonFinite(chip.readoutSum);
  if (j >= 0) {
    throw new NonFiniteError(`layer "${layers[layers.length - 1].name}": readout sum of unit ${j} is ${chip.readoutSum[j]} after ${where.phase} sample ${where.sample} of epoch ${where.epoch} (${hint})`);
  }
}

/** After an epoch of learning: every weight must be finite. */
export function checkChipWeights(chip: Chip, epoch: number, samples: number, hint: string): void {
  if (!holdsFloats(chip)) return;
  chip.parallel?.settle();
  chip.spec.layers.forEach((l, n) => {
    const w = chip.f32(chip.layers[n].wt, weightCount(l));
    const i = firstNonFinite(w);
    if (i >= 0) throw new NonFiniteError(`layer "${l.name}": weight ${i} is ${w[i]} after the ${samples} samples of epoch ${epoch} (${hint})`);
  });
}

/** Once the teacher is trained: a diverged teacher (NaN weights) cannot give targets. */
export function checkTeacher(teacher: Teacher, hint: string): void {
  teacher.layers.forEach((l, n) => {
    const i = firstNonFinite(l.weights);
    const b = firstNonFinite(l.bias);
    if (i >= 0 || b >= 0) {
      const what = i >= 0 ? `weight ${i} is ${l.weights[i]}` : `bias ${b} is ${l.bias[b]}`;
      throw new NonFiniteError(`teacher layer ${n + 1}: ${what} after training: the ANN teacher diverged (${hint})`);
    }
  });
}
