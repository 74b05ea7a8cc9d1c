/**
 * A sweep (`ncsim sweep`'s folder, its results.jsonl rows) as one self-contained HTML page:
 * accuracy against energy and against latency per training sample, one colour per value of the
 * first varied option, with the Pareto front (the configurations no other beats on both
 * figures); per varied option, the mean accuracy at each of its values; the table of rows.
 */
import type { Chart } from './charts.js';
import { page, charts, notes } from './render.js';
import { esc, fmt, lineChart, seriesColor, energyUnit, timeUnit, type LineSeries } from './svg.js';

export interface SweepRow {
  id: string;
  index: number;
  status: string;
  options: Record<string, unknown>;
  figures: Record<string, number | null>;
  error?: string;
}

/**
 * Indices of the points on the Pareto front for "lower x, higher y is better": a point is on it
 * when no other point has x <= and y >= with one of them strictly. Sorted by x.
 */
export function paretoFront(points: readonly { x: number; y: number }[]): number[] {
  const order = points.map((_, i) => i).filter((i) => Number.isFinite(points[i].x) && Number.isFinite(points[i].y));
  order.sort((a, b) => points[a].x - points[b].x || points[b].y - points[a].y || a - b);
  const front: number[] = [];
  let best = -Infinity;
  for (const i of order) {
    if (points[i].y > best) {
      front.push(i);
      best = points[i].y;
    }
  }
  return front;
}

const show = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));

/** The options whose values differ between rows, in first-seen order. */
export function variedOptions(rows: SweepRow[]): string[] {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.options)))];
  return keys.filter((k) => new Set(rows.map((r) => show(r.options[k]))).size > 1);
}

function scatter(id: string, title: string, rows: SweepRow[], xKey: string, xLabel: string, xScale: { name: string; factor: number }, by: string | undefined): Chart {
  const ok = rows.filter((r) => r.figures[xKey] != null && r.figures.snn_accuracy != null);
  const pts = ok.map((r) => ({ x: (r.figures[xKey] as number) / xScale.factor, y: 100 * (r.figures.snn_accuracy as number), r }));
  const groups = by ? [...new Set(ok.map((r) => show(r.options[by])))] : ['all'];
  const series: LineSeries[] = groups.map((g, i) => ({
    label: by ? `${by} ${g}` : 'configurations', color: seriesColor(i), line: false,
    points: pts.filter((p) => !by || show(p.r.options[by]) === g).map((p) => [p.x, p.y] as [number, number]),
  }));
  const front = paretoFront(pts);
  series.push({ label: 'Pareto front', color: '#1d2430', dash: '5 4', markers: true, points: front.map((i) => [pts[i].x, pts[i].y] as [number, number]) });
  const byPoint = new Map(pts.map((p) => [`${p.x},${p.y}`, p.r]));
  const svg = lineChart({
    id, title, xLabel: `${xLabel} (${xScale.name})`, yLabel: 'test accuracy of the chip (%)', series,
    pointTitle: (_s, p) => {
      const r = byPoint.get(`${p[0]},${p[1]}`);
      return r ? `${r.id}: ${Object.entries(r.options).map(([k, v]) => `${k}=${show(v)}`).join(' ')} -> ${fmt(p[1])} %, ${fmt(p[0])} ${xScale.name}` : '';
    },
  });
  return { id, title, xLabel, yLabel: 'accuracy (%)', svg, caption: `${ok.length} configurations; the dashed line joins those no other configuration beats on both ${xLabel} and accuracy.` };
}

function perAxis(rows: SweepRow[], key: string, i: number): Chart | undefined {
  const ok = rows.filter((r) => r.figures.snn_accuracy != null);
  const values = [...new Set(ok.map((r) => show(r.options[key])))];
  const numeric = values.every((v) => v !== '' && Number.isFinite(Number(v)));
  const xs = numeric ? values.map(Number).sort((a, b) => a - b) : values.map((_, j) => j);
  const mean = (v: string) => {
    const a = ok.filter((r) => show(r.options[key]) === v).map((r) => 100 * (r.figures.snn_accuracy as number));
    return a.reduce((s, x) => s + x, 0) / a.length;
  };
  const pts = (numeric ? xs.map((x) => [x, mean(values.find((v) => Number(v) === x)!)]) : values.map((v, j) => [j, mean(v)])) as [number, number][];
  if (pts.length < 2) return undefined;
  const id = `axis-${i}`;
  const title = `Mean accuracy by ${key}`;
  const svg = lineChart({
    id, title, xLabel: numeric ? key : `${key} (${values.map((v, j) => `${j} = ${v}`).join(', ')})`, yLabel: 'mean test accuracy (%)',
    series: [{ label: `mean over the other options`, color: seriesColor(i), points: pts }], xInteger: !numeric,
  });
  return { id, title, xLabel: key, yLabel: 'accuracy (%)', svg, caption: `Each point: the mean chip accuracy of the configurations with that ${key}.` };
}

function table(rows: SweepRow[], varied: string[]): string {
  const figs = [...new Set(rows.flatMap((r) => Object.keys(r.figures)))];
  const head = ['id', 'status', ...varied, ...figs].map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr><td>${esc(r.id)}</td><td>${esc(r.status)}${r.error ? ` <span title="${esc(r.error)}">(why)</span>` : ''}</td>${varied.map((k) => `<td>${esc(show(r.options[k]))}</td>`).join('')}${figs.map((f) => `<td class="num">${r.figures[f] == null ? '–' : esc(fmt(r.figures[f] as number))}</td>`).join('')}</tr>`).join('\n');
  return `<div style="overflow-x:auto"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

export function renderSweep(rows: SweepRow[], opts: { title?: string } = {}): string {
  const title = opts.title ?? 'ncsim sweep';
  const varied = variedOptions(rows);
  const ok = rows.filter((r) => r.status === 'ok');
  const list: Chart[] = [];
  const maxOf = (k: string) => Math.max(0, ...ok.map((r) => r.figures[k] ?? 0));
  const noteList: string[] = [];
  if (ok.some((r) => r.figures.energy_per_train_sample_J != null)) {
    const u = energyUnit(maxOf('energy_per_train_sample_J') * 1e12);
    list.push(scatter('pareto-energy', 'Accuracy vs energy per training sample', ok, 'energy_per_train_sample_J', 'energy per training sample', { name: u.name, factor: u.factor * 1e-12 }, varied[0]));
  }
  if (ok.some((r) => r.figures.latency_per_train_sample_s != null)) {
    const u = timeUnit(maxOf('latency_per_train_sample_s'));
    list.push(scatter('pareto-latency', 'Accuracy vs latency per training sample', ok, 'latency_per_train_sample_s', 'latency per training sample', u, varied[0]));
  }
  varied.forEach((k, i) => {
    const c = perAxis(ok, k, i);
    if (c) list.push(c);
  });
  const failed = rows.filter((r) => r.status === 'failed').length;
  const pending = rows.filter((r) => r.status === 'pending').length;
  if (failed) noteList.push(`${failed} configuration(s) failed: their reason is in the table (status) and in the folder's failed/.`);
  if (pending) noteList.push(`${pending} configuration(s) have no result yet (the sweep is still running or was interrupted).`);
  if (!list.length) noteList.push('No chart: no configuration has an accuracy with an energy or latency (a train sweep has them).');
  const body = `<h1>${esc(title)}</h1>
<p class="sub">${rows.length} configurations, ${ok.length} complete; varied: ${esc(varied.join(', ') || 'nothing')}</p>
${notes(noteList)}
${charts(list)}
<h2>Configurations</h2>
${table(rows, varied)}`;
  return page(title, body, 'ncsim-sweep', rows);
}
