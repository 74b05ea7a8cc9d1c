/**
 * Two kernel arenas, wasm and the TypeScript twin, written with the same contents, for the
 * properties that hold them equal bit for bit (test/**\/kernels*.property.test.ts).
 */
import { expect } from 'vitest';
import fc from 'fast-check';
import { createKernels, type Kernels } from '../src/chip/kernels.js';

/** Bytes of a kernel's counter block at the end of a test arena (room for every counter slot, f64). */
export const CNT_BYTES = 8 * 24;

/** Offsets of consecutive 16-byte aligned blocks: layout([n0, n1, ...]) in 4-byte words, the counter block after them. */
export function layout(words: number[]): { at: number[]; bytes: number } {
  const at: number[] = [];
  let next = 0;
  for (const w of words) {
    at.push(next);
    next += Math.ceil(Math.max(w, 1) * 4 / 16) * 16;
  }
  return { at, bytes: next + CNT_BYTES };
}

/** The kernel properties' value generators: f32 values in a small range, positive, in (0, 1]; vectors of n, sparse ones about 2/3 zero. */
export const small = fc.float({ noNaN: true, noDefaultInfinity: true, min: -4, max: 4 });
export const positive = fc.float({ min: Math.fround(0.05), max: 3, noNaN: true });
export const unit = fc.float({ min: Math.fround(0.01), max: 1, noNaN: true });
export const vec = (a: fc.Arbitrary<number>, n: number) => fc.array(a, { minLength: n, maxLength: n });
export const sparse = (a: fc.Arbitrary<number>, n: number) => vec(fc.oneof(fc.constant(0), fc.constant(0), a), n);

export function pair(bytes: number) {
  const ks = [createKernels('wasm', bytes), createKernels('ts', bytes)] as const;
  return {
    ks,
    f32(off: number, v: ArrayLike<number>) { for (const k of ks) k.mem.f32.set(Array.from(v), (k.base + off) >>> 2); },
    i32(off: number, v: ArrayLike<number>) { for (const k of ks) k.mem.i32.set(Array.from(v), (k.base + off) >>> 2); },
    u32(off: number, v: ArrayLike<number>) { for (const k of ks) k.mem.u32.set(Array.from(v), (k.base + off) >>> 2); },
    /** The two arenas hold the same bytes. */
    same() {
      const a = new Uint8Array(ks[0].mem.f32.buffer, ks[0].base, bytes);
      const b = new Uint8Array(ks[1].mem.f32.buffer, ks[1].base, bytes);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    },
    /** Both backends' return values agree. */
    call<T>(fn: (k: Kernels, at: (o: number) => number) => T): T {
      const r = ks.map((k) => fn(k, (o) => k.base + o));
      expect(r[0]).toEqual(r[1]);
      return r[0];
    },
  };
}
