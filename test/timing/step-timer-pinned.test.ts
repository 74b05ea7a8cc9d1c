/**
 * The step timer's numbers pinned on fixed seeded runs at the default job's scale (784-256-256-10
 * on `loihi`, spread and pack; the input port instead of input cores; a small convolutional net),
 * so that speed work on src/timing cannot change what it reports. The expected values below were
 * NOT worked out by hand: they were printed by the timer as it was before its speed-up (git
 * e5848d2, "timefast" branch) and pasted here; any change to them is a change of the model.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { loadModel, HwModel } from '../../src/cost/hwmodel.js';
import { mapWithPolicy, MapPolicy } from '../../src/cost/mapping.js';
import { COUNTERS } from '../../src/chip/counters.js';
import { COUNTER_SLOTS } from '../../src/reference/counters.js';
import { StepTimer, StepSource } from '../../src/timing/step-timer.js';
import { convOutSize } from '../../src/reference/conv.js';
import type { ActivityLayer } from '../../src/cost/activity.js';
import type { ConvGeometry } from '../../src/model/types.js';
import { createKernels, SPARE_BYTES } from '../../src/chip/kernels.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const slotNames = ['neuron.leak', 'neuron.reset', 'accumulator.increment', 'accumulator.read', 'learn.error', 'learn.boxcar', 'learn.sign', 'learn.update', 'synapse.write', 'learn.bias_update', 'trace.update', 'state.write'];
const slots = slotNames.map((n) => COUNTERS.find((c) => c.name === n)).filter((c): c is (typeof COUNTERS)[number] => !!c).map((c) => c.slot);

/**
 * A seeded run: `samples` training samples of T steps (a sample end after each) then `testSamples`
 * test samples; every step each layer's events are a random sorted subset (rates vary by sample,
 * some layers silent at times) and the counters grow by random deltas. Returns every step's and
 * update's cycles and the timer's result. `hosted`: the lists and counters sit in a chip's kernels'
 * memory, as chipSource gives them, so the timer moves its arena there and reads them in place.
 */
function run(model: HwModel, layers: ActivityLayer[], policy: MapPolicy, seed: number, shuffled = false, hosted = false, samples = 12, testSamples = 4, T = 16) {
  const rnd = mulberry32(seed);
  const timer = new StepTimer(model, mapWithPolicy(layers, model, policy), layers);
  const sizes = [layers[0].nIn, ...layers.map((l) => l.nOut)];
  const ev: Int32Array[] = sizes.map(() => new Int32Array(0));
  const evWords = sizes.reduce((a, n) => a + n + 4, 0);
  const host = hosted ? createKernels('wasm', 4 * evWords + 8 * COUNTER_SLOTS * layers.length + 16, undefined, SPARE_BYTES) : undefined;
  // Hosted, the counters too sit in the host's memory (as a chip's do), after the lists.
  const cntAt = host ? Math.ceil((host.base + 4 * evWords) / 8) : 0;
  const blocks = layers.map((_, l) => (host ? host.mem.f64.subarray(cntAt + l * COUNTER_SLOTS, cntAt + (l + 1) * COUNTER_SLOTS) : new Float64Array(COUNTER_SLOTS)));
  const src: StepSource = host
    ? {
        host,
        events: (l) => {
          // each layer's list at its own place in the host's arena
          const off = (host.base >>> 2) + sizes.slice(0, l + 1).reduce((a, n) => a + n + 4, 0);
          host.mem.i32.set(ev[l + 1], off);
          return { buf: host.mem.i32, off, n: ev[l + 1].length };
        },
        counters: (l) => blocks[l],
      }
    : { events: (l) => ({ buf: ev[l + 1], off: 0, n: ev[l + 1].length }), counters: (l) => blocks[l] };
  const draw = (rates: number[]) => {
    sizes.forEach((n, l) => {
      const out: number[] = [];
      if (rnd() > 0.1) for (let i = 0; i < n; i++) if (rnd() < rates[l]) out.push(i);
      // shuffled: the lists out of neuron order (Fisher-Yates), which a chip never sends but the timer takes
      if (shuffled) for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
      ev[l] = Int32Array.from(out);
    });
    for (const b of blocks) for (const s of slots) if (rnd() < 0.7) b[s] += Math.floor(rnd() * 300);
  };
  const cycles: number[] = [];
  for (const [phase, n] of [['train', samples], ['test', testSamples]] as const) {
    timer.beginPhase(phase, phase === 'train', src);
    for (let s = 0; s < n; s++) {
      const rates = sizes.map(() => rnd() * 0.4);
      for (let t = 0; t < T; t++) { draw(rates); cycles.push(timer.step(src)); }
      if (phase === 'train') { for (const b of blocks) for (const s2 of slots) if (rnd() < 0.5) b[s2] += Math.floor(rnd() * 1000); cycles.push(timer.sampleEnd(src)); }
    }
  }
  const result = timer.result();
  // Hosted: the arena moved into the host's spare room when it fits (always for these dense nets).
  expect(timer.hosted).toBe(hosted && timer.arenaBytes <= SPARE_BYTES);
  if (layers.every((l) => !l.conv)) expect(timer.hosted).toBe(hosted);
  const digest = (x: unknown) => createHash('sha256').update(typeof x === 'string' ? x : JSON.stringify(x)).digest('hex').slice(0, 16);
  return {
    sum: cycles.reduce((a, b) => a + b, 0),
    cyclesSha: createHash('sha256').update(new Uint8Array(Float64Array.from(cycles).buffer)).digest('hex').slice(0, 16),
    resultSha: digest(result),
    train: result.train.stepLatency,
    test: result.test.stepLatency,
    messages: result.train.messages,
  };
}

const dense = (analog: boolean): ActivityLayer[] => [
  { name: 'h1', nIn: 784, nOut: 256, readout: false, analogInput: analog, learningStateBytes: 12 * 256 },
  { name: 'h2', nIn: 256, nOut: 256, readout: false, analogInput: false, learningStateBytes: 12 * 256 },
  { name: 'out', nIn: 256, nOut: 10, readout: false, analogInput: false, learningStateBytes: 120 },
];
const geometry = (inC: number, H: number, K: number, k: number, s: number, pad: number, depthwise = false): ConvGeometry => ({
  inChannels: inC, inHeight: H, inWidth: H, channels: depthwise ? inC : K, height: convOutSize(H, k, s, pad), width: convOutSize(H, k, s, pad),
  kernelHeight: k, kernelWidth: k, stride: s, padding: pad, depthwise,
});
const convLayer = (name: string, g: ConvGeometry): ActivityLayer => ({
  name, nIn: g.inChannels * g.inHeight * g.inWidth, nOut: g.channels * g.height * g.width, readout: false, analogInput: false, learningStateBytes: 0, conv: g,
});
const convNet = (): ActivityLayer[] => {
  const c1 = geometry(1, 28, 8, 5, 2, 2), p1 = geometry(8, 14, 8, 2, 2, 0, true);
  return [convLayer('c1', c1), convLayer('p1', p1), { name: 'h1', nIn: 392, nOut: 128, readout: false, analogInput: false, learningStateBytes: 0 }, { name: 'out', nIn: 128, nOut: 10, readout: false, analogInput: false, learningStateBytes: 0 }];
};
function portModel(): HwModel {
  const m = loadModel('loihi');
  return { ...m, noc: { ...m.noc, inputSource: { ...m.noc.inputSource, value: 'port' } } };
}

const CASES: [string, (hosted: boolean) => ReturnType<typeof run>][] = [
  ['loihi spread, input cores, analog input', (h) => run(loadModel('loihi'), dense(true), 'spread', 1, false, h)],
  ['loihi pack, input cores', (h) => run(loadModel('loihi'), dense(false), 'pack', 2, false, h)],
  ['loihi spread, input port', (h) => run(portModel(), dense(false), 'spread', 3, false, h)],
  ['loihi-2018 spread, a convolutional net', (h) => run(loadModel('loihi-2018'), convNet(), 'spread', 4, false, h)],
  ['loihi pack, a convolutional net, input port', (h) => run(portModel(), convNet(), 'pack', 5, false, h)],
  ['generic45 spread', (h) => run(loadModel('generic45'), dense(true), 'spread', 6, false, h)],
  ['loihi spread, events out of neuron order', (h) => run(loadModel('loihi'), dense(false), 'spread', 7, true, h)],
  ['xylo (no hop latency)', (h) => run(loadModel('xylo'), [{ name: 'h', nIn: 16, nOut: 60, readout: false, analogInput: false, learningStateBytes: 0 }, { name: 'o', nIn: 60, nOut: 8, readout: false, analogInput: false, learningStateBytes: 0 }], 'spread', 8, false, h)],
];

// Printed by the unchanged timer (e5848d2) with PRINT_PINNED=file; not edited by hand.
const PINNED: Record<string, unknown> = {
  "loihi spread, input cores, analog input": {"sum":2656557.7406250006,"cyclesSha":"ad8134043e3ba2ae","resultSha":"19cf15328cc85cc5","train":{"meanS":0.000009481862711588541,"p50S":0.000009167799999999999,"p99S":0.0000147463,"maxS":0.000014898699999999998,"minS":0.000002598},"test":{"meanS":0.000011560035937500002,"p50S":0.000010867599999999999,"p99S":0.000016526399999999998,"maxS":0.000016526399999999998,"minS":0.0000074423},"messages":{"sent":242914,"fromInput":1762914,"hopsX":5069590,"hopsY":1916857,"perStep":10447.020833333334}},
  "loihi pack, input cores": {"sum":30705900.263671886,"cyclesSha":"a9743ae687f49397","resultSha":"72566d38b7dc7c2a","train":{"meanS":0.00011722037917480467,"p50S":0.00012011969414062502,"p99S":0.00020334754453125,"maxS":0.00020366496210937502,"minS":0.000006474419531249999},"test":{"meanS":0.0001262676478027344,"p50S":0.0001252325890625,"p99S":0.00021244817421875,"maxS":0.00021244817421875,"minS":0.000008391405078125},"messages":{"sent":28684,"fromInput":47864,"hopsX":0,"hopsY":0,"perStep":398.6875}},
  "loihi spread, input port": {"sum":14753649.681640662,"cyclesSha":"ff1c42171dfcfa6c","resultSha":"264fbf630d6f9026","train":{"meanS":0.00006086158823852545,"p50S":0.00006188089999999987,"p99S":0.0001313038000000007,"maxS":0.00013184070000000066,"minS":0.0000040184},"test":{"meanS":0.00004648797968750012,"p50S":0.000017011400000000005,"p99S":0.00014306580000000084,"maxS":0.00014306580000000084,"minS":0.000006518},"messages":{"sent":247429,"fromInput":2122136,"hopsX":7407552,"hopsY":2302961,"perStep":12341.484375}},
  "loihi-2018 spread, a convolutional net": {"sum":4463961.999999999,"cyclesSha":"2f10f6e9d3137dce","resultSha":"fbde0d785e6dffef","train":{"meanS":0.00001811326302083333,"p50S":0.000017160699999999996,"p99S":0.000030095199999999996,"maxS":0.000030333999999999998,"minS":0.0000029494},"test":{"meanS":0.000014560550781249998,"p50S":0.000014595099999999999,"p99S":0.0000230385,"maxS":0.0000230385,"minS":0.0000036636999999999998},"messages":{"sent":1071721,"fromInput":449381,"hopsX":3748376,"hopsY":1449541,"perStep":7922.40625}},
  "loihi pack, a convolutional net, input port": {"sum":12968250.850382656,"cyclesSha":"d287a352897e1d91","resultSha":"41a17bbfc31621ea","train":{"meanS":0.00004613712148968963,"p50S":0.00004143093010204081,"p99S":0.0000928005585459184,"maxS":0.00009663537206632657,"minS":0.000015969283673469388},"test":{"meanS":0.000061755236202567,"p50S":0.0000601381125,"p99S":0.0000959722780612246,"maxS":0.0000959722780612246,"minS":0.0000229183256377551},"messages":{"sent":93197,"fromInput":40734,"hopsX":0,"hopsY":0,"perStep":697.5572916666666}},
  "generic45 spread": {"sum":3486078.0390625,"cyclesSha":"5f3c2b9894cdd76b","resultSha":"f2d72dcf0327ae7f","train":{"meanS":0.000013662815104166667,"p50S":0.000013474,"p99S":0.000025864,"maxS":0.00002676,"minS":7.36e-7},"test":{"meanS":0.00001276021875,"p50S":0.000006987,"p99S":0.000027457,"maxS":0.000027457,"minS":0.000001802},"messages":{"sent":131938,"fromInput":1349856,"hopsX":4840953,"hopsY":3436658,"perStep":7717.677083333333}},
  "loihi spread, events out of neuron order": {"sum":2828677.092968749,"cyclesSha":"6180c2b985f6d733","resultSha":"49fe39031b3293a4","train":{"meanS":0.000010263305729166672,"p50S":0.000009835599999999998,"p99S":0.000017651,"maxS":0.0000177011,"minS":0.0000026256},"test":{"meanS":0.00001198467957763672,"p50S":0.000011972599999999998,"p99S":0.000016971099999999997,"maxS":0.000016971099999999997,"minS":0.0000061400734375},"messages":{"sent":180560,"fromInput":2010508,"hopsX":5538632,"hopsY":2012557,"perStep":11411.8125}},
  "xylo (no hop latency)": {"sum":899992,"cyclesSha":"0064bb6efaacc18a","resultSha":"b807e7ae469a8053","train":{"meanS":0.000065045625,"p50S":0.00006468,"p99S":0.0000981,"maxS":0.00010232,"minS":0.00002806},"test":{"meanS":0.0000653478125,"p50S":0.00006292,"p99S":0.0001068,"maxS":0.0001068,"minS":0.00003706},"messages":{"sent":2134,"fromInput":495,"hopsX":0,"hopsY":0,"perStep":13.692708333333334}},
};

describe('the step timer on fixed seeded runs (pinned numbers)', () => {
  for (const [name, f] of CASES) {
    it(name, () => {
      const got = f(false);
      // PRINT_PINNED=file appends the figures (how the values below were made).
      if (process.env.PRINT_PINNED) appendFileSync(process.env.PRINT_PINNED, `${JSON.stringify(name)}: ${JSON.stringify(got)},\n`);
      expect(got).toEqual(PINNED[name]);
    });
    it(`${name}, the timer's arena in the host's memory, lists read in place`, () => {
      expect(f(true)).toEqual(PINNED[name]);
    });
  }
});
