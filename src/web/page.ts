/**
 * The playground page (dist/web/index.html + page.js): the form, the live charts, the
 * downloads. The chip runs in a Web Worker (worker.js, src/web/worker.ts); this script only
 * draws what it posts, with the HTML report's SVG builders (src/report/html/svg.ts), so the
 * page never freezes. Stop ends the worker; Train starts a new one.
 */
import { RULES, RULE_TABLE } from '../rules/table.js';
import { barChart, formatEnergy, formatPercent, formatTime, hBarChart, lineChart, seriesColor, esc } from '../report/html/svg.js';
import type { LibraryTrainOptions } from '../train/api.js';
import type { LiveFigures, Probe, WorkerMessage } from './protocol.js';

/** What the page's digits file holds (src/web/assets.ts writes it): the most --samples and --test-samples can ask. */
const MAX_TRAIN = 3000, MAX_TEST = 1000;
const MODELS = ['loihi', 'loihi-2018', 'generic45', 'rram', 'xylo'];
const NETS = ['nets/mlp.json', 'nets/cnn-mnist.json', 'nets/cnn-mnist-s2.json'];
/** Probes kept in the digit-by-digit view. */
const DIGITS_SHOWN = 16;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** A tiny wasm module with one SIMD instruction (i32x4.splat): valid only where WebAssembly SIMD is. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11]);

export function hasWasmSimd(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

interface RunState {
  worker: Worker;
  teacher?: number;
  accuracy: [number, number][];
  train: [number, number][];
  probes: Probe[];
  started: number;
}

let state: RunState | undefined;

/** A chart's width: its panel's, between a phone's and the report's 560 px (text stays readable at 375 px). */
function widthOf(id: string): number {
  return Math.max(300, Math.min(560, Math.floor($(id).clientWidth) || 560));
}

function fillSelect(id: string, values: string[], selected: string, label = (v: string) => v): void {
  $<HTMLSelectElement>(id).innerHTML = values.map((v) => `<option value="${esc(v)}"${v === selected ? ' selected' : ''}>${esc(label(v))}</option>`).join('');
}

function setup(): void {
  if (!hasWasmSimd()) {
    $('nosimd').hidden = false;
    $<HTMLButtonElement>('train').disabled = true;
    return;
  }
  fillSelect('rule', [...RULES], 'ltl-online', (r) => `${r} (lr ${RULE_TABLE[r as keyof typeof RULE_TABLE].learningRate})`);
  fillSelect('hw', MODELS, 'loihi');
  fillSelect('network', ['mlp', ...NETS], 'mlp', (v) => (v === 'mlp' ? 'MLP of the hidden sizes' : v));
  $<HTMLInputElement>('samples').max = String(MAX_TRAIN);
  $<HTMLInputElement>('testSamples').max = String(MAX_TEST);
  const syncNet = () => {
    $<HTMLInputElement>('hidden').disabled = $<HTMLSelectElement>('network').value !== 'mlp';
  };
  $('network').addEventListener('change', syncNet);
  syncNet();
  $<HTMLFormElement>('controls').addEventListener('submit', (e) => {
    e.preventDefault();
    start();
  });
  $('stop').addEventListener('click', () => stop('Stopped.'));
}

/** The form as `ncsim train` options (camelCase); a bad field is named and nothing starts. */
export function readOptions(): LibraryTrainOptions {
  const num = (id: string) => {
    const el = $<HTMLInputElement>(id);
    if (!el.checkValidity() || el.value.trim() === '') throw new Error(`${el.labels?.[0]?.textContent ?? id}: ${el.validationMessage || 'a number is needed'}`);
    return Number(el.value);
  };
  const rule = $<HTMLSelectElement>('rule').value as LibraryTrainOptions['rule'];
  const o: LibraryTrainOptions = {
    rule, hw: $<HTMLSelectElement>('hw').value, steps: num('steps'), warmup: num('warmup'),
    error: $<HTMLSelectElement>('error').value as 'exact' | 'sign', mismatch: Number($<HTMLSelectElement>('mismatch').value),
    samples: num('samples'), testSamples: num('testSamples'), epochs: num('epochs'), teacherEpochs: num('teacherEpochs'), seed: num('seed'),
    // No threads for a teacher a batch ahead here; in-thread gives the same bits.
    teacherWorker: false,
  };
  const lr = $<HTMLInputElement>('lr').value.trim();
  if (lr !== '') o.lr = num('lr');
  const net = $<HTMLSelectElement>('network').value;
  if (net === 'mlp') {
    const hidden = $<HTMLInputElement>('hidden').value.split(',').map((s) => Number(s.trim()));
    if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 4096)) throw new Error('Hidden sizes: whole numbers from 1 to 4096, comma-separated (e.g. 64 or 128,64)');
    o.hidden = hidden;
  } else {
    o.net = net;
  }
  // Readout rules (STOP, BPTT) need what the rule table says (ALGORITHMS §8).
  const needs = RULE_TABLE[rule as keyof typeof RULE_TABLE].needs;
  if (needs.delay !== undefined) o.delay = needs.delay as 0 | 1;
  if (needs.reset !== undefined) o.reset = needs.reset;
  return o;
}

function start(): void {
  let options: LibraryTrainOptions;
  try {
    options = readOptions();
  } catch (e) {
    status((e as Error).message, true);
    return;
  }
  stop();
  const worker = new Worker('worker.js');
  state = { worker, accuracy: [], train: [], probes: [], started: performance.now() };
  const mine = state;
  worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
    if (state === mine) onMessage(mine, e.data);
  };
  worker.onerror = (e) => {
    if (state === mine) stop(`The worker failed: ${e.message}`, true);
  };
  $<HTMLButtonElement>('train').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  $('downloads').hidden = true;
  clearCharts();
  status('Training the teacher (an ANN on the host)…');
  worker.postMessage({ type: 'train', options });
  document.body.dataset.run = 'running';
}

function stop(message?: string, error = false): void {
  state?.worker.terminate();
  state = undefined;
  $<HTMLButtonElement>('train').disabled = false;
  $<HTMLButtonElement>('stop').disabled = true;
  if (message) {
    status(message, error);
    document.body.dataset.run = error ? 'error' : 'stopped';
  }
}

function status(text: string, error = false): void {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

function onMessage(s: RunState, m: WorkerMessage): void {
  switch (m.type) {
    case 'started':
      s.teacher = m.teacherAccuracy;
      $('network-info').textContent = `${m.network.join(', ')} · ${m.trainSamples} training / ${m.testSamples} test digits · teacher ${formatPercent(m.teacherAccuracy)}`;
      status('Testing the chip before on-chip learning…');
      break;
    case 'tested':
      s.accuracy.push([m.epoch, m.testAccuracy]);
      if (m.trainAccuracy !== undefined) s.train.push([m.epoch, m.trainAccuracy]);
      drawAccuracy(s);
      break;
    case 'live':
      drawLive(s, m.live);
      break;
    case 'done': {
      const r = m.report;
      drawAccuracy(s);
      // The run's own figures: per-step timing simulated on the model's mesh.
      const t = r.cost.phases.train;
      if (t.samples > 0) {
        $('cost-figures').innerHTML = `<dl><dt>energy per training sample on ${esc(r.cost.model.name)}</dt><dd>${esc(formatEnergy(t.energy.perSamplePJ))}</dd>`
          + `<dt>latency per training sample (${esc(t.latency.kind)})</dt><dd>${esc(formatTime(t.latency.perSampleS))}</dd>`
          + `<dt>energy per test sample</dt><dd>${esc(formatEnergy(r.cost.phases.test.energy.perSamplePJ))}</dd>`
          + `<dt>cores used</dt><dd>${r.cost.mapping.coresUsed} of ${r.cost.mapping.coresAvailable}</dd></dl>`;
      }
      const a = (json: string, type: string) => URL.createObjectURL(new Blob([json], { type }));
      const stamp = `ncsim-${r.options.rule}-${r.cost.model.name}-seed${r.options.seed}`;
      const j = $<HTMLAnchorElement>('download-json'), h = $<HTMLAnchorElement>('download-html');
      j.href = a(`${JSON.stringify(r, null, 2)}\n`, 'application/json');
      j.download = `${stamp}.json`;
      h.href = a(m.html, 'text/html');
      h.download = `${stamp}.html`;
      $('downloads').hidden = false;
      (window as unknown as { ncsimRun: unknown }).ncsimRun = { report: r, seconds: m.seconds, chipSamplesPerSecond: m.chipSamplesPerSecond };
      stop();
      status(`Done in ${m.seconds.toFixed(1)} s: test accuracy ${formatPercent(r.snn.testAccuracy)} (teacher ${formatPercent(r.teacher.testAccuracy)}); chip loop ${Math.round(m.chipSamplesPerSecond)} training samples/s.`);
      document.body.dataset.run = 'done';
      break;
    }
    case 'error':
      stop(`Refused: ${m.message}`, true);
      break;
  }
}

function clearCharts(): void {
  for (const id of ['chart-accuracy', 'chart-updates', 'chart-cycles', 'chart-raster', 'chart-membrane', 'digits', 'cost-figures', 'network-info']) $(id).innerHTML = '';
}

function drawAccuracy(s: RunState): void {
  $('chart-accuracy').innerHTML = lineChart({
    id: 'accuracy', width: widthOf('chart-accuracy'), title: 'Test accuracy per epoch', xLabel: 'epoch (0: before on-chip learning)', yLabel: 'accuracy',
    series: [
      { label: 'chip, test', color: seriesColor(0), points: s.accuracy },
      ...(s.train.length ? [{ label: 'chip, train', color: seriesColor(2), points: s.train, dash: '3 3' }] : []),
    ],
    refLines: s.teacher !== undefined ? [{ label: 'teacher', value: s.teacher, color: seriesColor(1) }] : [],
    xDomain: [0, Math.max(1, ...s.accuracy.map((p) => p[0]))], yDomain: [0, 1], xInteger: true, yFormat: (v) => `${Math.round(100 * v)} %`,
  });
}

function drawLive(s: RunState, l: LiveFigures): void {
  const what = l.phase === 'teacher' ? 'Training the teacher' : l.phase === 'train' ? `Epoch ${l.epoch}: learning on chip` : `Epoch ${l.epoch}: testing`;
  status(`${what} — ${l.done} of ${l.total} digits, ${Math.round(l.samplesPerSecond)} digits/s`);
  const p = $<HTMLProgressElement>('progress');
  p.max = Math.max(1, l.total);
  p.value = l.done;
  $('chart-updates').innerHTML = barChart({
    id: 'updates', width: widthOf('chart-updates'), title: 'Update events issued vs gated off, per layer', xLabel: 'layer', yLabel: 'update events',
    groups: l.layers.map((x) => ({ label: x.name, bars: [{ segments: [{ key: 'issued', value: x.issued }, { key: 'gated', value: Math.max(0, x.dense - x.issued) }] }] })),
    keys: [{ key: 'issued', label: 'issued', color: seriesColor(0) }, { key: 'gated', label: 'gated off by the learning circuit', color: seriesColor(6), opacity: 0.5 }],
  });
  if (l.cost) {
    const c = l.cost;
    $('cost-figures').innerHTML = `<dl><dt>energy per training sample on ${esc(c.model)}</dt><dd>${esc(formatEnergy(c.energyPerSamplePJ))}</dd>`
      + `<dt>latency per training sample</dt><dd>${esc(formatTime(c.latencyPerSampleS))}</dd>`
      + `<dt>cycles per step</dt><dd>${esc(String(Math.round(c.cyclesPerStep.total ?? 0)))}</dd></dl>`;
    const phases = Object.keys(c.cyclesPerStep).filter((k) => k !== 'total');
    $('chart-cycles').innerHTML = hBarChart({
      id: 'cycles', width: widthOf('chart-cycles'), title: `Cycles per time step by phase (${c.model}, training so far)`, xLabel: 'cycles per step', yLabel: 'phase',
      rows: phases.map((k) => ({ label: k, segments: [{ key: k, value: c.cyclesPerStep[k] }], note: String(Math.round(c.cyclesPerStep[k])) })),
      keys: phases.map((k, i) => ({ key: k, label: k, color: seriesColor(i) })), showLegend: false,
    });
  }
  if (l.probe) {
    s.probes.unshift(l.probe);
    s.probes.length = Math.min(s.probes.length, DIGITS_SHOWN);
    drawProbe(l.probe);
    drawDigits(s.probes);
  }
}

function drawProbe(p: Probe): void {
  const T = p.raster[0]?.spikes.length ?? 0;
  const rows = p.raster.reduce((a, r) => a + r.neurons, 0);
  const W = widthOf('chart-raster'), H = 40 + rows * 4 + p.raster.length * 14, x0 = 70, cw = (W - x0 - 10) / Math.max(1, T);
  let y = 26;
  const parts: string[] = [];
  for (const r of p.raster) {
    parts.push(`<text x="4" y="${y + 10}" font-size="11">${esc(r.layer)} (${r.neurons})</text>`);
    r.spikes.forEach((fired, t) => {
      for (const i of fired) parts.push(`<rect x="${(x0 + t * cw).toFixed(1)}" y="${y + i * 4}" width="${Math.max(1, cw - 1).toFixed(1)}" height="3" fill="#0072B2"/>`);
    });
    y += r.neurons * 4 + 14;
  }
  const title = `Spike raster of test digit #${p.index} (label ${p.label}, chip says ${p.predicted})`;
  $('chart-raster').innerHTML = `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="raster" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>`
    + `<text x="4" y="14" font-size="12" font-weight="600">${esc(title)}</text>`
    + `<text x="${x0}" y="${H - 4}" font-size="11">time step 1 … ${T}</text>${parts.join('')}</svg>`;
  $('chart-membrane').innerHTML = lineChart({
    id: 'membrane', width: widthOf('chart-membrane'), title: `Membrane U[t] of ${p.membrane.length} neurons of ${p.membrane[0]?.layer ?? ''}`, xLabel: 'time step', yLabel: 'U',
    series: p.membrane.map((m, i) => ({ label: `neuron ${m.neuron}`, color: seriesColor(i), points: m.u.map((u, t): [number, number] => [t + 1, u]) })),
    refLines: [{ label: 'threshold', value: p.threshold, color: '#000000' }], xInteger: true,
  });
}

function drawDigits(probes: Probe[]): void {
  const box = $('digits');
  box.innerHTML = '';
  for (const p of probes) {
    const fig = document.createElement('figure');
    const ok = p.label === p.predicted;
    fig.className = ok ? 'ok' : 'wrong';
    if (p.image.length === 28 * 28) {
      const c = document.createElement('canvas');
      c.width = 28;
      c.height = 28;
      c.setAttribute('aria-hidden', 'true');
      const ctx = c.getContext('2d');
      if (ctx) {
        const img = ctx.createImageData(28, 28);
        p.image.forEach((v, i) => {
          img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = 255 - v;
          img.data[4 * i + 3] = 255;
        });
        ctx.putImageData(img, 0, 0);
      }
      fig.append(c);
    }
    const cap = document.createElement('figcaption');
    cap.textContent = `${p.predicted}${ok ? ' ✓' : ` ✗ (${p.label})`}`;
    cap.title = `test digit #${p.index}: label ${p.label}, chip says ${p.predicted}`;
    fig.append(cap);
    box.append(fig);
  }
}

if (typeof document !== 'undefined') setup();
