/**
 * Small SVG chart primitives for the HTML report: linear scales with "nice" ticks, number and
 * unit formatting, escaping, and four chart shapes (lines, vertical grouped/stacked bars,
 * horizontal stacked bars, a Gantt timeline). Strings in, strings out: no DOM, no canvas, so
 * the same code runs in Node (to write the file) and is tested there.
 *
 * Why not a chart library: the report must open from disk with no network and no script
 * (the page's Content-Security-Policy forbids both), and the usual libraries (Chart.js: canvas
 * + script; Vega/Plotly: script, and > 1 MB) either draw in the browser or need a DOM to render
 * SVG on the server. Five chart shapes are a few hundred lines of string building.
 *
 * Conventions: every number written into an attribute goes through `n()` (finite, rounded to
 * 0.01, never NaN); every text through `esc()`. Negative bar values are drawn as 0 (the report's
 * bars are counts and energies). Empty data draws the axes and a "no data" note.
 */

// ---------------------------------------------------------------------------------------------
// Escaping and numbers

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value, escaped for HTML and SVG. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A coordinate for an attribute: rounded to 0.01, trailing zeros cut; non-finite → "0". */
export function n(x: number): string {
  if (!Number.isFinite(x)) return '0';
  const r = Math.round(x * 100) / 100;
  return String(r === 0 ? 0 : r);
}

/** Finite numbers only: anything else (NaN, ±Infinity, null, a string) becomes `fallback`. */
export function finite(x: unknown, fallback = 0): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : fallback;
}

// ---------------------------------------------------------------------------------------------
// Scales and ticks

export interface Ticks {
  /** The domain widened to whole steps. */
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
}

/** 1, 2 or 5 times a power of ten, near span / count. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/**
 * Ticks for [lo, hi] at a nice step (about `count` of them), the domain widened to whole steps.
 * Degenerate input is made drawable: non-finite ends → [0, 1]; lo = hi → a unit (or 10 %) span
 * around it; lo > hi swapped. `integer`: steps of at least 1 (epochs, batches).
 */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): Ticks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = lo >= 0 && lo - pad < 0 ? [0, hi + pad] : [lo - pad, hi + pad];
  }
  let step = niceStep(hi - lo, count);
  if (integer) step = Math.max(1, Math.round(step));
  const at = (i: number) => Number((i * step).toPrecision(12));
  // whole steps around the domain, forgiving float noise (0.3 / 0.1 = 2.9999999999999996)
  let first = Math.floor(lo / step + 1e-9), last = Math.ceil(hi / step - 1e-9);
  if (at(first) > lo) first--;
  if (at(last) < hi) last++;
  const ticks: number[] = [];
  for (let i = first; i <= last && ticks.length < 100; i++) ticks.push(at(i));
  // spans near the limits of doubles (subnormal steps): the two ends are the ticks
  if (ticks.length < 2 || !ticks.every(Number.isFinite) || ticks[0] > lo || ticks[ticks.length - 1] < hi) return { lo, hi, step: hi - lo, ticks: [lo, hi] };
  return { lo: ticks[0], hi: ticks[ticks.length - 1], step, ticks };
}

export type Scale = (v: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to r0. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0;
  return (v) => (span === 0 || !Number.isFinite(span) ? r0 : r0 + ((v - d0) / span) * (r1 - r0));
}

const SI: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

/** Tick labels at `step`: "0.25", "40", "1.5k", "600M" (SI suffixes from 10,000 up). */
export function tickFormat(step: number, maxAbs: number): (v: number) => string {
  let div = 1, suffix = '';
  if (maxAbs >= 1e4) for (const [f, s] of SI) if (maxAbs >= f) { div = f; suffix = s; break; }
  const s = step / div;
  // the fewest decimals that write the step exactly (0.2 -> 1, 0.25 -> 2, 5 -> 0)
  let decimals = 0;
  while (decimals < 12 && s > 0 && Math.abs(Math.round(s * 10 ** decimals) - s * 10 ** decimals) > 1e-6 * s * 10 ** decimals) decimals++;
  return (v) => {
    const x = v / div;
    const t = x.toFixed(decimals);
    if (Number(t) === 0) return suffix ? '0' : (0).toFixed(decimals);
    return t + suffix;
  };
}

/** A number for prose and tooltips: 4 significant digits, thousands separated when large. */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e4 && Number.isInteger(Math.round(x))) return Math.round(x).toLocaleString('en-US');
  return String(Number(x.toPrecision(digits)));
}

export interface Unit { name: string; factor: number }

function pickUnit(maxAbs: number, units: Unit[]): Unit {
  for (const u of units) if (Math.abs(maxAbs) >= u.factor) return u;
  return units[units.length - 1];
}

const ENERGY_UNITS: Unit[] = [{ name: 'J', factor: 1e12 }, { name: 'mJ', factor: 1e9 }, { name: 'µJ', factor: 1e6 }, { name: 'nJ', factor: 1e3 }, { name: 'pJ', factor: 1 }];
const TIME_UNITS: Unit[] = [{ name: 's', factor: 1 }, { name: 'ms', factor: 1e-3 }, { name: 'µs', factor: 1e-6 }, { name: 'ns', factor: 1e-9 }];
const BYTE_UNITS: Unit[] = [{ name: 'GB', factor: 1e9 }, { name: 'MB', factor: 1e6 }, { name: 'kB', factor: 1e3 }, { name: 'B', factor: 1 }];

/** The unit for energies given in pJ whose largest value is `maxPJ`. */
export const energyUnit = (maxPJ: number): Unit => pickUnit(maxPJ, ENERGY_UNITS);
/** The unit for times given in seconds. */
export const timeUnit = (maxS: number): Unit => pickUnit(maxS, TIME_UNITS);
/** The unit for sizes given in bytes (powers of 1000). */
export const byteUnit = (maxB: number): Unit => pickUnit(maxB, BYTE_UNITS);

/** "94.65 µJ" from pJ; "100.5 µs" from s; "6.26 kB" from bytes. */
export const formatEnergy = (pj: number): string => { const u = energyUnit(pj); return `${fmt(pj / u.factor)} ${u.name}`; };
export const formatTime = (s: number): string => { const u = timeUnit(s); return `${fmt(s / u.factor)} ${u.name}`; };
export const formatBytes = (b: number): string => { const u = byteUnit(b); return `${fmt(b / u.factor)} ${u.name}`; };
export const formatPercent = (fraction: number, digits = 2): string => (Number.isFinite(fraction) ? `${(100 * fraction).toFixed(digits)} %` : '–');

// ---------------------------------------------------------------------------------------------
// Colours (Okabe–Ito for series: distinguishable with the common colour-vision deficiencies)

export const SERIES_COLORS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#7F7F7F', '#000000'];
/** Enough distinct colours for the fifteen circuits of the energy breakdown. */
export const CATEGORY_COLORS = [
  '#4E79A7', '#F28E2B', '#59A14F', '#E15759', '#76B7B2', '#EDC948', '#B07AA1', '#FF9DA7',
  '#9C755F', '#BAB0AC', '#1F77B4', '#8C564B', '#17BECF', '#BCBD22', '#7F7F7F', '#2CA02C',
];
export const seriesColor = (i: number): string => SERIES_COLORS[((i % SERIES_COLORS.length) + SERIES_COLORS.length) % SERIES_COLORS.length];
export const categoryColor = (i: number): string => CATEGORY_COLORS[((i % CATEGORY_COLORS.length) + CATEGORY_COLORS.length) % CATEGORY_COLORS.length];

// ---------------------------------------------------------------------------------------------
// Frame, axes, legend

export interface LegendItem {
  label: string;
  color: string;
  /** 'swatch' (a square, for bars) or 'line' (for series); default swatch. */
  kind?: 'swatch' | 'line' | 'hatch';
  opacity?: number;
  dash?: string;
}

const FONT = 11;
/** Rough width of a label at the chart font (no DOM to measure in): 0.6 em a character. */
export const textWidth = (s: string, size = FONT): number => s.length * size * 0.6;

/** Legend items in rows from (x, y), wrapped at maxWidth. Returns the markup and its height. */
export function legend(items: LegendItem[], x: number, y: number, maxWidth: number, hatchId?: string): { svg: string; height: number } {
  if (items.length === 0) return { svg: '', height: 0 };
  const rowH = 16;
  let cx = x, cy = y, out = '';
  for (const it of items) {
    const w = 18 + textWidth(it.label) + 14;
    if (cx > x && cx + w > x + maxWidth) { cx = x; cy += rowH; }
    const op = it.opacity !== undefined ? ` fill-opacity="${n(it.opacity)}"` : '';
    let mark: string;
    if (it.kind === 'line') {
      const dash = it.dash ? ` stroke-dasharray="${esc(it.dash)}"` : '';
      mark = `<line x1="${n(cx)}" y1="${n(cy + 6)}" x2="${n(cx + 14)}" y2="${n(cy + 6)}" stroke="${esc(it.color)}" stroke-width="2"${dash}/>`;
    } else if (it.kind === 'hatch' && hatchId) {
      mark = `<rect x="${n(cx)}" y="${n(cy)}" width="12" height="12" fill="url(#${esc(hatchId)})" stroke="${esc(it.color)}" stroke-width="0.5"/>`;
    } else {
      mark = `<rect x="${n(cx)}" y="${n(cy)}" width="12" height="12" fill="${esc(it.color)}"${op}/>`;
    }
    out += `<g class="legend-item">${mark}<text x="${n(cx + 18)}" y="${n(cy + 10)}">${esc(it.label)}</text></g>`;
    cx += w;
  }
  return { svg: `<g class="legend">${out}</g>`, height: cy - y + rowH };
}

/** Measures legend height without drawing (for laying out the plot area first). */
function legendHeight(items: LegendItem[], maxWidth: number): number {
  return legend(items, 0, 0, maxWidth).height;
}

export interface Box { x0: number; x1: number; y0: number; y1: number }

function svgOpen(id: string, width: number, height: number, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${esc(id)}" viewBox="0 0 ${n(width)} ${n(height)}" width="${n(width)}" height="${n(height)}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>`;
}

function xAxisLabel(label: string, box: Box, height: number): string {
  return `<text class="axis-label x" x="${n((box.x0 + box.x1) / 2)}" y="${n(height - 6)}" text-anchor="middle">${esc(label)}</text>`;
}

/** The value axis label, rotated along the left edge (smaller when longer than the plot is high). */
function yAxisLabel(label: string, box: Box): string {
  const cy = (box.y0 + box.y1) / 2;
  const room = box.y1 - box.y0 + 30;
  const w = textWidth(label, 12);
  const size = w > room ? ` font-size="${n(Math.max(8, (12 * room) / w))}"` : '';
  return `<text class="axis-label y" x="12" y="${n(cy)}" text-anchor="middle" transform="rotate(-90 12 ${n(cy)})"${size}>${esc(label)}</text>`;
}

/** Height kept above a category plot for its axis label (written level, over the row labels). */
const CATEGORY_LABEL_H = 18;

/** The category axis label of a horizontal chart: level, right-aligned over the row labels. */
function categoryAxisLabel(label: string, box: Box): string {
  return `<text class="axis-label y" x="${n(box.x0 - 6)}" y="${n(box.y0 - 6)}" text-anchor="end">${esc(label)}</text>`;
}

/** Horizontal grid and value ticks on the left. */
function yValueAxis(box: Box, t: Ticks, y: Scale, format: (v: number) => string): string {
  let out = '<g class="axis y">';
  for (const v of t.ticks) {
    const py = y(v);
    out += `<line class="grid" x1="${n(box.x0)}" x2="${n(box.x1)}" y1="${n(py)}" y2="${n(py)}"/>`;
    out += `<text class="tick" x="${n(box.x0 - 6)}" y="${n(py + 4)}" text-anchor="end">${esc(format(v))}</text>`;
  }
  out += `<line class="domain" x1="${n(box.x0)}" x2="${n(box.x0)}" y1="${n(box.y0)}" y2="${n(box.y1)}"/></g>`;
  return out;
}

/** Vertical grid and value ticks at the bottom. */
function xValueAxis(box: Box, t: Ticks, x: Scale, format: (v: number) => string): string {
  let out = '<g class="axis x">';
  for (const v of t.ticks) {
    const px = x(v);
    out += `<line class="grid" x1="${n(px)}" x2="${n(px)}" y1="${n(box.y0)}" y2="${n(box.y1)}"/>`;
    out += `<text class="tick" x="${n(px)}" y="${n(box.y1 + 16)}" text-anchor="middle">${esc(format(v))}</text>`;
  }
  out += `<line class="domain" x1="${n(box.x0)}" x2="${n(box.x1)}" y1="${n(box.y1)}" y2="${n(box.y1)}"/></g>`;
  return out;
}

function noData(box: Box, text = 'no data'): string {
  return `<text class="no-data" x="${n((box.x0 + box.x1) / 2)}" y="${n((box.y0 + box.y1) / 2)}" text-anchor="middle">${esc(text)}</text>`;
}

// ---------------------------------------------------------------------------------------------
// Line chart

export interface LineSeries {
  label: string;
  color: string;
  points: [number, number][];
  dash?: string;
  /** Draw a dot at every point (default true). */
  markers?: boolean;
  /** Join the points with a line (default true; false: a scatter). */
  line?: boolean;
}

export interface RefLine { label: string; value: number; color: string; dash?: string }

export interface LineChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Horizontal reference lines (e.g. the teacher's accuracy), in the legend too. */
  refLines?: RefLine[];
  /** Fixed domains; otherwise from the data (y always includes 0 unless yDomain says otherwise). */
  xDomain?: [number, number];
  yDomain?: [number, number];
  xInteger?: boolean;
  yFormat?: (v: number) => string;
  xFormat?: (v: number) => string;
  /** Tooltip text of a point. */
  pointTitle?: (s: LineSeries, p: [number, number]) => string;
  width?: number;
  height?: number;
}

export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 560, height = o.height ?? 300;
  const series = o.series.map((s) => ({ ...s, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) }));
  const refs = (o.refLines ?? []).filter((r) => Number.isFinite(r.value));
  const items: LegendItem[] = [
    ...series.map((s): LegendItem => ({ label: s.label, color: s.color, kind: 'line', dash: s.dash })),
    ...refs.map((r): LegendItem => ({ label: r.label, color: r.color, kind: 'line', dash: r.dash ?? '6 4' })),
  ];
  const left = 58, right = 16;
  const lh = legendHeight(items, width - left - right);
  const box: Box = { x0: left, x1: width - right, y0: 10 + lh + 6, y1: height - 44 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [...series.flatMap((s) => s.points.map((p) => p[1])), ...refs.map((r) => r.value)];
  const empty = xs.length === 0;
  const xd = o.xDomain ?? [Math.min(...xs, Infinity), Math.max(...xs, -Infinity)];
  const yd = o.yDomain ?? [Math.min(0, ...ys), Math.max(0, ...ys)];
  const xt = niceTicks(xd[0], xd[1], Math.max(2, Math.floor((box.x1 - box.x0) / 70)), o.xInteger);
  const yt = niceTicks(yd[0], yd[1], 5);
  const x = linearScale(xt.lo, xt.hi, box.x0, box.x1);
  const y = linearScale(yt.lo, yt.hi, box.y1, box.y0);
  const xf = o.xFormat ?? tickFormat(xt.step, Math.max(Math.abs(xt.lo), Math.abs(xt.hi)));
  const yf = o.yFormat ?? tickFormat(yt.step, Math.max(Math.abs(yt.lo), Math.abs(yt.hi)));

  let out = svgOpen(o.id, width, height, o.title);
  out += yValueAxis(box, yt, y, yf) + xValueAxis(box, xt, x, xf);
  for (const r of refs) {
    const py = y(r.value);
    out += `<line class="ref" x1="${n(box.x0)}" x2="${n(box.x1)}" y1="${n(py)}" y2="${n(py)}" stroke="${esc(r.color)}" stroke-width="1.5" stroke-dasharray="${esc(r.dash ?? '6 4')}"><title>${esc(`${r.label}: ${fmt(r.value)}`)}</title></line>`;
  }
  for (const s of series) {
    if (s.points.length === 0) continue;
    const d = s.points.map(([px, py], i) => `${i ? 'L' : 'M'}${n(x(px))},${n(y(py))}`).join('');
    const dash = s.dash ? ` stroke-dasharray="${esc(s.dash)}"` : '';
    out += s.line === false ? '<g class="series">' : `<g class="series"><path d="${d}" fill="none" stroke="${esc(s.color)}" stroke-width="2"${dash}/>`;
    if (s.markers !== false) {
      for (const p of s.points) {
        const tip = o.pointTitle ? o.pointTitle(s, p) : `${s.label}: ${fmt(p[0])}, ${fmt(p[1])}`;
        out += `<circle cx="${n(x(p[0]))}" cy="${n(y(p[1]))}" r="3.5" fill="${esc(s.color)}"><title>${esc(tip)}</title></circle>`;
      }
    }
    out += '</g>';
  }
  if (empty) out += noData(box);
  out += legend(items, left, 10, width - left - right).svg;
  out += xAxisLabel(o.xLabel, box, height) + yAxisLabel(o.yLabel, box);
  return out + '</svg>';
}

// ---------------------------------------------------------------------------------------------
// Vertical bars: groups of bars, each bar a stack of segments

export interface Segment { key: string; value: number; title?: string }
export interface Bar { label?: string; segments: Segment[] }
export interface BarGroup { label: string; bars: Bar[] }
export interface BarKey { key: string; label: string; color: string; opacity?: number }

export interface BarChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  groups: BarGroup[];
  /** Legend and colours, by segment key (a segment with an unknown key is grey). */
  keys: BarKey[];
  yFormat?: (v: number) => string;
  /** Write each bar's label under it (e.g. the layer of a group of layers). */
  barLabels?: boolean;
  width?: number;
  height?: number;
}

const barTotal = (b: Bar): number => b.segments.reduce((s, g) => s + Math.max(0, finite(g.value)), 0);

export function barChart(o: BarChartOptions): string {
  const width = o.width ?? 560, height = o.height ?? 300;
  const keyOf = new Map(o.keys.map((k) => [k.key, k]));
  const usedKeys = new Set(o.groups.flatMap((g) => g.bars.flatMap((b) => b.segments.map((s) => s.key))));
  const items: LegendItem[] = o.keys.filter((k) => usedKeys.has(k.key)).map((k) => ({ label: k.label, color: k.color, opacity: k.opacity }));
  const left = 58, right = 12;
  const lh = legendHeight(items, width - left - right);
  const bottom = o.barLabels ? 58 : 44;
  const box: Box = { x0: left, x1: width - right, y0: 10 + lh + 6, y1: height - bottom };
  const max = Math.max(0, ...o.groups.flatMap((g) => g.bars.map(barTotal)));
  const yt = niceTicks(0, max, 5);
  const y = linearScale(yt.lo, yt.hi, box.y1, box.y0);
  const yf = o.yFormat ?? tickFormat(yt.step, yt.hi);

  let out = svgOpen(o.id, width, height, o.title);
  out += yValueAxis(box, yt, y, yf);
  out += `<line class="domain" x1="${n(box.x0)}" x2="${n(box.x1)}" y1="${n(box.y1)}" y2="${n(box.y1)}"/>`;
  const nG = o.groups.length;
  if (nG === 0 || max === 0) out += noData(box, nG === 0 ? 'no data' : 'all values are 0');
  const groupW = nG ? (box.x1 - box.x0) / nG : 0;
  o.groups.forEach((g, gi) => {
    const gx = box.x0 + gi * groupW;
    const nb = Math.max(1, g.bars.length);
    const inner = groupW * 0.8;
    const bw = Math.min(48, inner / nb);
    const start = gx + (groupW - bw * nb) / 2;
    g.bars.forEach((b, bi) => {
      const bx = start + bi * bw;
      let acc = 0;
      out += '<g class="bar">';
      for (const s of b.segments) {
        const v = Math.max(0, finite(s.value));
        const k = keyOf.get(s.key);
        const y0 = y(acc), y1 = y(acc + v);
        acc += v;
        if (v === 0) continue;
        const op = k?.opacity !== undefined ? ` fill-opacity="${n(k.opacity)}"` : '';
        const tip = s.title ?? `${g.label}${b.label ? `, ${b.label}` : ''}, ${k?.label ?? s.key}: ${fmt(v)}`;
        out += `<rect x="${n(bx + 1)}" y="${n(y1)}" width="${n(Math.max(0, bw - 2))}" height="${n(Math.max(0, y0 - y1))}" fill="${esc(k?.color ?? '#999')}"${op}><title>${esc(tip)}</title></rect>`;
      }
      out += '</g>';
      if (o.barLabels && b.label) out += `<text class="tick" x="${n(bx + bw / 2)}" y="${n(box.y1 + 13)}" text-anchor="middle">${esc(b.label)}</text>`;
    });
    out += `<text class="tick group" x="${n(gx + groupW / 2)}" y="${n(box.y1 + (o.barLabels ? 29 : 16))}" text-anchor="middle">${esc(g.label)}</text>`;
  });
  out += legend(items, left, 10, width - left - right).svg;
  out += xAxisLabel(o.xLabel, box, height) + yAxisLabel(o.yLabel, box);
  return out + '</svg>';
}

// ---------------------------------------------------------------------------------------------
// Horizontal stacked bars: one row per category

export interface HBarRow { label: string; segments: Segment[]; /** Text after the bar (default: none). */ note?: string }

export interface HBarChartOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  rows: HBarRow[];
  keys: BarKey[];
  xFormat?: (v: number) => string;
  /** Show the legend (off when each row is its own key, e.g. one circuit a row). */
  showLegend?: boolean;
  width?: number;
  /** Height of one row (px); the chart grows with the rows. */
  rowHeight?: number;
}

export function hBarChart(o: HBarChartOptions): string {
  const width = o.width ?? 560, rowH = o.rowHeight ?? 22;
  const keyOf = new Map(o.keys.map((k) => [k.key, k]));
  const usedKeys = new Set(o.rows.flatMap((r) => r.segments.map((s) => s.key)));
  const items: LegendItem[] = o.showLegend === false ? [] : o.keys.filter((k) => usedKeys.has(k.key)).map((k) => ({ label: k.label, color: k.color, opacity: k.opacity }));
  const labelW = Math.min(width * 0.4, Math.max(40, ...o.rows.map((r) => textWidth(r.label))));
  const noteW = Math.min(160, Math.max(0, ...o.rows.map((r) => (r.note ? textWidth(r.note) + 8 : 0))));
  const left = Math.max(12 + labelW, 12 + textWidth(o.yLabel, 12)) + 8, right = 14 + noteW;
  const lh = legendHeight(items, width - 12 - right);
  const top = 10 + lh + (lh ? 4 : 0) + CATEGORY_LABEL_H;
  const plotH = Math.max(1, o.rows.length) * rowH;
  const height = top + plotH + 44;
  const box: Box = { x0: left, x1: width - right, y0: top, y1: top + plotH };
  const max = Math.max(0, ...o.rows.map((r) => barTotal(r)));
  const xt = niceTicks(0, max, Math.max(2, Math.floor((box.x1 - box.x0) / 80)));
  const x = linearScale(xt.lo, xt.hi, box.x0, box.x1);
  const xf = o.xFormat ?? tickFormat(xt.step, xt.hi);

  let out = svgOpen(o.id, width, height, o.title);
  out += xValueAxis(box, xt, x, xf);
  out += `<line class="domain" x1="${n(box.x0)}" x2="${n(box.x0)}" y1="${n(box.y0)}" y2="${n(box.y1)}"/>`;
  if (o.rows.length === 0 || max === 0) out += noData(box, o.rows.length === 0 ? 'no data' : 'all values are 0');
  o.rows.forEach((r, i) => {
    const ry = box.y0 + i * rowH;
    const bh = rowH * 0.7, by = ry + (rowH - bh) / 2;
    out += `<text class="tick cat" x="${n(box.x0 - 6)}" y="${n(ry + rowH / 2 + 4)}" text-anchor="end">${esc(r.label)}</text><g class="bar">`;
    let acc = 0;
    for (const s of r.segments) {
      const v = Math.max(0, finite(s.value));
      if (v === 0) continue;
      const k = keyOf.get(s.key);
      const op = k?.opacity !== undefined ? ` fill-opacity="${n(k.opacity)}"` : '';
      const tip = s.title ?? `${r.label}, ${k?.label ?? s.key}: ${fmt(v)}`;
      out += `<rect x="${n(x(acc))}" y="${n(by)}" width="${n(Math.max(0, x(acc + v) - x(acc)))}" height="${n(bh)}" fill="${esc(k?.color ?? '#999')}"${op}><title>${esc(tip)}</title></rect>`;
      acc += v;
    }
    out += '</g>';
    if (r.note) out += `<text class="note" x="${n(x(acc) + 6)}" y="${n(ry + rowH / 2 + 4)}">${esc(r.note)}</text>`;
  });
  out += legend(items, 12, 10, width - 12 - right).svg;
  out += xAxisLabel(o.xLabel, box, height) + categoryAxisLabel(o.yLabel, box);
  return out + '</svg>';
}

// ---------------------------------------------------------------------------------------------
// Gantt timeline

export interface GanttEvent {
  row: string;
  start: number;
  end: number;
  /** Time worked inside [start, end]; the rest of the bar is drawn faint (default: all of it). */
  busy?: number;
  title: string;
}

export interface GanttStall { row: string; start: number; end: number; title: string }

export interface GanttOptions {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  rows: { key: string; label: string; color: string }[];
  events: GanttEvent[];
  stalls: GanttStall[];
  /** Time values are divided by this before drawing (the axis unit, e.g. 1e-3 for ms). */
  unit: number;
  stallLabel?: string;
  width?: number;
  rowHeight?: number;
}

export function ganttChart(o: GanttOptions): string {
  const width = o.width ?? 1120, rowH = o.rowHeight ?? 30;
  const hatchId = `hatch-${o.id}`;
  const u = o.unit > 0 ? o.unit : 1;
  const events = o.events.filter((e) => Number.isFinite(e.start) && Number.isFinite(e.end) && e.end >= e.start);
  const stalls = o.stalls.filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start);
  const items: LegendItem[] = [
    ...o.rows.map((r): LegendItem => ({ label: r.label, color: r.color })),
    ...(events.some((e) => e.busy !== undefined && e.busy < e.end - e.start) ? [{ label: 'window (resource idle inside)', color: '#888', opacity: 0.25 }] : []),
    ...(stalls.length ? [{ label: o.stallLabel ?? 'stall (waiting)', color: '#D55E00', kind: 'hatch' as const }] : []),
  ];
  const labelW = Math.max(30, ...o.rows.map((r) => textWidth(r.label)));
  const left = Math.max(12 + labelW, 12 + textWidth(o.yLabel, 12)) + 8, right = 16;
  const lh = legendHeight(items, width - 12 - right);
  const top = 10 + lh + 4 + CATEGORY_LABEL_H;
  const plotH = Math.max(1, o.rows.length) * rowH;
  const height = top + plotH + 44;
  const box: Box = { x0: left, x1: width - right, y0: top, y1: top + plotH };
  const end = Math.max(0, ...events.map((e) => e.end), ...stalls.map((s) => s.end)) / u;
  const xt = niceTicks(0, end, Math.max(2, Math.floor((box.x1 - box.x0) / 90)));
  const x = linearScale(xt.lo, xt.hi, box.x0, box.x1);
  const xf = tickFormat(xt.step, xt.hi);
  const rowIndex = new Map(o.rows.map((r, i) => [r.key, i]));

  let out = svgOpen(o.id, width, height, o.title);
  out += `<defs><pattern id="${esc(hatchId)}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#D55E00" fill-opacity="0.12"/><line x1="0" y1="0" x2="0" y2="6" stroke="#D55E00" stroke-width="2"/></pattern></defs>`;
  out += xValueAxis(box, xt, x, xf);
  out += `<line class="domain" x1="${n(box.x0)}" x2="${n(box.x0)}" y1="${n(box.y0)}" y2="${n(box.y1)}"/>`;
  o.rows.forEach((r, i) => {
    out += `<text class="tick cat" x="${n(box.x0 - 6)}" y="${n(box.y0 + i * rowH + rowH / 2 + 4)}" text-anchor="end">${esc(r.label)}</text>`;
  });
  if (events.length === 0) out += noData(box);
  const bar = (row: number) => ({ y: box.y0 + row * rowH + rowH * 0.15, h: rowH * 0.7 });
  for (const s of stalls) {
    const ri = rowIndex.get(s.row);
    if (ri === undefined) continue;
    const b = bar(ri);
    out += `<rect class="stall" x="${n(x(s.start / u))}" y="${n(b.y)}" width="${n(Math.max(0.5, x(s.end / u) - x(s.start / u)))}" height="${n(b.h)}" fill="url(#${esc(hatchId)})"><title>${esc(s.title)}</title></rect>`;
  }
  for (const e of events) {
    const ri = rowIndex.get(e.row);
    if (ri === undefined) continue;
    const color = o.rows[ri].color;
    const b = bar(ri);
    const x0 = x(e.start / u), x1 = x(e.end / u);
    const span = e.end - e.start;
    const busy = e.busy === undefined ? span : Math.min(span, Math.max(0, finite(e.busy)));
    out += `<g class="event"><title>${esc(e.title)}</title>`;
    if (busy < span) {
      out += `<rect x="${n(x0)}" y="${n(b.y)}" width="${n(Math.max(0.5, x1 - x0))}" height="${n(b.h)}" fill="${esc(color)}" fill-opacity="0.25"/>`;
      out += `<rect x="${n(x0)}" y="${n(b.y)}" width="${n(Math.max(span > 0 ? 0.5 : 0, ((x1 - x0) * busy) / (span || 1)))}" height="${n(b.h)}" fill="${esc(color)}"/>`;
    } else {
      out += `<rect x="${n(x0)}" y="${n(b.y)}" width="${n(Math.max(0.5, x1 - x0))}" height="${n(b.h)}" fill="${esc(color)}" stroke="#fff" stroke-width="0.5"/>`;
    }
    out += '</g>';
  }
  out += legend(items, 12, 10, width - 12 - right, hatchId).svg;
  out += xAxisLabel(o.xLabel, box, height) + categoryAxisLabel(o.yLabel, box);
  return out + '</svg>';
}
