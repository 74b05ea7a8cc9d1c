/**
 * What `ncsim cost RUN.json --hw MODEL` can say about time without simulating again.
 *
 * Energy is always re-priced: it is linear in the run's counts. Per-step timing is not: it needs
 * each step's spikes, which a run does not store. So the per-step timing of a train report is
 * reused only when it was simulated on a model with the same timing figures (fingerprint below)
 * and the same placement; otherwise the cost carries the average estimate, labelled as such
 * (`latency.kind: "average"`, `timing: null`) and the text names the command that re-runs it.
 */
import type { CostReport, PhaseName } from './cost.js';
import type { HwModel } from './hwmodel.js';
import type { PhaseTiming } from '../timing/summary.js';

/** A short hash of every figure the step timer reads (latencies, lanes, overheads, mesh, barrier). */
export function timingFingerprint(m: HwModel): string {
  const figures = {
    clock: m.clock.value, lanes: m.cores.lanes, overheads: m.overheads,
    actions: Object.fromEntries(Object.entries(m.actions).map(([k, a]) => [k, a.latency.value])),
    mesh: m.noc.mesh, input: m.noc.inputSource.value, noc: [m.noc.packetSent, m.noc.packetReceived, m.noc.hopX, m.noc.hopY].map((e) => e.latency.value),
    barrier: [m.barrier.latency.value, ...(m.barrier.byTiles ?? []).map((e) => [e.tiles, e.latency.value])],
  };
  const text = JSON.stringify(figures, (k, v) => (k === 'source' || k === 'note' || k === 'given' ? undefined : v));
  let h = 0x811c9dc5; // FNV-1a, 32 bits
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * The per-step timing stored in a train report (`doc`), when it was simulated on the same
 * timing figures and placement as `fresh` (a cost of the same run on the asked model); else undefined.
 */
export function storedTiming(doc: unknown, fresh: CostReport): Partial<Record<PhaseName, PhaseTiming>> | undefined {
  const old = (doc as { cost?: CostReport } | null)?.cost;
  if (!old || typeof old !== 'object' || !old.model || !old.phases) return undefined;
  if (old.model.timingFingerprint !== fresh.model.timingFingerprint) return undefined;
  if (JSON.stringify(old.mapping?.layers) !== JSON.stringify(fresh.mapping.layers)) return undefined;
  const out: Partial<Record<PhaseName, PhaseTiming>> = {};
  for (const p of ['train', 'test'] as const) {
    const t = old.phases[p]?.timing;
    if (t && t.kind === 'simulated') out[p] = t;
  }
  return out.train || out.test ? out : undefined;
}
