/**
 * The report's charts, each built from one part of a train run (src/train/train.ts) with the
 * primitives of svg.ts: what is plotted, its axis labels (with units) and a caption naming the
 * run and the source of the numbers. A chart whose data the run does not carry (no cost report,
 * no pipeline, no robustness or memory field) is left out, with a note saying why.
 */
import { CIRCUITS } from '../../cost/actions.js';
import type { CostReport, PhaseCost } from '../../cost/cost.js';
import type { PipelineResult, TimelineEvent } from '../../pipeline/des.js';
import type { ReportRun, LabelledRun, RobustnessCurves, MemoryCurves } from './types.js';
import { checkOptionalFields } from './types.js';
import { timingCharts } from './timing-charts.js';
import { provenance, type Chart } from './chart.js';

export { provenance } from './chart.js';
export type { Chart } from './chart.js';
import { samplesNoun } from '../samples-noun.js';
import {
  lineChart, barChart, hBarChart, ganttChart, BarKey, BarGroup, HBarRow, GanttEvent, GanttStall, LineSeries,
  energyUnit, timeUnit, byteUnit, fmt, finite, formatEnergy, formatTime, formatPercent, seriesColor, categoryColor, tickFormat,
} from './svg.js';


export interface ChartSet { charts: Chart[]; notes: string[] }

export interface ChartOptions {
  /** Gantt charts draw the first this many batches (3 bars each), at most. */
  ganttBatches?: number;
}

export const DEFAULT_GANTT_BATCHES = 40;

/** Phases of a time step in the cycles chart (the barrier after the per-core phases). */
export const STEP_PHASES = ['routing', 'integration', 'neuron', 'learning', 'barrier'] as const;

const PHASE_COLORS: Record<(typeof STEP_PHASES)[number], string> = {
  routing: '#56B4E9', integration: '#0072B2', neuron: '#009E73', learning: '#E69F00', barrier: '#7F7F7F',
};

export const RESOURCE_COLORS = { host: '#E69F00', link: '#56B4E9', chip: '#0072B2' } as const;

/** A circuit's colour, the same in every chart (by its place in CIRCUITS). */
export function circuitColor(name: string): string {
  const i = CIRCUITS.findIndex((c) => c.name === name);
  return categoryColor(i < 0 ? CIRCUITS.length : i);
}

const str = (v: unknown, fallback = '?'): string => (v === undefined || v === null || v === '' ? fallback : String(v));


// ---------------------------------------------------------------------------------------------
// One run

export function accuracyChart(run: ReportRun): Chart {
  const epochs = Array.isArray(run.snn?.epochs) ? run.snn.epochs : [];
  const o = run.options ?? ({} as ReportRun['options']);
  const noun = samplesNoun(o.data);
  const test: [number, number][] = [[0, 100 * finite(run.snn?.initialTestAccuracy, NaN)], ...epochs.map((e): [number, number] => [e.epoch, 100 * finite(e.testAccuracy, NaN)])];
  const trainAcc: [number, number][] = epochs.map((e) => [e.epoch, 100 * finite(e.trainAccuracy, NaN)]);
  const xLabel = 'epoch of on-chip learning (0 = before learning)';
  const yLabel = 'accuracy (%)';
  const series: LineSeries[] = [
    { label: `SNN on chip, test ${noun}`, color: seriesColor(0), points: test },
    { label: `SNN on chip, training ${noun} (while learning)`, color: seriesColor(5), points: trainAcc, dash: '4 3' },
  ];
  const teacher = 100 * finite(run.teacher?.testAccuracy, NaN);
  const sizes = Array.isArray(run.teacher?.sizes) ? run.teacher.sizes.join('-') : '?';
  const title = 'Teacher vs SNN test accuracy per epoch';
  const svg = lineChart({
    id: 'accuracy', title, xLabel, yLabel, series,
    refLines: [{ label: `ANN teacher ${sizes}, test ${noun}`, value: teacher, color: seriesColor(3) }],
    xDomain: [0, Math.max(1, ...epochs.map((e) => finite(e.epoch)))], xInteger: true, yDomain: [0, 100],
    pointTitle: (s, p) => `${s.label}, epoch ${p[0]}: ${p[1].toFixed(2)} %`,
  });
  const caption = `SNN accuracy on ${str(o.testSamples)} held-out test ${noun} after each epoch of on-chip learning (epoch 0: the chip as initialised, --init ${str(o.init)}); `
    + `training-digit accuracy is counted while the chip learns; the dashed line is the ANN teacher ${run.teacher?.source ? `read from ${str(run.teacher.source.file)} (ONNX, not trained by ncsim)` : `trained on the host for ${str(o.teacherEpochs)} epoch(s)`}. `
    + `${provenance(run)}; source: snn.epochs[].testAccuracy, snn.initialTestAccuracy, teacher.testAccuracy.`;
  return { id: 'accuracy', title, xLabel, yLabel, caption, svg };
}

export function updatesChart(run: ReportRun): Chart {
  const epochs = Array.isArray(run.snn?.epochs) ? run.snn.epochs : [];
  const layerNames = [...new Set(epochs.flatMap((e) => (Array.isArray(e.layers) ? e.layers.map((l) => l.name) : [])))];
  const keys: BarKey[] = layerNames.flatMap((name, i) => [
    { key: `${name}:issued`, label: `${name} issued`, color: seriesColor(i) },
    { key: `${name}:gated`, label: `${name} gated off`, color: seriesColor(i), opacity: 0.3 },
  ]);
  const groups: BarGroup[] = epochs.map((e) => ({
    label: `epoch ${e.epoch}`,
    bars: (Array.isArray(e.layers) ? e.layers : []).map((l) => {
      const issued = finite(l.updates), dense = finite(l.denseUpdates);
      const gated = Math.max(0, dense - issued);
      return {
        label: l.name,
        segments: [
          { key: `${l.name}:issued`, value: issued, title: `epoch ${e.epoch}, layer ${l.name}: ${fmt(issued)} update events issued (${formatPercent(dense ? issued / dense : NaN, 1)} of dense)` },
          { key: `${l.name}:gated`, value: gated, title: `epoch ${e.epoch}, layer ${l.name}: ${fmt(gated)} update events gated off` },
        ],
      };
    }),
  }));
  const xLabel = 'epoch (one bar per layer)';
  const yLabel = 'update events per epoch (events)';
  const title = 'Update events issued vs gated off, per epoch and layer';
  const svg = barChart({ id: 'updates', title, xLabel, yLabel, groups, keys, barLabels: true });
  const ratio = finite(run.learning?.updateRatio, NaN);
  const caption = `Weight-update events the learning circuits issued (solid) and gated off (faint) in each epoch; issued + gated off = the events a dense rule would write. `
    + `Over the run ${formatPercent(ratio, 1)} of dense were issued. ${provenance(run)}; source: snn.epochs[].layers (chip counters learn.update, learn.dense).`;
  return { id: 'updates', title, xLabel, yLabel, caption, svg };
}

function perSample(p: PhaseCost): number {
  return finite(p.samples) > 0 ? p.samples : 1;
}

function modelText(c: CostReport): string {
  return `hw ${str(c.model?.name)} (${str(c.model?.description, 'no description')})`;
}

export function energyByCircuitChart(run: ReportRun, c: CostReport): Chart {
  const p = c.phases.train;
  const k = perSample(p);
  const byCircuit = p.energy?.byCircuit ?? ({} as Record<string, number>);
  const entries = Object.entries(byCircuit).map(([name, v]) => [name, finite(v) / k] as const).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((s, [, v]) => s + v, 0);
  const u = energyUnit(Math.max(0, ...entries.map(([, v]) => v)));
  const rows: HBarRow[] = entries.map(([name, v]) => ({
    label: name,
    segments: [{ key: name, value: v / u.factor, title: `${name}: ${formatEnergy(v)} per training sample (${formatPercent(total ? v / total : NaN, 1)})` }],
    note: formatPercent(total ? v / total : NaN, 1),
  }));
  const keys: BarKey[] = entries.map(([name]) => ({ key: name, label: name, color: circuitColor(name) }));
  const xLabel = `energy per training sample (${u.name})`;
  const yLabel = 'circuit';
  const title = 'Energy by circuit, train phase';
  const svg = hBarChart({ id: 'energy-circuit', title, xLabel, yLabel, rows, keys, showLegend: false });
  const caption = `Chip energy of the train phase per training sample, by circuit (total ${formatEnergy(total)}; static = leakage power × run time; `
    + `circuits with no energy left out), priced on ${modelText(c)}. ${provenance(run)}; source: cost report (phases.train.energy.byCircuit / phases.train.samples).`;
  return { id: 'energy-circuit', title, xLabel, yLabel, caption, svg };
}

export function energyByLayerChart(run: ReportRun, c: CostReport): Chart {
  const p = c.phases.train;
  const k = perSample(p);
  const layers = Object.entries(p.layers ?? {});
  const circuits = CIRCUITS.map((x) => x.name as string).filter((name) => layers.some(([, l]) => finite(l.byCircuit?.[name as keyof typeof l.byCircuit]) > 0));
  const max = Math.max(0, ...layers.map(([, l]) => finite(l.energyPJ) / k));
  const u = energyUnit(max);
  const rows: HBarRow[] = layers.map(([name, l]) => ({
    label: name,
    segments: circuits.map((cn) => {
      const v = finite(l.byCircuit?.[cn as keyof typeof l.byCircuit]) / k;
      return { key: cn, value: v / u.factor, title: `layer ${name}, ${cn}: ${formatEnergy(v)} per training sample` };
    }),
    note: formatEnergy(finite(l.energyPJ) / k),
  }));
  const keys: BarKey[] = circuits.map((cn) => ({ key: cn, label: cn, color: circuitColor(cn) }));
  const xLabel = `energy per training sample (${u.name})`;
  const yLabel = 'layer';
  const title = 'Energy by layer and circuit, train phase';
  const svg = hBarChart({ id: 'energy-layer', title, xLabel, yLabel, rows, keys, rowHeight: 30 });
  const caption = `Dynamic energy of each layer per training sample: its actions plus the NoC traffic into it, by circuit (static power and the barrier are chip-wide, not per layer), `
    + `priced on ${modelText(c)}. ${provenance(run)}; source: cost report (phases.train.layers[].byCircuit).`;
  return { id: 'energy-layer', title, xLabel, yLabel, caption, svg };
}

export function cyclesChart(run: ReportRun, c: CostReport): Chart {
  const keys: BarKey[] = STEP_PHASES.map((ph) => ({ key: ph, label: ph, color: PHASE_COLORS[ph] }));
  const groups: BarGroup[] = (['train', 'test'] as const).filter((ph) => c.phases[ph]).map((ph) => {
    const s = c.phases[ph].cycles?.perStep ?? ({} as Record<string, number>);
    return {
      label: ph === 'train' ? `train (learning), ${fmt(finite(s.total))} cycles` : `test (inference), ${fmt(finite(s.total))} cycles`,
      bars: [{ segments: STEP_PHASES.map((k) => ({ key: k, value: finite(s[k]), title: `${ph}, ${k}: ${fmt(finite(s[k]))} cycles per step` })) }],
    };
  });
  const xLabel = 'phase of the run';
  const yLabel = 'cycles per time step (cycles)';
  const title = 'Cycles per time step, by step phase';
  const svg = barChart({ id: 'cycles', title, xLabel, yLabel, groups, keys });
  const tr = c.phases.train;
  const caption = `Cycles of one time step: the slowest core's routing, integration, neuron and learning work (routing latency added to routing) plus the time-step barrier, `
    + `on ${modelText(c)} at ${fmt(finite(c.model?.clockHz) / 1e6)} MHz (train: ${formatTime(finite(tr?.latency?.perStepS))} per step, ${formatTime(finite(tr?.latency?.perSampleS))} per sample). `
    + `${provenance(run)}; source: cost report (phases.*.cycles.perStep).`;
  return { id: 'cycles', title, xLabel, yLabel, caption, svg };
}

const RESOURCES = ['host', 'link', 'chip'] as const;

/**
 * Stalls drawn on the timeline: the chip waiting for targets (idle before each batch, the
 * pipeline's fill included) and the host waiting for a buffer (idle between its batches),
 * as gaps between consecutive events of the resource (the DES's stall figures are their sums).
 */
export function timelineStalls(events: TimelineEvent[]): GanttStall[] {
  const out: GanttStall[] = [];
  const byRes = (r: string) => events.filter((e) => e.resource === r).sort((a, b) => a.batch - b.batch || a.start - b.start);
  const eps = 1e-12;
  let prev = 0;
  for (const e of byRes('chip')) {
    if (e.start - prev > eps) out.push({ row: 'chip', start: prev, end: e.start, title: `chip waiting for targets before batch ${e.batch}: ${formatTime(e.start - prev)}` });
    prev = Math.max(prev, e.end);
  }
  const host = byRes('host');
  for (let i = 1; i < host.length; i++) {
    const gap = host[i].start - host[i - 1].end;
    if (gap > eps) out.push({ row: 'host', start: host[i - 1].end, end: host[i].start, title: `host waiting for a buffer before batch ${host[i].batch}: ${formatTime(gap)}` });
  }
  return out;
}

export function ganttChartFor(run: ReportRun, r: PipelineResult, maxBatches: number): Chart {
  const s = str(r.schedule);
  const all = Array.isArray(r.timeline) ? r.timeline : [];
  const batches = finite(r.batches, 0) || new Set(all.map((e) => e.batch)).size;
  const shownBatches = Math.min(batches, Math.max(1, Math.floor(maxBatches)));
  const shown = all.filter((e) => e.batch < shownBatches);
  const end = Math.max(0, ...shown.map((e) => finite(e.end)));
  const u = timeUnit(end);
  const events: GanttEvent[] = shown.map((e) => ({
    row: e.resource, start: e.start, end: e.end, busy: e.busy,
    title: `${e.resource}, batch ${e.batch}: ${formatTime(e.start)} – ${formatTime(e.end)}${e.busy < e.end - e.start - 1e-15 ? ` (busy ${formatTime(e.busy)})` : ''}; ${e.what}`,
  }));
  const stalls = s === 'hil' ? [] : timelineStalls(shown);
  const xLabel = `time since the first batch (${u.name})`;
  const yLabel = 'resource';
  const title = `Host / link / chip timeline, ${s} schedule`;
  const svg = ganttChart({
    id: `gantt-${s}`, title, xLabel, yLabel, unit: u.factor, events, stalls,
    rows: RESOURCES.map((k) => ({ key: k, label: k, color: RESOURCE_COLORS[k] })),
    stallLabel: 'stall: chip waiting for targets / host waiting for a buffer',
  });
  const util = r.utilisation ?? { host: NaN, link: NaN, chip: NaN };
  const st = r.stalls ?? { chipWaitingForTargets: NaN, hostWaitingForBuffer: NaN };
  const shownText = shownBatches < batches
    ? `First ${shownBatches} of ${batches} batches shown (${3 * shownBatches} of ${all.length} bars; the page draws at most ${maxBatches} batches)`
    : `All ${batches} batches shown`;
  const hilText = s === 'hil' ? ' In hil the resources take turns every time step inside a batch\'s window: the solid part of each bar is the resource\'s share, the faint rest its waiting.' : ' Hatched: idle time the schedule forces (the chip waiting for targets, the host waiting for a free buffer).';
  const caption = `${shownText}, ${finite(r.samples) && batches ? Math.round(finite(r.samples) / batches) : '?'} samples each. Whole run: makespan ${formatTime(finite(r.makespan))}; `
    + `utilisation host ${formatPercent(finite(util.host, NaN), 0)}, link ${formatPercent(finite(util.link, NaN), 0)}, chip ${formatPercent(finite(util.chip, NaN), 0)}; `
    + `stalls: chip waiting for targets ${formatTime(finite(st.chipWaitingForTargets))}, host waiting for a buffer ${formatTime(finite(st.hostWaitingForBuffer))}.${hilText} `
    + `${provenance(run)}; source: pipeline report (comparison.${s}.timeline), discrete-event simulation of src/pipeline/des.ts.`;
  return { id: `gantt-${s}`, title, xLabel, yLabel, caption, svg, wide: true };
}

export function robustnessChart(run: ReportRun, r: RobustnessCurves, id = 'robustness'): Chart {
  const pts = (v: number[]): [number, number][] => r.levels.map((l, i) => [l, 100 * v[i]]);
  const xLabel = r.unit ? `${r.vary} (${r.unit})` : r.vary;
  const yLabel = 'test accuracy (%)';
  const title = `Robustness: accuracy vs ${r.vary}`;
  const svg = lineChart({
    id, title, xLabel, yLabel, yDomain: [0, 100],
    series: [
      { label: 'ideal chip', color: seriesColor(2), points: pts(r.ideal) },
      { label: 'deployed (no calibration)', color: seriesColor(3), points: pts(r.deployed) },
      { label: 'after on-chip calibration', color: seriesColor(0), points: pts(r.calibrated) },
    ],
    pointTitle: (s, p) => `${s.label}, ${r.vary} ${fmt(p[0])}${r.unit ? ` ${r.unit}` : ''}: ${p[1].toFixed(2)} %`,
  });
  const caption = `Test accuracy of the chip trained ideally, deployed on a chip with ${r.vary} as is, and after calibrating on chip, at ${r.levels.length} level(s). `
    + `${provenance(run)}; source: ${r.source ? `${r.source} (robustness field)` : 'the run\'s robustness field'}.`;
  return { id, title, xLabel, yLabel, caption, svg };
}

export function memoryChart(run: ReportRun, m: MemoryCurves): Chart {
  const max = Math.max(0, ...m.rules.flatMap((r) => r.bytes));
  const u = byteUnit(max);
  const xLabel = 'time window T (time steps)';
  const yLabel = `learning-state memory (${u.name})`;
  const title = 'Learning memory vs time window';
  const svg = lineChart({
    id: 'memory', title, xLabel, yLabel, xInteger: true,
    series: m.rules.map((r, i) => ({ label: r.rule, color: seriesColor(i), points: m.windows.map((w, j): [number, number] => [w, r.bytes[j] / u.factor]) })),
    pointTitle: (s, p) => `${s.label}, T = ${p[0]}: ${fmt(p[1])} ${u.name}`,
  });
  const caption = `Memory each rule keeps for learning (traces, stored states, accumulators) as the time window grows, for this run's network. `
    + `${provenance(run)}; source: ${m.source ? `${m.source} (memory field)` : 'the run\'s memory field'}.`;
  return { id: 'memory', title, xLabel, yLabel, caption, svg };
}

/**
 * Every chart the run has data for, in page order (learning, energy, cycles, the optional
 * curves, then the timelines), and notes on what was left out.
 */
export function reportCharts(run: ReportRun, opts: ChartOptions = {}): ChartSet {
  const charts: Chart[] = [accuracyChart(run), updatesChart(run)];
  const notes: string[] = [];
  if (run.cost?.phases?.train) {
    charts.push(energyByCircuitChart(run, run.cost), energyByLayerChart(run, run.cost), cyclesChart(run, run.cost));
    // Per-step timing (src/timing): only when the run was timed step by step on this model.
    charts.push(...timingCharts(run, run.cost));
    if (!run.cost.phases.train.timing) notes.push('This run\'s cost carries no per-step timing (priced from counts only): the step-latency histogram and the mesh heat map are left out. `ncsim train --hw MODEL` times every step.');
  } else {
    notes.push('This run has no cost report (the "cost" field): the energy and cycle charts are left out. `ncsim train` adds one with --hw.');
  }
  const problems = checkOptionalFields(run as unknown as Record<string, unknown>);
  const bad = new Set(problems.map((p) => p.field.split(/[.[]/)[0]));
  if (run.robustness !== undefined && !bad.has('robustness')) {
    const all = Array.isArray(run.robustness) ? run.robustness : [run.robustness];
    all.forEach((r, i) => charts.push(robustnessChart(run, r, all.length > 1 ? `robustness-${i + 1}` : 'robustness')));
  }
  if (run.memory !== undefined && !bad.has('memory')) charts.push(memoryChart(run, run.memory));
  const cmp = run.pipeline?.comparison;
  if (cmp) {
    for (const s of ['pipelined', 'sequential', 'hil'] as const) {
      const r = cmp[s];
      if (r) charts.push(ganttChartFor(run, r, opts.ganttBatches ?? DEFAULT_GANTT_BATCHES));
    }
  } else {
    notes.push('This run has no pipeline report (the "pipeline" field): the host/link/chip timelines are left out.');
  }
  for (const p of problems) notes.push(`The "${p.field}" field is not in the expected shape (expected ${p.expected}): its chart is left out.`);
  return { charts, notes };
}

// ---------------------------------------------------------------------------------------------
// Several runs side by side

function compareProvenance(runs: LabelledRun[]): string {
  return `ncsim compare of ${runs.length} runs (${runs.map((r) => `${r.label}: rule ${str(r.run.options?.rule)}, hw ${str(r.run.cost?.model?.name, 'not priced')}`).join('; ')})`;
}

export function compareAccuracyChart(runs: LabelledRun[]): Chart {
  const series: LineSeries[] = runs.map(({ label, run }, i) => ({
    label: `${label}: SNN`,
    color: seriesColor(i),
    points: [[0, 100 * finite(run.snn?.initialTestAccuracy, NaN)], ...(run.snn?.epochs ?? []).map((e): [number, number] => [e.epoch, 100 * finite(e.testAccuracy, NaN)])],
  }));
  const refLines = runs.map(({ label, run }, i) => ({ label: `${label}: teacher`, value: 100 * finite(run.teacher?.testAccuracy, NaN), color: seriesColor(i), dash: '6 4' }));
  const xLabel = 'epoch of on-chip learning (0 = before learning)';
  const yLabel = 'test accuracy (%)';
  const title = 'Test accuracy per epoch';
  const maxEpoch = Math.max(1, ...runs.flatMap(({ run }) => (run.snn?.epochs ?? []).map((e) => finite(e.epoch))));
  const svg = lineChart({ id: 'cmp-accuracy', title, xLabel, yLabel, series, refLines, xDomain: [0, maxEpoch], xInteger: true, yDomain: [0, 100] });
  const caption = `SNN test accuracy after each epoch (solid) and each run's ANN teacher (dashed). ${compareProvenance(runs)}; source: snn.epochs, teacher.testAccuracy of each run.`;
  return { id: 'cmp-accuracy', title, xLabel, yLabel, caption, svg };
}

export function compareEnergyChart(runs: LabelledRun[]): Chart {
  const priced = runs.filter((r) => r.run.cost?.phases?.train);
  const perRun = priced.map(({ label, run }) => {
    const p = run.cost!.phases.train;
    const k = perSample(p);
    return { label, model: str(run.cost!.model?.name), byCircuit: Object.fromEntries(Object.entries(p.energy?.byCircuit ?? {}).map(([c, v]) => [c, finite(v) / k])) as Record<string, number> };
  });
  const circuits = CIRCUITS.map((c) => c.name as string).filter((c) => perRun.some((r) => (r.byCircuit[c] ?? 0) > 0));
  const totals = perRun.map((r) => Object.values(r.byCircuit).reduce((s, v) => s + Math.max(0, v), 0));
  const u = energyUnit(Math.max(0, ...totals));
  const rows: HBarRow[] = perRun.map((r, i) => ({
    label: `${r.label} (${r.model})`,
    segments: circuits.map((c) => ({ key: c, value: (r.byCircuit[c] ?? 0) / u.factor, title: `${r.label}, ${c}: ${formatEnergy(r.byCircuit[c] ?? 0)} per training sample` })),
    note: formatEnergy(totals[i]),
  }));
  const keys: BarKey[] = circuits.map((c) => ({ key: c, label: c, color: circuitColor(c) }));
  const xLabel = `energy per training sample (${u.name})`;
  const yLabel = 'run (hardware model)';
  const title = 'Energy per training sample by circuit';
  const svg = hBarChart({ id: 'cmp-energy', title, xLabel, yLabel, rows, keys, rowHeight: 34 });
  const left = runs.length - priced.length;
  const caption = `Chip energy of the train phase per training sample, stacked by circuit${left ? ` (${left} run(s) without a cost report left out)` : ''}. ${compareProvenance(runs)}; source: cost reports (phases.train.energy.byCircuit / samples).`;
  return { id: 'cmp-energy', title, xLabel, yLabel, caption, svg };
}

export function compareCyclesChart(runs: LabelledRun[]): Chart {
  const keys: BarKey[] = STEP_PHASES.map((ph) => ({ key: ph, label: ph, color: PHASE_COLORS[ph] }));
  const groups: BarGroup[] = runs.filter((r) => r.run.cost?.phases?.train).map(({ label, run }) => {
    const s = run.cost!.phases.train.cycles?.perStep ?? ({} as Record<string, number>);
    return { label, bars: [{ segments: STEP_PHASES.map((k) => ({ key: k, value: finite(s[k]), title: `${label}, ${k}: ${fmt(finite(s[k]))} cycles per step` })) }] };
  });
  const xLabel = 'run';
  const yLabel = 'cycles per training time step (cycles)';
  const title = 'Cycles per training time step, by step phase';
  const svg = barChart({ id: 'cmp-cycles', title, xLabel, yLabel, groups, keys });
  const caption = `Cycles of one training time step on each run's hardware model (slowest core + routing latency + barrier; clocks differ: see the table). ${compareProvenance(runs)}; source: cost reports (phases.train.cycles.perStep).`;
  return { id: 'cmp-cycles', title, xLabel, yLabel, caption, svg };
}

export function compareUpdatesChart(runs: LabelledRun[]): Chart {
  const layerNames = [...new Set(runs.flatMap(({ run }) => (run.learning?.layers ?? []).map((l) => l.name)))];
  const keys: BarKey[] = runs.map(({ label }, i) => ({ key: `run${i}`, label, color: seriesColor(i) }));
  const groups: BarGroup[] = layerNames.map((name) => ({
    label: `layer ${name}`,
    bars: runs.map(({ label, run }, i) => {
      const l = (run.learning?.layers ?? []).find((x) => x.name === name);
      const frac = l && finite(l.denseUpdates) > 0 ? finite(l.updates) / l.denseUpdates : 0;
      return { segments: [{ key: `run${i}`, value: 100 * frac, title: `${label}, layer ${name}: ${formatPercent(frac, 1)} of dense update events issued` }] };
    }),
  }));
  const xLabel = 'layer (one bar per run)';
  const yLabel = 'update events issued / dense (%)';
  const title = 'Share of dense update events issued, per layer';
  const svg = barChart({ id: 'cmp-updates', title, xLabel, yLabel, groups, keys, yFormat: tickFormat(20, 100) });
  const caption = `Update events issued by the learning circuits as a share of what a dense rule would write, over each run's training. ${compareProvenance(runs)}; source: learning.layers[] of each run.`;
  return { id: 'cmp-updates', title, xLabel, yLabel, caption, svg };
}

export function compareCharts(runs: LabelledRun[]): ChartSet {
  const charts = [compareAccuracyChart(runs), compareUpdatesChart(runs)];
  const notes: string[] = [];
  if (runs.some((r) => r.run.cost?.phases?.train)) charts.push(compareCyclesChart(runs), compareEnergyChart(runs));
  else notes.push('No run has a cost report: the energy and cycle charts are left out.');
  return { charts, notes };
}
