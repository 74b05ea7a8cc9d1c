// TypeScript twin of assembly/synapse.ts: same operations, same order, f32 via Math.fround.
import { Mem, bump } from './memory.js';
import { SYN_EVENTS, SYN_READS, SYN_ACS, SYN_MACS } from './counters.js';

const fr = Math.fround;

export function gatherEvents(m: Mem, xPtr: number, n: number, idxPtr: number, valPtr: number): number {
  const x = xPtr >>> 2, ix = idxPtr >>> 2, vx = valPtr >>> 2;
  let k = 0;
  for (let j = 0; j < n; j++) {
    const v = m.f32[x + j];
    if (v !== 0) {
      m.i32[ix + k] = j;
      m.f32[vx + k] = v;
      k++;
    }
  }
  return k;
}

export function integrate(
  m: Mem, wtPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number,
  biasPtr: number, iPtr: number, cnt: number,
): void {
  const f32 = m.f32;
  const I = iPtr >>> 2, B = biasPtr >>> 2;
  dendriticSum(m, f32, mulF32, same, wtPtr, 0, nOut, idxPtr, valPtr, nEv, analog, iPtr);
  for (let i = 0; i < nOut; i++) f32[I + i] = fr(f32[I + i] + f32[B + i]);
  countIntegration(m, cnt, nEv, nOut, analog);
}

const mulF32 = (w: number, v: number): number => fr(w * v);
const same = (x: number): number => x;

/**
 * The dendritic sum (assembly/synapse.ts dendriticSum<T>) into `acc` at iPtr, in the arithmetic
 * of `acc`, which holds the weights too: m.f32 with mul = fr(w * v) and value = x (float chips),
 * or m.i32 with mul = Math.imul and value = the event's integer (fixed point; the stores wrap
 * like an i32 register). gainPtr: the synapses' f32 mismatch gains (each weight read is
 * fr(w * g)); 0: none.
 */
export function dendriticSum(
  m: Mem, acc: Float32Array | Int32Array, mul: (w: number, v: number) => number, value: (x: number) => number,
  wtPtr: number, gainPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number, iPtr: number,
): void {
  const I = iPtr >>> 2, f32 = m.f32;
  acc.fill(0, I, I + nOut);
  for (let e = 0; e < nEv; e++) {
    const off = m.i32[(idxPtr >>> 2) + e] * nOut;
    const row = (wtPtr >>> 2) + off, gain = (gainPtr >>> 2) + off;
    if (analog) {
      const v = value(f32[(valPtr >>> 2) + e]);
      for (let i = 0; i < nOut; i++) acc[I + i] = acc[I + i] + mul(gainPtr ? fr(acc[row + i] * f32[gain + i]) : acc[row + i], v);
    } else {
      for (let i = 0; i < nOut; i++) acc[I + i] = acc[I + i] + (gainPtr ? fr(acc[row + i] * f32[gain + i]) : acc[row + i]);
    }
  }
}

/** The counts of one integration: events delivered, weight reads, and ACs (spikes) or MACs (analog). */
export function countIntegration(m: Mem, cnt: number, nEv: number, nOut: number, analog: number): void {
  const ops = nEv * nOut;
  bump(m, cnt, SYN_EVENTS, nEv);
  bump(m, cnt, SYN_READS, ops);
  bump(m, cnt, analog ? SYN_MACS : SYN_ACS, ops);
}
