/**
 * Model types that several layers share (the chip, the rules, the network files, the cost
 * model, the reports): one home for each, so that no layer imports another's internals for a
 * type. Types only; the values that go with them live beside their one user (conv geometry
 * arithmetic in src/reference/conv.ts, the rule table in src/rules/table.ts).
 */

/** Reset after a spike (ALGORITHMS §1): subtract the threshold, or set U to zero. */
export type Reset = 'subtract' | 'zero';

/** The learning rules by name (ALGORITHMS §6-§8); their properties are in src/rules/table.ts. */
export type RuleName = 'ltl-online' | 'ltl-offline' | 'stop-w' | 'stop-wtl' | 'bptt';

/** When a rule's weight changes land in synaptic memory: every time step, or once per sample. */
export type UpdateAt = 'step' | 'sample';

/** The papers' settings by name (`--preset`); their values are in src/train/presets.ts. */
export type PresetName = 'ltl-paper' | 'stop-paper';

/**
 * Initial weights of a chip's network: seeded random, the ANN teacher's rescaled, or those given
 * with the network (a NIR file's weights, biases, thresholds and leaks) (src/net/build.ts).
 */
export type Init = 'random' | 'teacher' | 'file';

/** The shape of a convolution (or of an average pooling: depthwise, fixed weights). */
export interface ConvGeometry {
  inChannels: number;
  inHeight: number;
  inWidth: number;
  /** Output channels K (depthwise: K = inChannels). */
  channels: number;
  height: number;
  width: number;
  kernelHeight: number;
  kernelWidth: number;
  stride: number;
  padding: number;
  /** Each output channel sees only its own input channel (average pooling). */
  depthwise: boolean;
}
