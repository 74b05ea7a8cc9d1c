/**
 * `ncsim net FILE`: read a network description (ncsim.net/1), print each layer (shape, neurons,
 * stored weights, synapses), build its chip with seeded random weights, map it onto a hardware
 * model's cores, run a few steps of seeded random input (src/net/probe.ts) and print the spikes
 * and synaptic events per layer and the cycles and energy per step from the cost model.
 *
 * A network that does not fit the model is reported (which layer, by how much) after the layers
 * and the run, and the command exits with status 2, as `ncsim train` does for such a network.
 */
import type { CommandSpec } from './options.js';
import { parseArgs, formatHelp } from './options.js';
import { planOutputs } from '../io/outputs.js';
import { loadModel } from '../cost/hwmodel.js';
import { mapWithPolicy, MappingError, Mapping, MapPolicy } from '../cost/mapping.js';
import { costRun, CostReport } from '../cost/cost.js';
import { readNetFile, describeNet, Net, Shape3 } from '../net/file.js';
import { isNirPath, importNir, NIR_DEFAULT_DT } from '../net/nir.js';
import { probeNet, PROBE_DEFAULTS, ProbeInput, ProbeResult } from '../net/probe.js';
import { convFlops } from '../host/conv-forward.js';
import { convWeightCount } from '../reference/conv.js';
import { table } from '../report/text.js';
import { eng, sec } from '../report/cost-text.js';
import type { Backend } from '../chip/kernels.js';
import { MAX_THREADS } from '../chip/thread-plan.js';

export const NET: CommandSpec = {
  name: 'net',
  summary: 'Show a network file layer by layer, map it onto a hardware model and run a few steps of seeded random input on its chip (random weights, or a NIR file\'s own) with the cost per step',
  usage: 'ncsim net FILE [--hw MODEL] [--steps N] [--seed S] [--learn] [--json]',
  positionals: [{ name: 'FILE', description: 'a network description file (ncsim.net/1, nets/README.md), or a NIR graph (.nir, HDF5; docs/nir.md) with its weights', required: true }],
  options: [
    { name: 'hw', type: 'string', valueName: 'model', default: 'loihi', description: 'hardware model to map onto and price the steps on: a name from `ncsim hw list` or a model file path' },
    { name: 'mapping', type: 'enum', choices: ['spread', 'pack', 'layer-per-core'], default: 'spread', description: 'placement of layers on cores: spread work over the cores (falls back to pack when it does not fit), pack into the fewest cores, or one layer per core' },
    { name: 'steps', type: 'int', min: 1, max: 10000, default: PROBE_DEFAULTS.steps, description: 'time steps to run (one sample of this time window)' },
    { name: 'seed', type: 'int', min: 0, max: 4294967295, default: PROBE_DEFAULTS.seed, description: 'seed of the random weights, input and (--learn) targets' },
    { name: 'input', type: 'enum', choices: ['spikes', 'analog'], default: PROBE_DEFAULTS.input, description: 'random input: Bernoulli spikes at --rate, or analog currents uniform in [0, 1)' },
    { name: 'rate', type: 'number', min: 0, max: 1, default: PROBE_DEFAULTS.rate, description: 'spike probability per input per step (--input spikes)' },
    { name: 'init-gain', type: 'number', min: 0, max: 1000, default: PROBE_DEFAULTS.initGain, description: 'scale of the random weights (uniform in ±gain·sqrt(3/fan-in)·threshold)' },
    { name: 'backend', type: 'enum', choices: ['wasm', 'ts'], default: PROBE_DEFAULTS.backend, description: 'kernels: wasm, or the TypeScript twin' },
    { name: 'threads', type: 'int', min: 1, max: MAX_THREADS, words: ['auto'], default: 'auto', description: 'threads the chip is simulated on, each a slice of every layer\'s neurons (same results bit for bit); auto: a thread per 128 neurons of the widest layer, up to the cores (docs/speed.md, "Threads")' },
    { name: 'learn', type: 'boolean', default: PROBE_DEFAULTS.learn, description: 'also run the online LTL learning circuits (train\'s defaults) towards seeded random targets, and price the learning' },
    { name: 'dt', type: 'number', min: 1e-9, max: 10, default: NIR_DEFAULT_DT, description: 'a NIR file\'s time step (s): LIF leak 1 - dt/tau, input gain r*dt/tau (docs/nir.md)' },
    { name: 'json', type: 'boolean', default: false, description: 'print the report as one JSON document instead of a table' },
    { name: 'out', type: 'string', valueName: 'path', description: 'also write the JSON report to this file' },
  ],
};

export interface NetLayerRow {
  name: string;
  type: string;
  what: string;
  in: Shape3;
  out: Shape3;
  neurons: number;
  /** Weights the chip stores (shared ones once). */
  storedWeights: number;
  /** Connections: (input, neuron) pairs with a weight, padding taps left out. */
  synapses: number;
}

export interface NetReport {
  kind: 'ncsim.net-probe';
  source: string;
  description?: string;
  input: Shape3;
  layers: NetLayerRow[];
  totals: { neurons: number; storedWeights: number; synapses: number };
  run: {
    steps: number; seed: number; input: ProbeInput; rate: number | null; initGain: number; backend: Backend; learn: boolean; threads: number;
    /** Seeded random weights, or those of the file (a NIR graph's, with its thresholds, leaks and reset). */
    weights: 'random' | 'file';
    buildSeconds: number; runSeconds: number;
    layers: ProbeResult['layers'];
  };
  hw: string;
  /** Cores per layer, or the refusal. */
  mapping: { fits: true; coresUsed: number; coresAvailable: number; layers: { name: string; cores: number; neuronsPerCore: number[] }[] } | { fits: false; refusal: string };
  /** Per time step of the run, from the cost model (absent when the network does not fit). */
  perStep?: {
    cycles: CostReport['phases']['test']['cycles']['perStep']; seconds: number; energyPJ: number; dynamicPJ: number; staticPJ: number; synops: number;
    /** Simulated per step on the mesh (src/timing). */
    timing: CostReport['phases']['test']['timing'];
  };
}

/** Layer rows of a net: shapes, neurons, stored weights, synapses. */
export function netLayerRows(net: Net): NetLayerRow[] {
  const what = describeNet(net);
  return net.layers.map((l, i) => {
    const g = l.conv;
    return {
      name: l.name, type: l.type, what: what[i].slice(what[i].indexOf(':') + 2, what[i].lastIndexOf(', ')), in: l.in, out: l.out, neurons: l.nOut,
      storedWeights: g ? convWeightCount(g) : l.nIn * l.nOut,
      synapses: g ? convFlops(g) / 2 : l.nIn * l.nOut,
    };
  });
}

function mappingSummary(m: Mapping): NetReport['mapping'] {
  return {
    fits: true, coresUsed: m.cores.length, coresAvailable: m.capacity.cores,
    layers: m.layers.map((l) => ({ name: l.name, cores: new Set(l.slices.map((s) => s.core)).size, neuronsPerCore: l.slices.map((s) => s.neurons) })),
  };
}

/** The whole report; `refusal` is set when the network does not fit the model. */
export function netReport(file: string, o: Record<string, unknown>, given?: Net): { report: NetReport; refusal?: MappingError } {
  const net = given ?? readNetFile(file, { name: 'FILE', kind: 'argument' });
  const model = loadModel(o.hw as string);
  const probe = probeNet(net, {
    steps: o.steps as number, seed: o.seed as number, input: o.input as ProbeInput, rate: o.rate as number,
    initGain: o.initGain as number, backend: o.backend as Backend, learn: o.learn as boolean,
    timing: { model, mapping: o.mapping as MapPolicy }, threads: o.threads as number | 'auto',
  });
  const layers = netLayerRows(net);
  const sum = (k: 'neurons' | 'storedWeights' | 'synapses') => layers.reduce((a, l) => a + l[k], 0);
  const report: NetReport = {
    kind: 'ncsim.net-probe', source: file, ...(net.description ? { description: net.description } : {}), input: net.input, layers,
    totals: { neurons: sum('neurons'), storedWeights: sum('storedWeights'), synapses: sum('synapses') },
    run: {
      steps: o.steps as number, seed: o.seed as number, input: o.input as ProbeInput, rate: o.input === 'spikes' ? o.rate as number : null,
      initGain: o.initGain as number, backend: o.backend as Backend, learn: o.learn as boolean, threads: probe.threads, weights: net.params ? 'file' : 'random', buildSeconds: probe.buildSeconds, runSeconds: probe.runSeconds, layers: probe.layers,
    },
    hw: model.name,
    mapping: { fits: false, refusal: '' },
  };
  let mapping: Mapping;
  try {
    mapping = mapWithPolicy(probe.activity.layers, model, o.mapping as MapPolicy);
  } catch (e) {
    if (!(e instanceof MappingError)) throw e;
    report.mapping = { fits: false, refusal: e.message };
    return { report, refusal: e };
  }
  report.mapping = mappingSummary(mapping);
  const phases = costRun(probe.activity, model, mapping, probe.timing).phases;
  const te = o.learn ? phases.train : phases.test;
  const steps = te.steps;
  report.perStep = {
    cycles: te.cycles.perStep, seconds: te.latency.perStepS,
    energyPJ: te.energy.totalPJ / steps, dynamicPJ: te.energy.dynamicPJ / steps, staticPJ: te.energy.staticPJ / steps,
    synops: te.neurobench.synops / steps,
    timing: te.timing,
  };
  return { report };
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const shape = (s: Shape3) => (s.height === 1 && s.width === 1 ? `${s.channels}` : `${s.channels}x${s.height}x${s.width}`);

function cols(rows: (string | number)[][], right: boolean[]): string[] {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => '  ' + r.map((v, c) => (right[c] ? String(v).padStart(w[c]) : String(v).padEnd(w[c]))).join('  ').trimEnd());
}

export function netText(r: NetReport): string {
  const lines: string[] = [];
  lines.push(`ncsim net — ${r.source}${r.description ? `: ${r.description}` : ''}`);
  lines.push(`layers (input ${shape(r.input)})`);
  lines.push(...cols([
    ['layer', 'type', 'in -> out', 'neurons', 'stored weights', 'synapses'],
    ...r.layers.map((l) => [l.name, l.what, `${shape(l.in)} -> ${shape(l.out)}`, int(l.neurons), int(l.storedWeights), int(l.synapses)]),
    ['total', '', '', int(r.totals.neurons), int(r.totals.storedWeights), int(r.totals.synapses)],
  ], [false, false, false, true, true, true]));
  lines.push('');
  const m = r.mapping;
  if (m.fits) {
    lines.push(`mapping on ${r.hw}: ${m.coresUsed} of ${m.coresAvailable} cores`);
    lines.push(...cols([
      ['layer', 'cores', 'neurons per core'],
      ...m.layers.map((l) => {
        const lo = Math.min(...l.neuronsPerCore), hi = Math.max(...l.neuronsPerCore);
        return [l.name, l.cores, lo === hi ? int(lo) : `${int(lo)} to ${int(hi)}`];
      }),
    ], [false, true, false]));
  } else {
    lines.push(`mapping on ${r.hw}: refused — ${m.refusal}`);
  }
  lines.push('');
  const run = r.run;
  lines.push(`run: ${run.steps} step(s) of seeded random input (${run.input === 'spikes' ? `Bernoulli spikes, rate ${run.rate}` : 'analog, uniform in [0, 1)'}), ${run.weights === 'file' ? 'the file\'s weights' : `random weights (gain ${run.initGain})`}, ${run.learn ? 'online LTL towards random targets' : 'no learning'}, seed ${run.seed}, ${run.backend} on ${run.threads} thread${run.threads === 1 ? '' : 's'} (${run.runSeconds.toFixed(2)} s)`);
  lines.push(...cols([
    ['layer', 'spikes / step', 'synaptic events / step', 'weight reads / step', ...(run.learn ? ['updates / step'] : [])],
    ...run.layers.map((l) => [
      l.name, (l.spikes / run.steps).toFixed(1), (l.synapticEvents / run.steps).toFixed(1), int(l.synapticReads / run.steps),
      ...(run.learn ? [int(l.updates / run.steps)] : []),
    ]),
  ], [false, true, true, true, true]));
  if (r.perStep) {
    const p = r.perStep, c = p.cycles;
    lines.push('');
    lines.push(table([
      [`cost per step on ${r.hw} (${run.learn ? 'online LTL learning' : 'inference, no learning'})`, ''],
      ['cycles (average model)', `${int(c.total)}  (routing ${int(c.routing)}, integration ${int(c.integration)}, neuron ${int(c.neuron)}, learning ${int(c.learning)}, barrier ${int(c.barrier)})`],
      ...(p.timing
        ? [['latency (simulated per step)', `mean ${sec(p.timing.stepLatency.meanS)}, p50 ${sec(p.timing.stepLatency.p50S)}, p99 ${sec(p.timing.stepLatency.p99S)}, max ${sec(p.timing.stepLatency.maxS)}`] as [string, string],
          ['messages per step', `${int(p.timing.messages.perStep)}  (critical core ${p.timing.criticalCores[0]?.core ?? '-'}, barrier ${sec(p.timing.barrierS)} for ${p.timing.tilesUsed} tiles)`] as [string, string]]
        : [['latency', sec(p.seconds)] as [string, string]]),
      ['energy', `${eng(p.energyPJ)}  (dynamic ${eng(p.dynamicPJ)}, static ${eng(p.staticPJ)})`],
      ['synaptic operations', int(p.synops)],
    ]));
  }
  return lines.join('\n');
}

function out(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : s + '\n');
}

export function cmdNet(argv: string[]): void | Promise<void> {
  const { options: o, positionals } = parseArgs(NET, argv);
  if (o.help) return out(formatHelp(NET));
  // A NIR graph is read with h5wasm, which initialises asynchronously.
  if (isNirPath(positionals[0])) return importNir(positionals[0], { dt: o.dt as number }).then((net) => finishNet(positionals[0], o, net));
  finishNet(positionals[0], o);
}

function finishNet(file: string, o: Record<string, unknown>, net?: Net): void {
  const outputs = planOutputs([{ option: '--out', path: o.out as string | undefined }], [file]);
  const { report, refusal } = netReport(file, o, net);
  const json = JSON.stringify(report, null, 2);
  outputs.set('--out', json + '\n');
  outputs.commit();
  out(o.json ? json : netText(report));
  if (refusal) throw refusal;
}
