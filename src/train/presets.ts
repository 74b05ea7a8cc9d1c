/**
 * The papers' settings as presets (`ncsim train --preset NAME`): one table, each value with the
 * place it was taken from. A preset only fills options the caller left out: an option given
 * explicitly always wins (resolvePreset). What a chip cannot do as the paper's code does
 * (batched Adam, a non-spiking readout for LTL...) is listed in `deviations` and in
 * docs/presets.md; nothing here changes a rule's equations.
 */
import type { PresetName, RuleName } from '../model/types.js';
import type { TrainOptions } from './train.js';

export type { PresetName };

/** One preset value and where it comes from. */
export interface PresetValue<K extends keyof TrainOptions = keyof TrainOptions> {
  option: K;
  value: TrainOptions[K];
  /** Rules this value applies to (absent: every rule). */
  rules?: readonly RuleName[];
  source: string;
}

export interface Preset {
  description: string;
  values: readonly PresetValue[];
  /** Where the chip runs the paper's setting differently, and what ncsim does instead. */
  deviations: readonly string[];
}

// The LTL code's membrane decay, `decay = exp(-1 / tau)` with tau = 10, computed on the host
// (AssemblyScript's Math.exp may differ in the last bit).
const LTL_DECAY = Math.exp(-1 / 10);

const LTL_CODE = 'Aries231/Local_tandem_learning_rule';
const LTL_VGG = `${LTL_CODE} models/cifar10/vgg11.py`;
const LTL_ONLINE = `${LTL_CODE} examples(ann_to_snn)/online_LTL/cifar10_main_svgg11_online.py`;
const LTL_OFFLINE = `${LTL_CODE} examples(ann_to_snn)/offline_LTL/cifar10_main_svgg11_offline.py`;
const LTL_TRAIN = `${LTL_CODE} utils/classification.py`;

function v<K extends keyof TrainOptions>(option: K, value: TrainOptions[K], source: string, rules?: readonly RuleName[]): PresetValue {
  return (rules ? { option, value, source, rules } : { option, value, source }) as PresetValue;
}

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  'ltl-paper': {
    description: 'the official LTL code (Yang, Wu et al. 2022): LIF tau 10, zero reset, threshold 0.6, boxcar 0.4 x 1, T 16, warm-up 12, per-batch percentile 99 (offline 99.9)',
    values: [
      v('leak', LTL_DECAY, `${LTL_VGG}: tau = 10, decay = exp(-1/tau) (LTL Eq. 1: alpha = exp(-dt/tau_m))`),
      v('reset', 'zero', `${LTL_VGG}: mem = mem * decay * (1 - spike) + I`),
      v('threshold', 0.6, `${LTL_VGG}: thresh = 0.6`),
      v('width', 0.4, `${LTL_VGG}: the gradient passes where |U - thresh| < lens = 0.2, a window p = 0.4 (LTL Eq. 8)`),
      v('height', 'unit', `${LTL_VGG}: ActFun.backward multiplies the gradient by 1 inside the window`),
      v('steps', 16, `${LTL_ONLINE}: --Tencode 16`),
      v('warmup', 12, `${LTL_ONLINE}: --Twarm 12; ${LTL_TRAIN} sums the loss over t in range(Twarm, T), i.e. no update for t <= 12`, ['ltl-online']),
      v('percentile', 99, `${LTL_ONLINE}: p = 99 (LTL §2.2: the 99th or 99.9th percentile)`, ['ltl-online']),
      v('percentile', 99.9, `${LTL_OFFLINE}: p = 99.9`, ['ltl-offline']),
      v('normalization', 'batch', `${LTL_TRAIN}: scale = percentile(A, p) over each batch`),
      v('batch', 64, `${LTL_ONLINE}: --batch-size 64`),
    ],
    deviations: [
      'Adam (lr 1e-4) on batches of 64 in the code; the chip writes per-sample SGD updates (online LTL: at every step) with ncsim\'s learning rate, since a chip has no optimizer state per synapse.',
      'The code\'s output layer is a non-spiking readout trained with cross-entropy on the label; ncsim\'s LTL trains every layer, the output included, on its teacher target.',
      'The code predicts from the outputs after the warm-up (t > 12); ncsim predicts from the whole window.',
      'The code\'s teacher is a VGG with batch normalization, dropout and ReLU clipped at 2; ncsim\'s teacher is its own MLP or CNN.',
      'The code\'s milestone schedule (x0.2 every 5 epochs from epoch 10, 50 epochs) is not set; ncsim keeps --epochs and --lr-decay.',
    ],
  },
  'stop-paper': {
    description: 'what the STOP seed specifies (Gao et al. 2024): a leaky (LIF) start, so that STOP-WTL\'s leaks can move both ways',
    values: [
      v('leak', LTL_DECAY, 'STOP seed: leaks are learned with the weights and thresholds. From IF (alpha = 1, the clamp\'s upper bound) a leak can only go down; a leaky start lets it move both ways. The seed gives no value: ncsim takes tau = 10 as the LTL code does'),
      v('reset', 'subtract', 'STOP seed gives no reset; ncsim\'s STOP traces (ALGORITHMS §8) need the subtractive one'),
      v('steps', 16, 'STOP seed gives no window for MNIST; T = 16 as the LTL code, so that both presets are measured on one window'),
    ],
    deviations: [
      'The STOP seed available here is a summary: it states what is learned (weights, thresholds, leaks, forward in time) and the claims (accuracy, memory), not the hyper-parameters; every value not listed stays ncsim\'s default.',
      'Per-sample SGD; the seed does not say which optimizer or batch size.',
    ],
  },
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** Whether `name` is a preset of the table. */
export function isPresetName(name: unknown): name is PresetName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(PRESETS, name);
}

/** The values `preset` sets for `rule`, as options. */
export function presetValues(preset: PresetName, rule: RuleName): Partial<TrainOptions> {
  const out: Record<string, unknown> = {};
  for (const p of PRESETS[preset].values) {
    if (!p.rules || p.rules.includes(rule)) out[p.option] = p.value;
  }
  return out as Partial<TrainOptions>;
}

/**
 * `options` with the preset's values filled in wherever the option is not in `given` (the
 * options the caller set explicitly). No preset: `options` unchanged.
 */
export function resolvePreset(options: TrainOptions, given: ReadonlySet<string>): TrainOptions {
  if (!options.preset) return options;
  const values = presetValues(options.preset, options.rule);
  const out: Record<string, unknown> = { ...options };
  for (const [k, value] of Object.entries(values)) {
    if (!given.has(k)) out[k] = value;
  }
  return out as unknown as TrainOptions;
}

/** `--help` text: each preset and what it sets. */
export function presetHelp(): string {
  return PRESET_NAMES.map((n) => `${n}: ${PRESETS[n].description}`).join('; ');
}
