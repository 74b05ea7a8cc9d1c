/**
 * What a run did, as counts only (the Accelergy / SANA-FE split): the network's shape and,
 * per phase of the run (training, inference on the test set), the action counts of every layer.
 * A run is costed on a hardware model from this record alone, so a saved run can be re-costed
 * on another model without simulating again (`ncsim cost RUN.json --hw OTHER`).
 */
import type { CounterValues } from '../chip/counters.js';
import type { ConvGeometry } from '../model/types.js';

export const ACTIVITY_SCHEMA = 'ncsim.activity/1';

export interface ActivityLayer {
  name: string;
  nIn: number;
  nOut: number;
  /** Non-spiking readout layer (STOP, BPTT). */
  readout: boolean;
  /** Layer 1 with direct (analog current) input: its synaptic ops are MACs, not ACs. */
  analogInput: boolean;
  /** Bytes of learning state the rule keeps for this layer (traces, stored states, accumulators). */
  learningStateBytes: number;
  /**
   * A convolution (optional; absent: dense): its geometry (src/reference/conv.ts), neurons
   * channel-major. Its weights are shared: `weights` = K*C*kh*kw stored values (depthwise:
   * C*kh*kw), not nIn*nOut, and a core holding some channels stores those channels' weights.
   */
  conv?: ConvGeometry;
  /** Stored weights (convolutions; dense layers store nIn*nOut). */
  weights?: number;
  /** Fixed weights (average pooling): no learning circuit. */
  fixed?: boolean;
}

export interface ActivityPhase {
  /** Samples simulated in this phase. */
  samples: number;
  /** Time steps simulated in this phase (samples x T). */
  steps: number;
  /** Whether the learning circuits ran. */
  learning: boolean;
  /** Counts per layer name. */
  counters: Record<string, CounterValues>;
}

export interface Activity {
  schema: typeof ACTIVITY_SCHEMA;
  rule: string;
  /** Time window T of one sample. */
  timeWindow: number;
  inputSize: number;
  layers: ActivityLayer[];
  /** Host side, per training sample: teacher inference FLOPs and bytes over the link. */
  host: { teacherFlopsPerSample: number; bytesToChipPerSample: number; bytesToHostPerSample: number };
  phases: { train: ActivityPhase; test: ActivityPhase };
  /** Training samples per epoch (for per-epoch figures). */
  samplesPerEpoch: number;
}
