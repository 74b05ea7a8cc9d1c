// The one initialisation of a chip's network (src/net/build.ts netLayers), for MLPs (--hidden)
// and net files alike: "random" draws uniform ±gain·sqrt(3/fan-in)·threshold from the seeded
// stream layer by layer in storage order; "teacher" rescales the teacher's weights by
// y_norm_{l-1} / y_norm_l · threshold.
import { describe, it, expect } from 'vitest';
import { netLayers } from '../../src/net/build.js';
import { mlpNet, parseNet } from '../../src/net/file.js';
import { Rng } from '../../src/host/rng.js';
import type { Teacher } from '../../src/host/teacher.js';

const shape = { channels: 1, height: 3, width: 4 };

describe('netLayers', () => {
  it('random: the seeded draws, layer by layer, scaled by the fan-in; zero biases; the net\'s names', () => {
    const net = mlpNet(shape, [5, 4], 3);
    const neuron = { threshold: 0.8, leak: 0.9 }, gain = 1.5;
    const layers = netLayers(net, neuron, 'random', new Rng(7), gain);
    const r = new Rng(7);
    layers.forEach((l, i) => {
      const a = gain * Math.sqrt(3 / l.nIn) * neuron.threshold;
      const expected = Float32Array.from({ length: l.nIn * l.nOut }, () => (2 * r.uniform() - 1) * a);
      expect(l.weights).toEqual(expected);
      expect(Math.max(...l.weights.map(Math.abs))).toBeLessThanOrEqual(Math.fround(a));
      expect([...l.bias]).toEqual(new Array(l.nOut).fill(0));
      expect([...l.threshold, ...l.leak]).toEqual([Math.fround(0.8), Math.fround(0.9)]);
      expect(l.name).toBe(net.layers[i].name);
    });
    expect(layers.map((l) => [l.nIn, l.nOut])).toEqual([[12, 5], [5, 4], [4, 3]]);
    // Another seed, other weights.
    expect(netLayers(net, neuron, 'random', new Rng(8), gain)[0].weights).not.toEqual(layers[0].weights);
  });

  it('random: a convolution draws with its fan-in C·kh·kw, and the dense layer above continues the same stream', () => {
    const net = parseNet({
      format: 'ncsim.net/1', input: { channels: 1, height: 6, width: 6 },
      layers: [{ type: 'conv', channels: 2, kernel: 3 }, { type: 'pool', kernel: 2 }, { type: 'dense', units: 3 }],
    });
    const layers = netLayers(net, { threshold: 1, leak: 1 }, 'random', new Rng(3), 1);
    const r = new Rng(3);
    const conv = Float32Array.from({ length: 2 * 1 * 3 * 3 }, () => (2 * r.uniform() - 1) * Math.sqrt(3 / 9));
    expect(layers[0].weights).toEqual(conv);
    expect(layers[1].fixed).toBe(true);
    expect([...layers[1].weights]).toEqual(new Array(layers[1].weights.length).fill(0.25));
    const nIn = layers[2].nIn;
    expect(layers[2].weights).toEqual(Float32Array.from({ length: nIn * 3 }, () => (2 * r.uniform() - 1) * Math.sqrt(3 / nIn)));
  });

  it('teacher: the teacher\'s weights rescaled by the norms below and of the layer', () => {
    const net = mlpNet({ channels: 1, height: 1, width: 2 }, [2], 1);
    const teacher = {
      sizes: [2, 2, 1], clip: 1,
      layers: [
        { nIn: 2, nOut: 2, weights: Float32Array.of(1, -2, 3, 4), bias: Float32Array.of(0.5, -0.5) },
        { nIn: 2, nOut: 1, weights: Float32Array.of(2, 1), bias: Float32Array.of(1) },
      ],
    } as Teacher;
    const layers = netLayers(net, { threshold: 2, leak: 1 }, 'teacher', new Rng(1), 1, teacher, [4, 0.5]);
    expect([...layers[0].weights]).toEqual([0.5, -1, 1.5, 2]); // x 1 x 2/4
    expect([...layers[0].bias]).toEqual([0.25, -0.25]);
    expect([...layers[1].weights]).toEqual([32, 16]); // x 4 x 2/0.5
    expect([...layers[1].bias]).toEqual([4]);
    expect(() => netLayers(net, { threshold: 2, leak: 1 }, 'teacher', new Rng(1), 1)).toThrow(/needs the teacher/);
  });
});
