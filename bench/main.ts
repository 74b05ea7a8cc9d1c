/**
 * `npm run bench`: ratios measured in one run on this machine (never timed tests).
 *   1. kernel throughput, wasm vs the TypeScript twin (1024x1024 layer, 15 % input spikes);
 *      1b. the same for the convolution kernels (integration and the online LTL writer);
 *      1c. the default job's chip loop: this build's kernels vs the previous release's vs the twin;
 *   2. end-to-end on-chip training, samples per second, wasm vs the twin;
 *   6. the host teacher's training, the earlier f64 TypeScript teacher vs the f32 wasm SIMD one.
 * `node dist/bench.js --quick` runs shorter measurements.
 */
import '../src/node/platform.js';
import { benchKernels, benchConvKernels } from './kernels.js';
import { readFileSync } from 'node:fs';
import { train, TRAIN_DEFAULTS } from '../src/train/train.js';
import { setWasmBytes } from '../src/chip/wasm.js';
import { findWasmFile } from '../src/node/platform.js';

const quick = process.argv.includes('--quick');
const fmt = (x: number) => x.toExponential(3);

function line(cols: (string | number)[], widths: number[]): string {
  return cols.map((c, i) => String(c).padStart(widths[i])).join('  ');
}

console.log('ncsim bench — measured in this run, on this machine\n');
console.log('1. Kernels: 1024x1024 layer, 15 % presynaptic spike rate');
const w = [28, 14, 14, 10];
console.log(line(['', 'wasm', 'TS twin', 'ratio'], w));
const kw = benchKernels('wasm', 1024, 0.15, quick ? 0.3 : 1.5);
const kt = benchKernels('ts', 1024, 0.15, quick ? 0.3 : 1.5);
for (const [name, key] of [['synaptic events / s', 'synapticEventsPerSec'], ['neuron updates / s', 'neuronUpdatesPerSec'], ['learning updates / s', 'learnEventsPerSec']] as const) {
  console.log(line([name, fmt(kw[key]), fmt(kt[key]), (kw[key] / kt[key]).toFixed(1) + 'x'], w));
}

console.log('\n1b. Convolution kernels: 3x3/1 pad 1, 16x16x16 -> 32x16x16, 15 % presynaptic spike rate');
console.log(line(['', 'wasm', 'TS twin', 'ratio'], w));
const cw = benchConvKernels('wasm', 16, 16, 32, 0.15, quick ? 0.3 : 1.5);
const ct = benchConvKernels('ts', 16, 16, 32, 0.15, quick ? 0.3 : 1.5);
for (const [name, key] of [['conv synaptic events / s', 'synapticEventsPerSec'], ['conv learning updates / s', 'learnEventsPerSec']] as const) {
  console.log(line([name, fmt(cw[key]), fmt(ct[key]), (cw[key] / ct[key]).toFixed(1) + 'x'], w));
}

// 1c. The chip loop alone: this build's kernels vs the previous release's vs the twin (bench/chip-loop.ts).
import { benchChipLoop, formatChipLoopBench } from './chip-loop.js';
import { benchNetsOnThreads, formatNetsOnThreads } from './threads-nets.js';
console.log('\n1c. The chip loop of the default job (training samples / s, targets precomputed): this build vs the previous kernels vs the TS twin');
for (const l of formatChipLoopBench(benchChipLoop({ samples: quick ? 200 : 600, repeats: quick ? 3 : 5 }))) console.log(l);
console.log('\n1c (CNN). The same for nets/cnn-mnist.json (conv 16 -> pool -> dense 128 -> 10)');
for (const l of formatChipLoopBench(benchChipLoop({ net: 'nets/cnn-mnist.json', samples: quick ? 50 : 200, repeats: quick ? 1 : 3 }))) console.log(l);
// The convolutional nets on 1 and 2 threads with the targets computed in-thread, and VGG11 (bench/threads-nets.ts).
for (const l of formatNetsOnThreads(benchNetsOnThreads({ quick }))) console.log(l);

console.log('\n2. End-to-end on-chip training (online LTL, 784-256-256-10, T = 16, direct input)');
// One thread: the kernels against their twin (threads: section 1c).
const base = { ...TRAIN_DEFAULTS, epochs: 1, samples: quick ? 200 : 1000, testSamples: quick ? 100 : 500, teacherEpochs: 1, threads: 1 };
const ew = train({ ...base, backend: 'wasm' });
const et = train({ ...base, backend: 'ts' });
// The chip loop's training throughput (the epoch's loop, waits for the teacher's targets excluded).
const trainSps = (r: typeof ew) => r.throughput.trainSamplesPerSecond;
console.log(line(['', 'wasm', 'TS twin', 'ratio'], w));
console.log(line(['training samples / s', trainSps(ew).toFixed(1), trainSps(et).toFixed(1), (trainSps(ew) / trainSps(et)).toFixed(1) + 'x'], w));
console.log(line(['same final weights (bits)', String(ew.snn.testAccuracy === et.snn.testAccuracy && ew.learning.updates === et.learning.updates), '', ''], w));

console.log('\n2b. What counting costs: the same training with every counter compiled out (build/ncsim-nocount.wasm)');
{
  const file = findWasmFile('ncsim-nocount.wasm');
  if (!file) {
    console.log('   skipped: ncsim-nocount.wasm not found (run npm run build)');
  } else {
    // Interleave runs so that machine noise hits both alike; keep the best of each.
    let withCounts = 0, without = 0;
    for (let r = 0; r < (quick ? 1 : 3); r++) {
      setWasmBytes(null);
      withCounts = Math.max(withCounts, trainSps(train({ ...base, backend: 'wasm' })));
      setWasmBytes(readFileSync(file));
      without = Math.max(without, trainSps(train({ ...base, backend: 'wasm' })));
    }
    setWasmBytes(null);
    console.log(line(['', 'counting', 'no counting', 'slowdown'], w));
    console.log(line(['training samples / s', withCounts.toFixed(1), without.toFixed(1), `${((without / withCounts - 1) * 100).toFixed(1)} %`], w));
  }
}

// 3. Learning memory: bytes each rule reserves for learning vs the time window (bench/memory.ts).
import { memoryTable } from './memory.js';
console.log('\n3. Learning memory (measured from the rules\' arena reservations; no training)');
console.log(memoryTable().text);

// 4. The simulator's own pipeline: the teacher in a worker thread vs in the main thread (bench/pipeline.ts).
import { benchPipeline, formatPipelineBench } from './pipeline.js';
console.log('\n4. Teacher in a worker thread while the wasm chip trains (same epoch slice, same results)');
for (const l of formatPipelineBench(benchPipeline({ quick }))) console.log(l);

// 5. Per-step, per-core timing on the mesh: its overhead on the training loop (bench/timing.ts).
import { benchTiming, benchTimerAlone, formatTimingBench } from './timing.js';
console.log('\n5. Per-step timing on the mesh (src/timing): the default training epoch with and without it (target <= 15 %)');
for (const l of formatTimingBench(benchTiming({ quick }), benchTimerAlone({ quick }))) console.log(l);

// 6. The host teacher: the earlier f64 TypeScript teacher vs the f32 wasm SIMD kernels (bench/teacher.ts).
import { benchTeacher, formatTeacherBench } from './teacher.js';
console.log('\n6. Host teacher training (MLP and CNN): the earlier f64 TypeScript teacher vs the f32 wasm SIMD teacher (target >= 5x)');
for (const l of formatTeacherBench(benchTeacher({ quick }))) console.log(l);
