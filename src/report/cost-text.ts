/** The cost report as a short table for a terminal (the JSON cost report is the data). */
import type { CostReport } from '../cost/cost.js';
import type { PipelineReport } from '../pipeline/params.js';
import { table } from './text.js';

/** Energy in pJ with an engineering unit (pJ .. J). */
export const eng = (pj: number): string => {
  const units: [number, string][] = [[1e12, 'J'], [1e9, 'mJ'], [1e6, 'uJ'], [1e3, 'nJ'], [1, 'pJ']];
  for (const [f, u] of units) if (Math.abs(pj) >= f) return `${(pj / f).toPrecision(4)} ${u}`;
  return `${pj.toPrecision(4)} pJ`;
};
/** Seconds with a unit (us, ms, s). */
export const sec = (s: number): string => (s >= 1 ? `${s.toPrecision(4)} s` : s >= 1e-3 ? `${(s * 1e3).toPrecision(4)} ms` : `${(s * 1e6).toPrecision(4)} us`);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The per-step timing rows of a phase (src/timing), or what is missing and the command that gives it. */
function timingRows(c: CostReport, phase: 'train' | 'test'): [string, string][] {
  const p = c.phases[phase], t = p.timing;
  if (!t) {
    return p.steps > 0
      ? [[`latency per step (${phase})`, `${sec(p.latency.perStepS)}  (average estimate from counts; per-step timing needs the run simulated on this model and placement: ncsim train ... --hw ${c.model.name} --mapping POLICY)`]]
      : [];
  }
  if (t.steps === 0) return [];
  const d = t.stepLatency;
  const rows: [string, string][] = [
    [`latency per step (${phase})`, `mean ${sec(d.meanS)}, p50 ${sec(d.p50S)}, p99 ${sec(d.p99S)}, max ${sec(d.maxS)}  (simulated, ${int(t.steps)} steps; barrier ${sec(t.barrierS)} for ${t.tilesUsed} tiles)`],
    [`  critical cores (${phase})`, t.criticalCores.slice(0, 3).map((k) => `core ${k.core} in ${(100 * k.fraction).toFixed(1)} % of steps`).join(', ')],
    [`  busiest cores (${phase})`, [...t.cores].sort((a, b) => b.utilisation - a.utilisation || a.core - b.core).slice(0, 3).map((k) => `core ${k.core} ${(100 * k.utilisation).toFixed(1)} %`).join(', ')],
    [`  messages per step (${phase})`, `${int(t.messages.perStep)}  (from the input ${int(t.messages.fromInput / t.steps)}; hops X ${int(t.messages.hopsX / t.steps)}, Y ${int(t.messages.hopsY / t.steps)})`],
  ];
  if (t.hottestLinks.length) {
    rows.push([`  hottest links (${phase})`, t.hottestLinks.slice(0, 3).map((l) => `(${l.from.x},${l.from.y})->(${l.to.x},${l.to.y}) ${int(l.messages / t.steps)}/step (max ${int(l.maxPerStep)})`).join(', ')]);
  }
  if (t.updates.count) rows.push([`  end-of-sample updates (${phase})`, `${int(t.updates.count)}, mean ${sec(t.updates.meanS)}, max ${sec(t.updates.maxS)}`]);
  return rows;
}

export function costText(c: CostReport): string {
  const tr = c.phases.train, te = c.phases.test;
  const rows: [string, string][] = [
    [`cost on ${c.model.name} — ${c.model.description}`, ''],
    ['cores used', `${c.mapping.coresUsed} of ${c.mapping.coresAvailable}`],
    ...timingRows(c, 'train'),
    ...timingRows(c, 'test'),
    ['cycles per step (train)', `${tr.cycles.perStep.total.toFixed(0)}  (routing ${tr.cycles.perStep.routing.toFixed(0)}, integration ${tr.cycles.perStep.integration.toFixed(0)}, neuron ${tr.cycles.perStep.neuron.toFixed(0)}, learning ${tr.cycles.perStep.learning.toFixed(0)}, barrier ${tr.cycles.perStep.barrier.toFixed(0)}; average model)`],
    ['latency per training sample', sec(tr.latency.perSampleS)],
    ['latency per epoch', tr.latency.perEpochS === null ? '-' : sec(tr.latency.perEpochS)],
    ['energy per training sample', `${eng(tr.energy.perSamplePJ)}  (static ${eng(tr.energy.staticPJ / Math.max(1, tr.samples))})`],
    ['energy per epoch', tr.energy.perEpochPJ === null ? '-' : eng(tr.energy.perEpochPJ)],
    ['energy per inference sample', eng(te.energy.perSamplePJ)],
    ['updates gated off by the learning circuit', `${tr.gating.gatedOff.toLocaleString('en-US')} of ${tr.gating.dense.toLocaleString('en-US')}, saving ${eng(tr.gating.savedPJ)}`],
  ];
  const circuits = Object.entries(tr.energy.byCircuit).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  for (const [name, v] of circuits) rows.push([`  train energy: ${name}`, `${eng(v)}  (${((100 * v) / tr.energy.totalPJ).toFixed(1)} %)`]);
  for (const [name, l] of Object.entries(tr.layers)) rows.push([`  train energy: layer ${name}`, eng(l.energyPJ)]);
  rows.push(['memory: parameters / learning state', `${c.memory.parameterBytes.toLocaleString('en-US')} B / ${c.memory.learningStateBytes.toLocaleString('en-US')} B`]);
  return table(rows);
}

export function pipelineText(p: PipelineReport): string {
  const c = p.comparison;
  const rows: [string, string][] = [[`host/link/chip pipeline — ${p.params.batches} batches of ${p.params.batchSize} samples (first: ${p.schedule})`, '']];
  const order = [p.schedule, ...(['pipelined', 'sequential', 'hil'] as const).filter((s) => s !== p.schedule)];
  for (const s of order) {
    const r = c[s];
    if (!r) continue;
    rows.push([`${s}: makespan`, `${sec(r.makespan)}  (utilisation host ${(100 * r.utilisation.host).toFixed(0)} %, link ${(100 * r.utilisation.link).toFixed(0)} %, chip ${(100 * r.utilisation.chip).toFixed(0)} %)`]);
    rows.push([`${s}: stalls`, `chip waiting for targets ${sec(r.stalls.chipWaitingForTargets)}, host waiting for a buffer ${sec(r.stalls.hostWaitingForBuffer)}`]);
    rows.push([`${s}: energy`, `${eng(r.energy.total * 1e12)}`]);
  }
  return table(rows);
}
