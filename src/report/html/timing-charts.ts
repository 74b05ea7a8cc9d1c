/**
 * The per-step timing charts (src/timing), drawn when the run was timed step by step: the
 * distribution of step latencies (the timer's fixed-bin histogram) and a heat map of the mesh,
 * one cell per used core at its tile, coloured by its utilisation, the cores most often critical
 * outlined. Both read the cost report's `phases.*.timing` only.
 */
import type { CostReport } from '../../cost/cost.js';
import type { PhaseTiming } from '../../timing/summary.js';
import type { ReportRun } from './types.js';
import { provenance, Chart } from './charts.js';
import { barChart, BarGroup, esc, n, fmt, finite, formatTime, formatPercent } from './svg.js';


/** A phase's timing in the shape the charts read (a run file may carry anything). */
function timingOf(c: CostReport, phase: 'train' | 'test'): PhaseTiming | undefined {
  const t = c.phases?.[phase]?.timing as PhaseTiming | null | undefined;
  if (!t || typeof t !== 'object' || !(finite(t.steps) > 0)) return undefined;
  const ok = Array.isArray(t.histogram?.counts) && typeof t.stepLatency === 'object' && t.stepLatency !== null
    && Array.isArray(t.cores) && t.cores.every((k) => Number.isInteger(k?.x) && Number.isInteger(k?.y) && k.x >= 0 && k.y >= 0 && k.x < 1024 && k.y < 1024)
    && Array.isArray(t.criticalCores) && Array.isArray(t.hottestLinks);
  return ok ? t : undefined;
}

/** Step latencies of a phase as a histogram (bins of the timer, labelled by their lower edge). */
export function latencyHistogramChart(run: ReportRun, c: CostReport, phase: 'train' | 'test'): Chart | undefined {
  const t = timingOf(c, phase);
  if (!t) return undefined;
  const h = t.histogram, bins = h.counts.length;
  const every = Math.max(1, Math.ceil(bins / 5));
  const groups: BarGroup[] = h.counts.map((count, i) => {
    const lo = finite(h.lowS) + i * finite(h.binS);
    return {
      label: i % every === 0 ? formatTime(lo) : '',
      bars: [{ segments: [{ key: 'steps', value: count, title: `${formatTime(lo)} to ${formatTime(lo + finite(h.binS))}: ${count} steps` }] }],
    };
  });
  const id = `step-latency-${phase}`;
  const title = `Latency of a ${phase === 'train' ? 'training' : 'test'} time step, step by step`;
  const xLabel = 'latency of a time step, bin lower edge (s)';
  const yLabel = 'time steps (steps)';
  const svg = barChart({ id, title, xLabel, yLabel, groups, keys: [{ key: 'steps', label: 'steps', color: phase === 'train' ? '#0072B2' : '#009E73' }] });
  const d = t.stepLatency;
  const caption = `Each of the ${t.steps} ${phase} steps timed from its own activity on the mesh of ${c.model.name} (mapping ${c.mapping.coresUsed} cores): `
    + `mean ${formatTime(d.meanS)}, p50 ${formatTime(d.p50S)}, p99 ${formatTime(d.p99S)}, max ${formatTime(d.maxS)}; `
    + `barrier ${formatTime(t.barrierS)} for ${t.tilesUsed} tiles; ${t.meshLimitedSteps ?? 0} steps limited by a mesh link. `
    + `${provenance(run)}; source: cost report (phases.${phase}.timing.histogram).`;
  return { id, title, xLabel, yLabel, caption, svg };
}

/** Blue (idle) to orange (busy): a colour-blind-safe ramp. */
function heat(u: number): string {
  const v = Math.max(0, Math.min(1, u));
  const a = [0xde, 0xeb, 0xf7], b = [0xe6, 0x55, 0x0d];
  return `rgb(${a.map((x, i) => Math.round(x + (b[i] - x) * v)).join(',')})`;
}

/** The mesh with each used core at its tile, coloured by utilisation; the most often critical cores outlined. */
export function meshHeatMapChart(run: ReportRun, c: CostReport, phase: 'train' | 'test'): Chart | undefined {
  const t = timingOf(c, phase);
  if (!t || !t.cores.length) return undefined;
  const nx = Math.max(...t.cores.map((k) => k.x)) + 1, ny = Math.max(...t.cores.map((k) => k.y)) + 1;
  // Cores of one tile side by side, in index order.
  const byTile = new Map<string, PhaseTiming['cores']>();
  for (const k of t.cores) {
    const key = `${k.x},${k.y}`;
    byTile.set(key, [...(byTile.get(key) ?? []), k]);
  }
  const perTile = Math.max(...[...byTile.values()].map((v) => v.length));
  const cols = Math.ceil(Math.sqrt(perTile)), rows = Math.ceil(perTile / cols);
  const cell = Math.max(10, Math.min(36, Math.floor(520 / (nx * cols + nx))));
  const tileW = cols * cell + 6, tileH = rows * cell + 6;
  const left = 48, top = 26, width = Math.max(360, left + nx * (tileW + 4) + 10), height = top + ny * (tileH + 4) + 70;
  const critical = new Set(t.criticalCores.slice(0, 3).map((k) => k.core));
  const id = `mesh-heat-${phase}`;
  const title = `Core utilisation on the mesh, ${phase} phase`;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${esc(id)}" viewBox="0 0 ${n(width)} ${n(height)}" width="${n(width)}" height="${n(height)}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>`;
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      // y grows upwards on the mesh (north): draw row y = 0 at the bottom.
      const tx = left + x * (tileW + 4), ty = top + (ny - 1 - y) * (tileH + 4);
      svg += `<rect x="${n(tx)}" y="${n(ty)}" width="${n(tileW)}" height="${n(tileH)}" fill="none" stroke="#bbb"><title>${esc(`tile (${x}, ${y})`)}</title></rect>`;
      (byTile.get(`${x},${y}`) ?? []).forEach((k, i) => {
        const cx = tx + 3 + (i % cols) * cell, cy = ty + 3 + Math.floor(i / cols) * cell;
        const stroke = critical.has(k.core) ? ' stroke="#000" stroke-width="2"' : '';
        const tip = `core ${k.core} at (${x}, ${y}): utilisation ${formatPercent(k.utilisation)}, slowest in ${k.criticalSteps} of ${t.steps} steps`;
        svg += `<rect x="${n(cx)}" y="${n(cy)}" width="${n(cell - 2)}" height="${n(cell - 2)}" fill="${heat(k.utilisation)}"${stroke}><title>${esc(tip)}</title></rect>`;
        if (cell >= 24) svg += `<text class="tick" x="${n(cx + (cell - 2) / 2)}" y="${n(cy + cell / 2 + 3)}" text-anchor="middle">${k.core}</text>`;
      });
    }
  }
  for (let x = 0; x < nx; x++) svg += `<text class="tick" x="${n(left + x * (tileW + 4) + tileW / 2)}" y="${n(top + ny * (tileH + 4) + 12)}" text-anchor="middle">x=${x}</text>`;
  for (let y = 0; y < ny; y++) svg += `<text class="tick" x="${n(left - 6)}" y="${n(top + (ny - 1 - y) * (tileH + 4) + tileH / 2 + 4)}" text-anchor="end">y=${y}</text>`;
  // Legend: the colour ramp from 0 to 100 % utilisation.
  const ly = height - 22;
  for (let i = 0; i <= 10; i++) svg += `<rect x="${n(left + i * 16)}" y="${n(ly)}" width="16" height="10" fill="${heat(i / 10)}"/>`;
  svg += `<text class="tick" x="${n(left)}" y="${n(ly - 3)}">0 %</text><text class="tick" x="${n(left + 176)}" y="${n(ly - 3)}" text-anchor="end">100 % busy</text>`;
  svg += `<text class="tick" x="${n(left + 200)}" y="${n(ly + 9)}">outlined: most often the slowest core</text>`;
  const xLabel = 'tile x, east; colour: core utilisation (%)', yLabel = 'tile y, north (tiles)';
  const cyMid = top + (ny * (tileH + 4)) / 2;
  svg += `<text class="axis-label x" x="${n(left + (nx * (tileW + 4)) / 2)}" y="${n(top + ny * (tileH + 4) + 28)}" text-anchor="middle">${esc(xLabel)}</text>`;
  svg += `<text class="axis-label y" x="12" y="${n(cyMid)}" text-anchor="middle" transform="rotate(-90 12 ${n(cyMid)})">${esc(yLabel)}</text>`;
  svg += '</svg>';
  const top3 = [...t.cores].sort((a, b) => b.utilisation - a.utilisation || a.core - b.core).slice(0, 3);
  const hot = t.hottestLinks?.[0];
  const caption = `Each used core of ${c.model.name} at its tile (x east, y north), coloured by its busy time over the ${phase} phase's simulated time (busier pipeline + learning); `
    + `busiest ${top3.map((k) => `core ${k.core} ${formatPercent(k.utilisation)}`).join(', ')}; `
    + `slowest most often: ${t.criticalCores.slice(0, 3).map((k) => `core ${k.core} (${formatPercent(k.fraction)} of steps)`).join(', ')}`
    + (hot ? `; hottest link (${hot.from.x},${hot.from.y})->(${hot.to.x},${hot.to.y}), ${fmt(hot.messages / t.steps)} messages per step` : '')
    + `. ${provenance(run)}; source: cost report (phases.${phase}.timing.cores).`;
  return { id, title, xLabel, yLabel, caption, svg };
}

/** The timing charts a run has data for (none for a run priced without per-step timing). */
export function timingCharts(run: ReportRun, c: CostReport): Chart[] {
  const out: Chart[] = [];
  for (const ph of ['train', 'test'] as const) {
    const h = latencyHistogramChart(run, c, ph);
    if (h) out.push(h);
  }
  const m = meshHeatMapChart(run, c, 'train') ?? meshHeatMapChart(run, c, 'test');
  if (m) out.push(m);
  return out;
}
