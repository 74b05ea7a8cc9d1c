/**
 * What checkpoints cost (src/train/checkpoint.ts): one epoch of the default network (784-256-256-10,
 * T = 16, ltl-online, timed on loihi) saving a checkpoint every N samples; each save timed (wall
 * time: it is mostly the writes and their fsyncs), against the epoch's loop time without the
 * saves, in the same run. Prints the ratio; never a timed test.
 *
 *   npm run build && node dist/bench-checkpoint.js [--samples 2000] [--every 500]
 */
import '../src/node/platform.js';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { drain, TRAIN_DEFAULTS, trainSteps } from '../src/train/train.js';
import { CheckpointWriter } from '../src/train/checkpoint.js';
import { loadModel } from '../src/cost/hwmodel.js';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const samples = arg('samples', 2000), every = arg('every', 500);
// One thread, as the figures in docs were measured (threads: bench/chip-loop.ts).
const o = { ...TRAIN_DEFAULTS, epochs: 1, samples, testSamples: 200, teacherEpochs: 1, threads: 1 };
const model = loadModel('loihi');
const dir = mkdtempSync(join(tmpdir(), 'ncsim-bench-ckpt-'));
const writer = new CheckpointWriter(dir, every, { options: o, price: { hw: 'loihi', mapping: 'spread', schedule: 'pipelined' }, model });
const hooks = writer.hooks();
const boundary = hooks.boundary;
const saves: number[] = [];
hooks.boundary = (at, capture) => {
  const n = writer.written, t = performance.now();
  boundary?.(at, capture);
  if (writer.written > n && !at.epochDone) saves.push(performance.now() - t);
};
const report = drain(trainSteps(o, undefined, undefined, { model, mapping: 'spread' }, hooks));
const bytes = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
rmSync(dir, { recursive: true, force: true });
const saveS = saves.reduce((a, b) => a + b, 0) / 1000;
const loopS = report.throughput.trainSeconds + report.throughput.targetWaitSeconds - saveS;
console.log(`checkpoints: ${o.hidden.join('-')} hidden, ${samples} samples, a save every ${every} (load average ${loadavg()[0].toFixed(1)})`);
console.log(`  checkpoint size             ${(bytes / 1e6).toFixed(2)} MB (manifest + teacher + state)`);
console.log(`  saves in the epoch          ${saves.length}, mean ${(1000 * saveS / Math.max(1, saves.length)).toFixed(1)} ms each`);
console.log(`  epoch loop without saves    ${loopS.toFixed(2)} s (${(samples / loopS).toFixed(0)} samples/s)`);
console.log(`  saves / loop                ${(100 * saveS / loopS).toFixed(2)} %`);
