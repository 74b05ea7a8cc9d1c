/**
 * The f32 teacher's kernels behind one interface with two backends, as the chip's are
 * (src/chip/kernels.ts): the wasm SIMD kernels of assembly/teacher.ts (build/ncsim-teacher.wasm,
 * a module and memory of their own, apart from the chip's) and their TypeScript twins
 * (src/reference/teacher.ts). Both work on one arena with the same byte pointers, so a whole
 * training run can be made on either and the two compared bit for bit.
 */
import { platform } from '../platform.js';
import { instantiateSync } from '@assemblyscript/loader';
import { type Mem, viewsOf } from '../reference/memory.js';
import * as twin from '../reference/teacher.js';

export type TeacherBackend = 'wasm' | 'ts';

/** init modes of the products: the sum alone, added to C, or after a bias per column / per row. */
export const INIT_ZERO = 0;
export const INIT_ACC = 1;
export const INIT_BIAS_COL = 2;
export const INIT_BIAS_ROW = 3;

export interface TeacherKernels {
  readonly backend: TeacherBackend;
  /** Byte pointer of the arena's first byte (16-byte aligned). */
  readonly base: number;
  /** Views of the memory holding the arena (valid for the arena's lifetime: it never grows). */
  readonly mem: Mem;
  gemmNT(aPtr: number, lda: number, bPtr: number, ldb: number, cPtr: number, ldc: number, M: number, N: number, K: number, init: number, biasPtr: number, act: number, clip: number): void;
  gemmNN(aPtr: number, sam: number, sak: number, bPtr: number, ldb: number, cPtr: number, ldc: number, M: number, N: number, K: number, init: number, biasPtr: number, act: number, clip: number, packPtr: number): void;
  reluGradMask(dPtr: number, aPtr: number, n: number, clip: number): void;
  adamStep(pPtr: number, gPtr: number, mPtr: number, vPtr: number, n: number, scale: number, lrHat: number): void;
  im2col(xPtr: number, C: number, H: number, W: number, kh: number, kw: number, s: number, pad: number, OH: number, OW: number, colsPtr: number): void;
  col2im(colsPtr: number, C: number, H: number, W: number, kh: number, kw: number, s: number, pad: number, OH: number, OW: number, dxPtr: number): void;
}

interface TeacherExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  gemmNT: TeacherKernels['gemmNT'];
  gemmNN: TeacherKernels['gemmNN'];
  reluGradMask: TeacherKernels['reluGradMask'];
  adamStep: TeacherKernels['adamStep'];
  im2col: TeacherKernels['im2col'];
  col2im: TeacherKernels['col2im'];
}

let compiled: WebAssembly.Module | null = null;
let wasmBytes: Uint8Array | null = null;

/** Use these bytes instead of the platform's ncsim-teacher.wasm (browsers, bundlers); null: back to the file. */
export function setTeacherWasmBytes(bytes: Uint8Array | null): void {
  wasmBytes = bytes;
  compiled = null;
}

function teacherModule(): WebAssembly.Module {
  if (compiled) return compiled;
  // The platform's file (Node: next to the bundle or in build/; the playground: fetched with the page).
  const bytes = wasmBytes ?? platform().wasmBytes('ncsim-teacher.wasm');
  compiled = new WebAssembly.Module(bytes as BufferSource);
  return compiled;
}

/** An arena of `bytes` (zeroed) on the chosen backend, and its kernels. */
export function createTeacherKernels(backend: TeacherBackend, bytes: number): TeacherKernels {
  if (backend === 'wasm') {
    const ex = instantiateSync<Record<string, unknown>>(teacherModule(), {}).exports as unknown as TeacherExports;
    const base = Math.ceil(ex.alloc(bytes + 16) / 16) * 16;
    const mem = viewsOf(ex.memory.buffer);
    new Uint8Array(ex.memory.buffer, base, bytes).fill(0); // heap.alloc does not promise zeroed memory
    return {
      backend, base, mem,
      gemmNT: ex.gemmNT, gemmNN: ex.gemmNN, reluGradMask: ex.reluGradMask, adamStep: ex.adamStep, im2col: ex.im2col, col2im: ex.col2im,
    };
  }
  const base = 16;
  const m = viewsOf(new ArrayBuffer(base + Math.ceil(bytes / 16) * 16));
  return {
    backend, base, mem: m,
    gemmNT: (a, lda, b, ldb, c, ldc, M, N, K, init, bias, act, clip) => twin.gemmNT(m, a, lda, b, ldb, c, ldc, M, N, K, init, bias, act, clip),
    gemmNN: (a, sam, sak, b, ldb, c, ldc, M, N, K, init, bias, act, clip, pack) => twin.gemmNN(m, a, sam, sak, b, ldb, c, ldc, M, N, K, init, bias, act, clip, pack),
    reluGradMask: (d, a, n, clip) => twin.reluGradMask(m, d, a, n, clip),
    adamStep: (p, g, mo, v, n, scale, lr) => twin.adamStep(m, p, g, mo, v, n, scale, lr),
    im2col: (x, C, H, W, kh, kw, s, pad, OH, OW, cols) => twin.im2col(m, x, C, H, W, kh, kw, s, pad, OH, OW, cols),
    col2im: (cols, C, H, W, kh, kw, s, pad, OH, OW, dx) => twin.col2im(m, cols, C, H, W, kh, kw, s, pad, OH, OW, dx),
  };
}
