/**
 * The host's optimizer, shared by the MLP and CNN teachers: mini-batch Adam (β1 0.9, β2 0.999,
 * ε 1e-8) with the bias correction folded into the step size, and the learning rate
 * cosine-annealed to 0 over all steps (or constant). f64 moments, f32 parameters.
 */
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;

/** The bias-corrected step size of Adam step `step` (1-based) of `totalSteps`. */
export function adamStepSize(learningRate: number, schedule: 'cosine' | 'constant', step: number, totalSteps: number): number {
  const lr = schedule === 'cosine'
    ? learningRate * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / totalSteps))
    : learningRate;
  return (lr * Math.sqrt(1 - ADAM_BETA2 ** step)) / (1 - ADAM_BETA1 ** step);
}

/** One Adam step on p from the summed gradient g (times scale: 1 / batch size). */
export function adam(p: Float32Array, g: Float64Array, m: Float64Array, v: Float64Array, scale: number, lrHat: number): void {
  for (let k = 0; k < p.length; k++) {
    const gk = g[k] * scale;
    const mk = ADAM_BETA1 * m[k] + (1 - ADAM_BETA1) * gk;
    const vk = ADAM_BETA2 * v[k] + (1 - ADAM_BETA2) * gk * gk;
    m[k] = mk;
    v[k] = vk;
    p[k] -= (lrHat * mk) / (Math.sqrt(vk) + ADAM_EPSILON);
  }
}
