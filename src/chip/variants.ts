/**
 * The one place where a chip's variant is chosen, once, at construction: from the ChipSpec's
 * `device`, the circuits every later call goes through (src/chip/circuits.ts). A new variant
 * (another number format, another neuron model) is one more implementation and one more line
 * here; the engine and the rules do not change.
 */
import type { ChipCircuits } from './circuits.js';
import type { ChipSpec } from './spec.js';
import { IdealCircuits } from './ideal.js';
import { Device, isIdeal } from './device.js';
import { QuantizedDevice } from './quantized.js';
import { FixedPointDevice } from './fixed-point.js';
import { LoihiDevice } from './loihi.js';

/** The circuits of the chip `spec` describes, and its devices (null: the ideal chip, no device built). */
export function chooseCircuits(spec: ChipSpec): { circuits: ChipCircuits; device: Device | null } {
  const d = spec.device;
  // A spec whose every non-ideality is absent builds no device: the ideal chip, bit for bit.
  if (!d || isIdeal(d)) return { circuits: new IdealCircuits(spec), device: null };
  const device = d.fixedPoint
    ? (d.fixedPoint.neuron === 'loihi-cuba' ? new LoihiDevice(spec, d) : new FixedPointDevice(spec, d))
    : d.quantization ? new QuantizedDevice(spec, d) : new Device(spec, d);
  return { circuits: device, device };
}
