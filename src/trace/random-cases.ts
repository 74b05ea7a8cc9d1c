/**
 * Random golden cases (`ncsim cases`, docs/rtl.md): N valid `ncsim.case/1` documents drawn from
 * the documented ranges below, case k from the k-th fork of Rng(seed): fixed by (seed, k), so an RTL test bench or any
 * other implementation can replay them against ncsim's traces.
 *
 * Ranges (docs/rtl.md repeats them):
 * - 1..3 layers (readout rules: 1..2 spiking layers + a readout of 2..4 classes), 1..6 neurons
 *   each, 1..6 inputs, T = 1..16 steps;
 * - weights uniform in ±[0.1, 1.5] x a per-layer scale, biases uniform in ±0.2;
 * - threshold in [0.25, 1.5] (a per-layer array with probability 1/4); leak 1 (IF) with
 *   probability 1/3, else in [0.5, 1) (a per-layer array with probability 1/4);
 * - reset subtract / zero, delay 0 / 1 (as the rule needs); surrogate width in [0.2, 2], height
 *   unit / normalized;
 * - learning rate in [0.005, 0.1], warm-up 0..T/2, error exact / sign, updateAt step / sample
 *   (as the rule allows);
 * - input spikes (0/1, rate 0.2..0.8) or analog currents in [0, 1];
 * - targets are multiples of 1/256 in [0, 1] (an 8-bit target register: docs/rtl.md says why);
 * - with a hardware model (fixedPoint, ltl-online only): its number format (src/chip/device.ts
 *   deviceFor), the weight range of each layer its largest |w| x [1, 1.5], its counter width,
 *   and a chip seed.
 */
import type { RuleName } from '../model/types.js';
import type { HwModel } from '../cost/hwmodel.js';
import { Rng } from '../host/rng.js';
import { RULE_TABLE } from '../rules/table.js';
import { deviceFor } from '../chip/device.js';
import { CASE_FORMAT, CaseFixedPoint } from './case.js';

export type Pick3<T extends string> = T | 'any';

export interface RandomCaseOptions {
  rule: RuleName;
  /** Seed of the whole set: case k is drawn from the k-th fork of Rng(seed). */
  seed: number;
  /** A hardware model whose fixed-point format the cases use (ltl-online); absent: the f32 chip. */
  fixedPoint?: HwModel;
  error?: Pick3<'exact' | 'sign'>;
  updateAt?: Pick3<'step' | 'sample'>;
  input?: Pick3<'spikes' | 'analog'>;
}

/** JSON of one case (what `ncsim cases` writes). */
export type CaseJson = Record<string, unknown>;

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Case `index` of the set (0-based): the same options and index always give the same case. */
export function randomCase(o: RandomCaseOptions, index: number): CaseJson {
  const root = new Rng(o.seed);
  for (let k = 0; k < index; k++) root.nextU32();
  return drawCase(o, root.fork());
}

/** Cases 0, 1, 2, ... of the set, one after another (randomCase(o, k) is the k-th). */
export function* randomCaseStream(o: RandomCaseOptions): Generator<CaseJson> {
  const root = new Rng(o.seed);
  for (;;) yield drawCase(o, root.fork());
}

/** One case drawn from its own generator r. */
function drawCase(o: RandomCaseOptions, r: Rng): CaseJson {
  const info = RULE_TABLE[o.rule];
  const uni = (lo: number, hi: number): number => round6(lo + (hi - lo) * r.uniform());
  const coin = (p = 0.5): boolean => r.uniform() < p;
  const pickOf = <T extends string>(asked: Pick3<T> | undefined, all: readonly T[]): T => (asked && asked !== 'any' ? asked : all[r.int(all.length)]);

  const steps = 1 + r.int(16);
  const nInput = 1 + r.int(6);
  const nSpiking = info.readout ? 1 + r.int(2) : 1 + r.int(3);
  const sizes = Array.from({ length: nSpiking }, () => 1 + r.int(6));
  if (info.readout) sizes.push(2 + r.int(3));

  const neuron = {
    leak: coin(1 / 3) ? 1 : uni(0.5, 0.999),
    threshold: uni(0.25, 1.5),
    reset: info.needs.reset ?? (coin() ? 'subtract' : 'zero'),
    delay: info.needs.delay ?? r.int(2),
  };
  const layers = sizes.map((nOut, l) => {
    const nIn = l === 0 ? nInput : sizes[l - 1];
    const scale = uni(0.3, 1);
    const layer: CaseJson = {
      name: info.readout && l === sizes.length - 1 ? 'out' : `h${l + 1}`,
      weights: Array.from({ length: nOut }, () => Array.from({ length: nIn }, () => round6((coin() ? 1 : -1) * uni(0.1, 1.5) * scale))),
      bias: Array.from({ length: nOut }, () => uni(-0.2, 0.2)),
    };
    if (coin(0.25)) layer.threshold = Array.from({ length: nOut }, () => uni(0.25, 1.5));
    if (coin(0.25)) layer.leak = Array.from({ length: nOut }, () => (coin(1 / 3) ? 1 : uni(0.5, 0.999)));
    return layer;
  });
  const width = uni(0.2, 2);
  const rule: CaseJson = {
    name: o.rule,
    learningRate: uni(0.005, 0.1),
    warmup: r.int(Math.floor(steps / 2) + 1),
    error: pickOf(o.error, ['exact', 'sign'] as const),
    updateAt: info.caseUpdateAt.length > 1 ? pickOf(o.updateAt, ['step', 'sample'] as const) : info.caseUpdateAt[0],
  };
  const inputKind = pickOf(o.input, ['spikes', 'analog'] as const);
  const rate = uni(0.2, 0.8);
  const input = Array.from({ length: steps }, () => Array.from({ length: nInput }, () => (inputKind === 'spikes' ? (coin(rate) ? 1 : 0) : uni(0, 1))));

  const doc: CaseJson = {
    format: CASE_FORMAT,
    neuron,
    surrogate: { width, height: coin() ? 'unit' : 'normalized' },
    rule,
    layers,
  };
  doc.input = input;
  if (info.readout) {
    doc.label = r.int(sizes[sizes.length - 1]);
  } else {
    doc.targets = Object.fromEntries(layers.map((l, n) => [l.name as string, Array.from({ length: sizes[n] }, () => r.int(257) / 256)]));
  }
  if (o.fixedPoint) {
    const fp = deviceFor(o.fixedPoint, 0, { fixedPoint: 'model' }).fixedPoint!;
    const range = layers.map((l) => round6(Math.max(...(l.weights as number[][]).flat().map(Math.abs)) * uni(1, 1.5)));
    const f: CaseFixedPoint = {
      weightBits: fp.weightBits, stateBits: fp.stateBits, inputFractionBits: fp.inputFractionBits ?? 8,
      leak: fp.leak ?? 'multiply-shift', decayBits: fp.decayBits ?? 12, shiftRounding: fp.shiftRounding ?? 'floor',
      updateRounding: fp.updateRounding ?? 'stochastic', range, counterBits: o.fixedPoint.bits.accumulator.value, seed: r.int(2 ** 31),
      ...(fp.activationShift !== undefined ? { activationShift: fp.activationShift } : {}),
    };
    doc.fixedPoint = { model: o.fixedPoint.name, ...f };
  }
  return doc;
}

