/**
 * The playground's Web Worker: runs `ncsim train` on the page's digits with the same code path
 * as the CLI (trainRun: the same options, the same generator, the same pricing), so the page's
 * counters and accuracies are the CLI's bit for bit; between two samples it posts what the page
 * draws (src/web/protocol.ts). It fetches the kernels and the digits from its own folder.
 * Stop is the page ending the worker.
 */
import { setPlatform } from '../platform.js';
import { webPlatform } from './platform.js';
import { decodeDigits } from './digits.js';
import { trainRun } from '../train/api.js';
import type { TrainSession } from '../train/train.js';
import type { Chip, ChipSpec } from '../chip/chip.js';
import { readCounters, addCounters, type CounterValues } from '../chip/counters.js';
import type { ActivityPhase } from '../cost/activity.js';
import { mapWithPolicy, type Mapping } from '../cost/mapping.js';
import { costRun } from '../cost/cost.js';
import type { HwModel } from '../cost/hwmodel.js';
import { Rng } from '../host/rng.js';
import { renderReport } from '../report/html/render.js';
import type { LiveFigures, Probe, TrainRequest, WorkerMessage } from './protocol.js';

declare const self: { onmessage: ((e: { data: TrainRequest }) => void) | null; postMessage(m: WorkerMessage): void; location: { href: string } };

const post = (m: WorkerMessage) => self.postMessage(m);
/** The page is redrawn at most this often (ms). */
const LIVE_EVERY_MS = 250;
/** Neurons of each layer shown in the raster, and membrane traces. */
const RASTER_NEURONS = 40;
const TRACE_NEURONS = 4;

async function fetchBytes(name: string): Promise<Uint8Array> {
  const r = await fetch(new URL(name, self.location.href));
  if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

let ready: Promise<void> | undefined;

self.onmessage = (e) => {
  if (e.data?.type !== 'train') return;
  ready ??= Promise.all([fetchBytes('ncsim.wasm'), fetchBytes('ncsim-teacher.wasm'), fetchBytes('digits.bin')]).then(([wasm, teacherWasm, digits]) => {
    setPlatform(webPlatform({ wasm, teacherWasm, digits: decodeDigits(digits) }));
  });
  ready.then(() => run(e.data)).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};

interface Watched { session: TrainSession; chip: Chip; trainPhase: ActivityPhase; testPhase: ActivityPhase }

function run(req: TrainRequest): void {
  const t0 = performance.now();
  let w: Watched | undefined;
  let phase: LiveFigures['phase'] = 'teacher', epoch = 0, total = 0, done = 0, phaseStart = performance.now();
  // The counts at the start of the current epoch's training, to price the training so far.
  let base: CounterValues[] = [];
  let trainBase: ActivityPhase | undefined;
  let mapping: Mapping | undefined;
  // The run's placement on the model, worked out once the first time the figures are posted.
  const placed = (v: Watched): Mapping => (mapping ??= mapWithPolicy(v.session.activity(v.chip, v.trainPhase, v.testPhase).layers, r.model, r.price.mapping));
  let probeIndex = 0;
  const r = trainRun(req.options, (p) => {
    if (p.done === 0 || p.phase !== phase) {
      phase = p.phase;
      epoch = p.epoch;
      total = p.total;
      done = 0;
      phaseStart = performance.now();
    }
  }, {
    started(run) {
      w = run;
      post({
        type: 'started', teacherAccuracy: run.session.teacherTestAccuracy, network: run.session.net.layers.map((l) => `${l.name} ${l.nIn}->${l.nOut}`),
        trainSamples: run.session.data.train.n, testSamples: run.session.data.test.n,
      });
    },
    tested(ep, testAccuracy, report) {
      post({ type: 'tested', epoch: ep, testAccuracy, ...(report ? { trainAccuracy: report.trainAccuracy } : {}) });
      if (w) {
        base = snapshot(w.chip);
        trainBase = clonePhase(w.trainPhase);
        // Every epoch's learning priced as soon as it is done, however short the epoch was.
        if (ep > 0) post({ type: 'live', live: live(w, r.model, placed(w)) });
      }
    },
  });
  let last = 0;
  for (;;) {
    const step = r.steps.next();
    if (step.done) {
      // The last figures (the whole training priced), then the priced report.
      if (w) post({ type: 'live', live: live(w, r.model, placed(w)) });
      const report = r.priced(step.value);
      post({ type: 'done', report, html: renderReport(report), seconds: (performance.now() - t0) / 1000, chipSamplesPerSecond: report.throughput.trainSamplesPerSecond });
      return;
    }
    done++;
    const now = performance.now();
    if (w && now - last >= LIVE_EVERY_MS) {
      last = now;
      post({ type: 'live', live: live(w, r.model, placed(w)) });
    }
  }

  function live(v: Watched, model: HwModel, placed: Mapping): LiveFigures {
    const layers = v.chip.spec.layers.map((l, n) => {
      const c = readCounters(v.chip.counters(n));
      return { name: l.name, issued: c['learn.update'] ?? 0, dense: c['learn.dense'] ?? 0 };
    });
    const out: LiveFigures = { phase, epoch, done: Math.min(done, total), total, samplesPerSecond: done / Math.max(1e-3, (performance.now() - phaseStart) / 1000), layers };
    // The training so far: the finished epochs' counts plus this epoch's since it began.
    const trained = trainBase ? clonePhase(trainBase) : undefined;
    if (trained && phase === 'train' && done > 0) {
      const now = snapshot(v.chip);
      Object.keys(trained.counters).forEach((name, n) => addCounters(trained.counters[name], diff(now[n], base[n])));
      trained.samples += done;
      trained.steps += done * v.session.opts.steps;
    }
    if (trained && trained.samples > 0) {
      const c = costRun(v.session.activity(v.chip, trained, v.testPhase), model, placed).phases.train;
      out.cost = { model: model.name, energyPerSamplePJ: c.energy.perSamplePJ, latencyPerSampleS: c.latency.perSampleS, cyclesPerStep: { ...c.cycles.perStep } };
    }
    out.probe = probe(v, probeIndex++ % v.session.data.test.n);
    return out;
  }
}

/** The chip as it is now, on one test digit, learning off: a copy of it (its own counters), so the run is not touched. */
function probe(v: Watched, index: number): Probe {
  const { chip, session } = v;
  const o = session.opts;
  const spec: ChipSpec = {
    ...chip.spec,
    layers: chip.spec.layers.map((l, n) => ({ ...l, weights: chip.getWeights(n), bias: chip.getBias(n), threshold: chip.getThreshold(n), leak: chip.getLeak(n) })),
  };
  const copy = session.createChip(spec, undefined);
  const test = session.source.test;
  const x = new Float32Array(o.steps * spec.inputSize);
  test.frames(index, o.steps, o.encoding, new Rng(o.seed + index), x);
  const shown = spec.layers.map((l) => Math.min(RASTER_NEURONS, l.nOut));
  const raster = spec.layers.map((l, n) => ({ layer: l.name, neurons: shown[n], spikes: [] as number[][] }));
  const traced = Math.min(TRACE_NEURONS, spec.layers[0].nOut);
  const membrane = Array.from({ length: traced }, (_, i) => ({ layer: spec.layers[0].name, neuron: i, u: [] as number[] }));
  copy.runSample(x, o.steps, false, () => {
    spec.layers.forEach((l, n) => {
      if (l.readout) return;
      const s = copy.spikes(n);
      const fired: number[] = [];
      for (let i = 0; i < shown[n]; i++) if (s[i] !== 0) fired.push(i);
      raster[n].spikes.push(fired);
    });
    const u = copy.membrane(0);
    for (let i = 0; i < traced; i++) membrane[i].u.push(u[i]);
  });
  const img = session.data.test.images.subarray(index * spec.inputSize, (index + 1) * spec.inputSize);
  return {
    index, label: test.labels[index], predicted: copy.predict(),
    image: session.source.events ? [] : Array.from(img, (p) => Math.round(p * 255)),
    raster: raster.filter((_, n) => !spec.layers[n].readout), membrane, threshold: spec.layers[0].threshold[0],
  };
}

function snapshot(chip: Chip): CounterValues[] {
  return chip.spec.layers.map((_, l) => readCounters(chip.counters(l)));
}

function diff(a: CounterValues, b: CounterValues | undefined): CounterValues {
  return Object.fromEntries(Object.keys(a).map((k) => [k, a[k] - (b?.[k] ?? 0)]));
}

function clonePhase(p: ActivityPhase): ActivityPhase {
  return { ...p, counters: Object.fromEntries(Object.entries(p.counters).map(([k, c]) => [k, { ...c }])) };
}
