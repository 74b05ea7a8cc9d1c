// Every gradient rule on a convolution equals the same rule on the equivalent dense network: a
// conv layer expanded into its dense matrix (W_dense[(k,oy,ox), (c,iy,ix)] = W[k,c,dy,dx] where
// an offset connects them, 0 elsewhere; one bias per neuron copied from its channel), pooling
// likewise with its fixed weights. The conv chip's shared-weight gradient must equal the dense
// chip's gradient summed over the entries that share each weight, its channel bias gradient the
// sum over the channel's neurons; layers above, thresholds and leaks must match directly. The
// dense rules are checked against independent models in test/rules/gradients.test.ts.
// Dyadic numbers (weights k/8, biases k/32, inputs k/4, α and ϑ in {1, 1/2}) make both forward
// passes exact, so both chips see the same spikes and gates; gradients are compared to a
// tolerance (f32 sums in different orders).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Chip, ChipSpec, LayerSpec } from '../../src/chip/chip.js';
import { Backend } from '../../src/chip/kernels.js';
import type { ConvGeometry } from '../../src/model/types.js';
import { convOutSize, convWeightCount } from '../../src/reference/conv.js';
import { LtlOffline } from '../../src/rules/ltl-offline.js';
import { Bptt } from '../../src/rules/bptt.js';
import { Stop } from '../../src/rules/stop.js';
import { GradientRule, GradientBufs } from '../../src/rules/common.js';
import { connections } from './connections.js';

const F = (a: ArrayLike<number>) => Float32Array.from(a);

/** The dense layer equivalent to a conv layer (paper orientation, nOut x nIn; bias per neuron). */
function expand(l: LayerSpec): LayerSpec {
  const g = l.conv as ConvGeometry, P = g.height * g.width;
  const w = new Float32Array(l.nOut * l.nIn);
  for (const e of connections(g)) w[e.i * l.nIn + e.j] = l.weights[e.paper];
  const bias = Float32Array.from({ length: l.nOut }, (_, i) => l.bias[Math.floor(i / P)]);
  const { conv: _c, ...rest } = l;
  return { ...rest, weights: w, bias };
}

/** A dense gradient (fan-out major, nIn x nOut) summed into the conv layer's stored shared weights, and per channel. */
function fold(g: ConvGeometry, dW: Float32Array, dB: Float32Array, nOut: number): { w: number[]; b: number[] } {
  const w = new Array(convWeightCount(g)).fill(0);
  for (const e of connections(g)) w[e.stored] += dW[e.j * nOut + e.i];
  const P = g.height * g.width, b = new Array(g.channels).fill(0);
  for (let i = 0; i < nOut; i++) b[Math.floor(i / P)] += dB[i];
  return { w, b };
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel = 1e-5): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let scale = 1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, 1 + Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `${what}[${i}]: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(rel * scale);
}

interface Gen {
  c: number; h: number; w: number; k: number; kh: number; kw: number; stride: number; pad: number;
  pool: boolean; conv2: boolean; k2: number; classes: number; T: number;
  ws: number[]; xs: number[]; alpha: number[]; th: number[]; label: number; spikeInput: boolean;
  reset: 'subtract' | 'zero'; d: 0 | 1; width: number; height: 'unit' | 'normalized'; backend: Backend;
}

const genArb = (o: { stop: boolean }) => fc.record({
  c: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 3, max: 6 }), w: fc.integer({ min: 3, max: 6 }),
  k: fc.integer({ min: 1, max: 3 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }),
  pool: fc.boolean(), conv2: fc.boolean(), k2: fc.integer({ min: 1, max: 2 }), classes: fc.integer({ min: 2, max: 3 }),
  T: fc.integer({ min: 1, max: 5 }),
  ws: fc.array(fc.integer({ min: -12, max: 12 }), { minLength: 97, maxLength: 97 }),
  xs: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 61, maxLength: 61 }),
  alpha: fc.array(fc.constantFrom(1, 0.5), { minLength: 4, maxLength: 4 }),
  th: fc.array(fc.constantFrom(1, 0.5), { minLength: 13, maxLength: 13 }),
  label: fc.nat(), spikeInput: fc.boolean(),
  reset: o.stop ? fc.constant('subtract' as const) : fc.constantFrom('subtract' as const, 'zero' as const),
  d: o.stop ? fc.constant(0 as const) : fc.constantFrom(0 as const, 1 as const),
  width: fc.constantFrom(0.5, 1, 2), height: fc.constantFrom('unit' as const, 'normalized' as const),
  backend: fc.constantFrom('wasm' as const, 'ts' as const),
});

/** conv -> [pool 2] -> [conv 2x2, pad 1 or 0] -> dense (readout or spiking), as a conv chip spec and its dense equivalent. */
function build(gen: Gen, readout: boolean, perNeuronThreshold: boolean) {
  let q = 0;
  const wv = () => gen.ws[q++ % gen.ws.length] / 8;
  const bv = () => gen.ws[q++ % gen.ws.length] / 32;
  const layers: LayerSpec[] = [];
  let shape = { c: gen.c, h: gen.h, w: gen.w };
  const neuron = (n: number, nOut: number) => ({
    threshold: perNeuronThreshold ? F(Array.from({ length: nOut }, (_, i) => gen.th[(n * 3 + i) % 13])) : F([gen.th[n]]),
    leak: F([gen.alpha[n]]),
  });
  const addConv = (name: string, K: number, kh: number, kw: number, stride: number, pad: number, depthwise: boolean): boolean => {
    const oh = convOutSize(shape.h, kh, stride, pad), ow = convOutSize(shape.w, kw, stride, pad);
    if (oh < 1 || ow < 1) return false;
    const g: ConvGeometry = {
      inChannels: shape.c, inHeight: shape.h, inWidth: shape.w, channels: depthwise ? shape.c : K, height: oh, width: ow,
      kernelHeight: kh, kernelWidth: kw, stride, padding: pad, depthwise,
    };
    const nOut = g.channels * oh * ow;
    layers.push({
      name, nIn: shape.c * shape.h * shape.w, nOut, conv: g,
      weights: F(Array.from({ length: convWeightCount(g) }, () => (depthwise ? 0.25 : wv()))),
      bias: depthwise ? new Float32Array(g.channels) : F(Array.from({ length: g.channels }, bv)),
      ...neuron(layers.length, nOut), ...(depthwise ? { fixed: true, leak: F([1]) } : {}),
    });
    shape = { c: g.channels, h: oh, w: ow };
    return true;
  };
  if (!addConv('c1', gen.k, gen.kh, gen.kw, gen.stride, gen.pad, false)) return null;
  if (gen.pool && shape.h >= 2 && shape.w >= 2) addConv('p1', 0, 2, 2, 2, 0, true);
  if (gen.conv2) addConv('c2', gen.k2, 2, 2, 1, gen.pad, false);
  const nIn = shape.c * shape.h * shape.w, nOut = gen.classes;
  layers.push({
    name: 'out', nIn, nOut, weights: F(Array.from({ length: nIn * nOut }, wv)), bias: F(Array.from({ length: nOut }, bv)),
    ...neuron(layers.length, nOut), readout,
  });
  const spec = (ls: LayerSpec[]): ChipSpec => ({ inputSize: gen.c * gen.h * gen.w, reset: gen.reset, delay: gen.d, maxSteps: gen.T, layers: ls });
  const x = Array.from({ length: gen.T * gen.c * gen.h * gen.w }, (_, k) => {
    const v = gen.xs[k % gen.xs.length];
    return gen.spikeInput ? (v > 4 ? 1 : 0) : v / 4;
  });
  return { conv: spec(layers), dense: spec(layers.map((l) => (l.conv ? expand(l) : l))), x: F(x), label: gen.label % nOut };
}

/** The forward pass and the rule's per-step circuits, nothing applied (backward() for the end-of-sample rules). */
function drive(chip: Chip, rule: { afterStep(t: number): void }, x: Float32Array, T: number, spikeInput: boolean): void {
  chip.analogInput = !spikeInput;
  chip.resetState();
  for (let t = 1; t <= T; t++) {
    chip.forward(x, (t - 1) * chip.spec.inputSize);
    rule.afterStep(t);
  }
}

/** The conv chip's gradients equal the dense chip's, folded over the shared weights. */
function compare(spec: ChipSpec, a: GradientRule<GradientBufs>, b: GradientRule<GradientBufs>, ca: Chip, cb: Chip): void {
  spec.layers.forEach((l, n) => {
    expect(Array.from(ca.spikes(n)), `S[${n}]`).toEqual(Array.from(cb.spikes(n)));
    if (l.fixed) return;
    if (l.conv) {
      const f = fold(l.conv, b.gradW(n), b.gradB(n), l.nOut);
      close(a.gradW(n), f.w, `dW[${n}]`);
      close(a.gradB(n), f.b, `db[${n}]`);
    } else {
      close(a.gradW(n), b.gradW(n), `dW[${n}]`);
      close(a.gradB(n), b.gradB(n), `db[${n}]`);
    }
  });
}


/**
 * The same rule on the conv chip and on its dense equivalent: supervise, drive, finish (backward()
 * for the end-of-sample rules), compare; counts the draws where the conv layer's gradient is nonzero.
 */
function runPair<R extends GradientRule<GradientBufs>>(
  net: NonNullable<ReturnType<typeof build>>, gen: Gen, seen: { nonzero: number }, make: () => R, run: (r: R) => void, finish: (r: R) => void = () => {},
): [R, R] {
  const a = make(), b = make();
  const ca = new Chip(net.conv, gen.backend, a), cb = new Chip(net.dense, gen.backend, b);
  for (const [chip, rule] of [[ca, a], [cb, b]] as const) {
    run(rule);
    drive(chip, rule, net.x, gen.T, gen.spikeInput);
    finish(rule);
  }
  compare(net.conv, a, b, ca, cb);
  // Not every draw trains anything: the property asserts at least one draw does.
  if (a.gradW(0).some((v) => v !== 0)) seen.nonzero++;
  return [a, b];
}

describe('gradient rules on a convolution equal the equivalent dense network', () => {
  it('offline LTL (both resets, both delays, spikes and currents)', () => {
    const seen = { nonzero: 0 };
    fc.assert(fc.property(genArb({ stop: false }), fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 17, maxLength: 17 }), (gen, yq) => {
      const net = build(gen, false, false);
      if (!net) return;
      const targets = net.conv.layers.map((l, n) => Array.from({ length: l.nOut }, (_, i) => yq[(n * 5 + i) % 17] / 8));
      runPair(net, gen, seen, () => new LtlOffline({ learningRate: 0.1, width: gen.width, height: gen.height }),
        (r) => r.setTargets(targets), (r) => r.backward(gen.T));
    }), { numRuns: 120 });
    expect(seen.nonzero).toBeGreaterThan(0);
  });

  it('BPTT (errors back through conv and pool; both resets, both delays)', () => {
    const seen = { nonzero: 0 };
    fc.assert(fc.property(genArb({ stop: false }), (gen) => {
      const net = build(gen, true, false);
      if (!net) return;
      runPair(net, gen, seen, () => new Bptt({ learningRate: 0.1, width: gen.width, height: gen.height }),
        (r) => r.setSample({ label: net.label }), (r) => r.backward(gen.T));
    }), { numRuns: 120 });
    expect(seen.nonzero).toBeGreaterThan(0);
  });

  for (const variant of ['stop-w', 'stop-wtl'] as const) {
    it(`${variant} (per-input traces, errors back through conv and pool${variant === 'stop-wtl' ? ', thresholds and leaks' : ''})`, () => {
      const seen = { nonzero: 0 };
      fc.assert(fc.property(genArb({ stop: true }), (gen) => {
        const net = build(gen, true, variant === 'stop-wtl');
        if (!net) return;
        const [a, b] = runPair(net, gen, seen, () => new Stop(variant, { learningRate: 0.1, width: gen.width, height: gen.height }),
          (r) => r.setSample({ label: net.label }));
        if (variant === 'stop-wtl') {
          net.conv.layers.forEach((l, n) => {
            if (l.readout || l.fixed) return;
            close(a.gradThreshold(n), b.gradThreshold(n), `dth[${n}]`);
            close(a.gradLeak(n), b.gradLeak(n), `dalpha[${n}]`);
          });
        }
      }), { numRuns: 120 });
      expect(seen.nonzero).toBeGreaterThan(0);
    });
  }
});
