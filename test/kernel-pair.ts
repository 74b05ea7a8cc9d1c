/**
 * Two kernel arenas, wasm and the TypeScript twin, written with the same contents, for the
 * properties that hold them equal bit for bit (test/**\/kernels*.property.test.ts).
 */
import { expect } from 'vitest';
import { createKernels, type Kernels } from '../src/chip/kernels.js';

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
