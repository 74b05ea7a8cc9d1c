/**
 * The chip's layers for a network description (file.ts): every layer spiking, layer for layer
 * with the teacher (host/teacher.ts, host/cnn.ts), so that each learns its own teacher layer's
 * activation (LTL). The one initialisation of a chip's network: `ncsim train` (an MLP of
 * --hidden is a net of dense layers), `ncsim net` and the benches all build through netLayers.
 *
 *   dense: nIn x nOut weights, nOut biases (zero unless init "teacher").
 *   conv:  the shared K x C x kh x kw weights and K biases, initialised as a dense layer's with
 *          the fan-in C*kh*kw in place of nIn.
 *   pool:  average pooling as a depthwise convolution with fixed weights threshold/(kh*kw), no
 *          bias, IF neurons (leak 1): a pool neuron's spike rate is the mean of the rates below
 *          (exactly, in the long run, with reset by subtraction). No rule learns it.
 */
import type { LayerSpec } from '../chip/chip.js';
import type { Init } from '../model/types.js';
import { Rng } from '../host/rng.js';
import type { Teacher } from '../host/teacher.js';
import { convFanIn, convWeightCount } from '../reference/conv.js';
import { Net } from './file.js';
import { InputError } from '../io/errors.js';

export interface NeuronOptions { threshold: number; leak: number }

/**
 * Initial chip layers of a network. "random": uniform in ±gain·sqrt(3/fan-in)·threshold
 * (variance gain²·threshold²/fan-in), seeded, drawn layer by layer in storage order. "teacher":
 * the teacher's weights and biases, rescaled layer by layer so that a rate in [0, 1] stands for
 * the normalized activation (weights · y_norm_{l-1} / y_norm_l · threshold): a conversion-style
 * start that LTL then calibrates on chip. "file": the weights, biases, thresholds and leaks given
 * with the network (Net.params, a NIR file: src/net/nir.ts), copied (a pool's stay fixed);
 * `neuron` is not used.
 */
export function netLayers(net: Net, neuron: NeuronOptions, init: Init, rng: Rng, gain: number, teacher?: Teacher, norms?: number[]): LayerSpec[] {
  if (init === 'teacher' && (!teacher || !norms)) throw new Error('init "teacher" needs the teacher and its norms');
  if (init === 'file') {
    const p = net.params;
    if (!p) throw new InputError('--init', '"random" or "teacher" (this network comes with no weights: "file" needs a NIR file as --net)', init, { kind: 'option' });
    return net.layers.map((nl, l): LayerSpec => {
      const q = p.layers[l], g = nl.conv;
      const nW = g ? convWeightCount(g) : nl.nIn * nl.nOut, nB = g ? g.channels : nl.nOut;
      if (q.weights.length !== nW || q.bias.length !== nB) throw new Error(`layer ${nl.name}: the given weights do not have this layer's shape`);
      return {
        name: nl.name, nIn: nl.nIn, nOut: nl.nOut, weights: q.weights.slice(), bias: q.bias.slice(), threshold: q.threshold.slice(), leak: q.leak.slice(),
        ...(g ? { conv: g } : {}), ...(nl.type === 'pool' ? { fixed: true } : {}),
      };
    });
  }
  const th = neuron.threshold;
  return net.layers.map((nl, l): LayerSpec => {
    const g = nl.conv;
    const threshold = Float32Array.of(th);
    if (nl.type === 'pool' && g) {
      return {
        name: nl.name, nIn: nl.nIn, nOut: nl.nOut, conv: g, fixed: true,
        weights: new Float32Array(convWeightCount(g)).fill(th / (g.kernelHeight * g.kernelWidth)),
        bias: new Float32Array(g.channels), threshold, leak: Float32Array.of(1),
      };
    }
    const nW = g ? convWeightCount(g) : nl.nIn * nl.nOut;
    const nB = g ? g.channels : nl.nOut;
    const fanIn = g ? convFanIn(g) : nl.nIn;
    const weights = new Float32Array(nW);
    const bias = new Float32Array(nB);
    if (init === 'teacher') {
      const tl = (teacher as Teacher).layers[l], ns = norms as number[];
      if (tl.weights.length !== nW || tl.bias.length !== nB) throw new Error(`layer ${nl.name}: the teacher's layer ${l} does not have this layer's shape`);
      const inScale = l === 0 ? 1 : ns[l - 1];
      const outScale = ns[l] > 0 ? th / ns[l] : 0;
      for (let k = 0; k < nW; k++) weights[k] = tl.weights[k] * inScale * outScale;
      for (let i = 0; i < nB; i++) bias[i] = tl.bias[i] * outScale;
    } else {
      const a = gain * Math.sqrt(3 / fanIn) * th;
      for (let k = 0; k < nW; k++) weights[k] = (2 * rng.uniform() - 1) * a;
    }
    return {
      name: nl.name, nIn: nl.nIn, nOut: nl.nOut, weights, bias, threshold, leak: Float32Array.of(neuron.leak),
      ...(g ? { conv: g } : {}),
    };
  });
}

/**
 * y_norm per layer for a network: a pool layer takes the norm of the layer below (its neurons
 * average rates that stand for a_below / y_norm_below, so its rates stand for a_pool / y_norm_below).
 */
export function netNorms(net: Net, norms: number[]): number[] {
  const out = norms.slice();
  net.layers.forEach((l, i) => {
    if (l.type === 'pool') out[i] = i > 0 ? out[i - 1] : 1; // the input's scale is 1 (a pixel is its own rate)
  });
  return out;
}
