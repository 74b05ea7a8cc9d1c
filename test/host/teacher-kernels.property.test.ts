// The f32 teacher's wasm kernels (assembly/teacher.ts) against their TypeScript twins
// (src/reference/teacher.ts), bit for bit: both backends get an arena with the same random
// contents (many zeros and signed zeros, to reach the zero-skipping and sign-of-zero paths),
// run the same call, and must leave identical bytes. Then whole training runs, on each backend.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTeacherKernels, type TeacherKernels } from '../../src/host/teacher-kernels.js';
import { trainTeacherF32 } from '../../src/host/teacher-engine.js';
import { initMlpTeacher, initNetTeacher } from '../../src/host/teacher-init.js';
import { Rng } from '../../src/host/rng.js';
import { parseNet } from '../../src/net/file.js';
import type { Dataset } from '../../src/host/mnist.js';
import type { Teacher } from '../../src/host/teacher-types.js';

// Bounded values: no overflow to infinities, whose NaN differences (inf - inf) have no fixed bits.
const val = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(0, -0) },
  { weight: 5, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true, min: -4, max: 4 }) },
);

function pair(floats: number, contents: number[]) {
  const bytes = floats * 4;
  const ks = [createTeacherKernels('wasm', bytes), createTeacherKernels('ts', bytes)] as const;
  for (const k of ks) k.mem.f32.set(contents.slice(0, floats), k.base >>> 2);
  return {
    ks,
    run(fn: (k: TeacherKernels, at: (floatOffset: number) => number) => void) {
      for (const k of ks) fn(k, (o) => k.base + o * 4);
    },
    same() {
      const a = Buffer.from(ks[0].mem.f32.buffer, ks[0].base, bytes);
      const b = Buffer.from(ks[1].mem.f32.buffer, ks[1].base, bytes);
      expect(Buffer.compare(a, b)).toBe(0);
    },
  };
}

const ARENA = 1200;
const contents = fc.array(val, { minLength: ARENA, maxLength: ARENA });
const dim = (max: number) => fc.integer({ min: 1, max });

describe('teacher kernels: wasm equals the TypeScript twin bit for bit', () => {
  it('gemmNT (dot rule: lanes, combine, tail; every init mode, with and without the clipped ReLU)', () => {
    fc.assert(fc.property(
      dim(7), dim(9), fc.integer({ min: 0, max: 14 }), fc.nat(3), fc.nat(3), fc.nat(2), fc.integer({ min: 0, max: 3 }), fc.boolean(),
      fc.constantFrom(1, 0.75, Infinity), contents,
      (M, N, K, padA, padB, padC, init, act, clip, cells) => {
        const lda = K + padA, ldb = K + padB, ldc = N + padC;
        const A = 0, B = A + M * lda, C = B + N * ldb, bias = C + M * ldc;
        expect(bias + Math.max(M, N)).toBeLessThanOrEqual(ARENA);
        const p = pair(ARENA, cells);
        p.run((k, at) => k.gemmNT(at(A), lda, at(B), ldb, at(C), ldc, M, N, K, init, at(bias), act ? 1 : 0, clip));
        p.same();
      }), { numRuns: 300 });
  });

  it('gemmNN (blocks of 4 rows skipping zero terms, any strides of A, every init mode, clipped ReLU)', () => {
    fc.assert(fc.property(
      dim(9), dim(19), fc.integer({ min: 0, max: 9 }), fc.boolean(), fc.nat(2), fc.nat(2), fc.integer({ min: 0, max: 3 }), fc.boolean(),
      fc.constantFrom(1, 0.5, Infinity), contents,
      (M, N, K, transposed, padB, padC, init, act, clip, cells) => {
        // A read row-major (sam = K, sak = 1) or transposed (sam = 1, sak = M)
        const sam = transposed ? 1 : K, sak = transposed ? M : 1;
        const ldb = N + padB, ldc = N + padC;
        const A = 0, B = A + M * K, C = B + K * ldb, bias = C + M * ldc, pack = bias + Math.max(M, N);
        expect(pack + 5 * K).toBeLessThanOrEqual(ARENA);
        const p = pair(ARENA, cells);
        p.run((k, at) => k.gemmNN(at(A), sam, sak, at(B), ldb, at(C), ldc, M, N, K, init, at(bias), act ? 1 : 0, clip, at(pack)));
        // the pack scratch is the kernel's own business: compare all but it
        for (const k of p.ks) k.mem.f32.fill(0, (k.base >>> 2) + pack, (k.base >>> 2) + pack + 5 * K);
        p.same();
      }), { numRuns: 300 });
  });

  it('reluGradMask', () => {
    fc.assert(fc.property(dim(37), fc.constantFrom(1, 0.5, 2), contents, (n, clip, cells) => {
      const p = pair(2 * n, cells);
      p.run((k, at) => k.reluGradMask(at(0), at(n), n, clip));
      p.same();
    }));
  });

  it('adamStep', () => {
    const nonneg = fc.float({ noNaN: true, noDefaultInfinity: true, min: 0, max: 4 });
    fc.assert(fc.property(
      dim(23), fc.array(val, { minLength: 69, maxLength: 69 }), fc.array(nonneg, { minLength: 23, maxLength: 23 }),
      fc.constantFrom(1, 1 / 32, 0.3), fc.float({ noNaN: true, min: Math.fround(1e-5), max: Math.fround(0.1) }),
      (n, pgm, v, scale, lr) => {
        const cells = [...pgm.slice(0, 3 * n), ...v.slice(0, n)];
        const p = pair(4 * n, cells);
        p.run((k, at) => k.adamStep(at(0), at(n), at(2 * n), at(3 * n), n, scale, lr));
        p.same();
      }));
  });

  it('im2col and col2im (stride, padding, kernels wider than the image)', () => {
    fc.assert(fc.property(
      dim(3), dim(6), dim(6), dim(4), dim(4), dim(3), fc.nat(3), contents,
      (C, H, W, kh, kw, st, pad, cells) => {
        const OH = Math.floor((H + 2 * pad - kh) / st) + 1, OW = Math.floor((W + 2 * pad - kw) / st) + 1;
        fc.pre(OH >= 1 && OW >= 1);
        const X = 0, Q = C * H * W, D = Q + C * kh * kw * OH * OW;
        fc.pre(D + C * H * W <= ARENA);
        const p = pair(ARENA, cells);
        p.run((k, at) => k.im2col(at(X), C, H, W, kh, kw, st, pad, OH, OW, at(Q)));
        p.same();
        p.run((k, at) => k.col2im(at(Q), C, H, W, kh, kw, st, pad, OH, OW, at(D)));
        p.same();
        // im2col is a gather: spot-check one tap against the definition
        const k = p.ks[1], f = k.mem.f32, base = k.base >>> 2;
        const c = C - 1, dy = kh - 1, dx = 0, oy = OH - 1, ox = 0;
        const iy = oy * st + dy - pad, ix = ox * st + dx - pad;
        const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
        expect(f[base + Q + ((c * kh + dy) * kw + dx) * OH * OW + oy * OW + ox]).toBe(inside ? f[base + X + (c * H + iy) * W + ix] : 0);
      }), { numRuns: 300 });
  });
});

/** A small random data set of `size` values in [0, 1), 70 % of them 0 (like MNIST pixels). */
function toyData(n: number, size: number, classes: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const images = new Float32Array(n * size).map(() => (rng.uniform() < 0.7 ? 0 : rng.uniform()));
  const labels = new Uint8Array(n).map(() => rng.int(classes));
  return { n, size, images, labels };
}

function bytesOf(t: Teacher): Buffer {
  return Buffer.concat(t.layers.flatMap((l) => [Buffer.from(l.weights.buffer, l.weights.byteOffset, l.weights.byteLength), Buffer.from(l.bias.buffer, l.bias.byteOffset, l.bias.byteLength)]));
}

describe('the f32 teacher trains to the same bits on wasm and on the twins', () => {
  const loop = { epochs: 2, learningRate: 0.01, batchSize: 7, schedule: 'cosine' as const, shift: 0, width: 0 };

  it('MLP (a partial last batch, translations drawn from the same Rng)', () => {
    const data = toyData(23, 36, 4, 3);
    const run = (backend: 'wasm' | 'ts') => {
      const rng = new Rng(5);
      const t = initMlpTeacher([36, 9, 6, 4], 1, rng);
      const losses: number[] = [];
      trainTeacherF32(t, data, { ...loop, shift: 1, width: 6, backend }, rng, (_e, l) => losses.push(l));
      return { t, losses };
    };
    const a = run('wasm'), b = run('ts');
    expect(a.losses).toEqual(b.losses);
    expect(bytesOf(a.t).equals(bytesOf(b.t))).toBe(true);
    expect(bytesOf(a.t).equals(bytesOf(run('wasm').t))).toBe(true); // and again: a seed fixes the bits
  });

  it('CNN (strided padded conv, average pool, dense)', () => {
    const net = parseNet({
      format: 'ncsim.net/1', input: { channels: 2, height: 7, width: 7 },
      layers: [
        { type: 'conv', name: 'c', channels: 3, kernel: 3, stride: 2, padding: 1 },
        { type: 'conv', name: 'c2', channels: 5, kernel: 2, stride: 1, padding: 0 },
        { type: 'pool', name: 'p', kernel: 2 },
        { type: 'dense', name: 'h', units: 6 },
        { type: 'dense', name: 'out', units: 3 },
      ],
    });
    const data = toyData(15, 2 * 7 * 7, 3, 4);
    const run = (backend: 'wasm' | 'ts') => {
      const rng = new Rng(6);
      const t = initNetTeacher(net, rng);
      trainTeacherF32(t, data, { ...loop, backend }, rng);
      return t;
    };
    const a = run('wasm'), b = run('ts');
    expect(bytesOf(a).equals(bytesOf(b))).toBe(true);
    expect(bytesOf(a).equals(bytesOf(initNetTeacher(net, new Rng(6))))).toBe(false); // it did train
  });
});
