/**
 * A train run (or several) as ONE self-contained HTML file: inline CSS, inline SVG charts
 * (charts.ts), the run's JSON embedded as data (`<script type="application/json" id="ncsim-run">`,
 * `id="ncsim-runs"` on a comparison page). No script runs, nothing is fetched: the page's
 * Content-Security-Policy (`default-src 'none'`) forbids both, so it opens the same from disk,
 * from a mail attachment or from a CI artifact, with no network.
 */
import type { ReportRun, LabelledRun } from './types.js';
import { reportCharts, compareCharts, Chart, ChartOptions, DEFAULT_GANTT_BATCHES } from './charts.js';
import { esc, fmt, finite, formatEnergy, formatTime, formatPercent, formatBytes } from './svg.js';
import { samplesNoun } from '../samples-noun.js';

export type { ChartOptions } from './charts.js';

/**
 * JSON that is safe inside a `<script>` element: `<`, `>` and `&` written as \u escapes (so
 * `</script>` or `<!--` in a string cannot end or change the element), and U+2028/U+2029 too.
 * `JSON.parse` of the element's text gives back the value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const CSS = `
:root { --fg: #1d2430; --muted: #5b6577; --border: #dde2ea; --panel: #f6f8fb; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 22px 20px 40px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 17px; margin: 26px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h3 { font-size: 14px; margin: 0 0 6px; }
.sub { color: var(--muted); margin: 0 0 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; margin: 12px 0 6px; }
.card { border: 1px solid var(--border); border-radius: 8px; padding: 9px 12px; background: var(--panel); }
.card .k { font-size: 12px; color: var(--muted); }
.card .v { font-size: 21px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .d { font-size: 12px; color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid var(--border); border-radius: 8px; padding: 10px 12px 8px; background: #fff; min-width: 0; }
figure.wide { grid-column: 1 / -1; }
figcaption { font-size: 12px; color: var(--muted); margin-top: 4px; }
svg.chart { display: block; width: 100%; height: auto; font-size: 11px; }
svg.chart text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
svg.chart .grid { stroke: #e8ebf0; stroke-width: 1; }
svg.chart .domain { stroke: #8a93a3; stroke-width: 1; }
svg.chart .tick { fill: #4a5263; }
svg.chart .axis-label { fill: #1d2430; font-size: 12px; font-weight: 600; }
svg.chart .legend text, svg.chart .note { fill: #333b49; }
svg.chart .no-data { fill: #8a93a3; font-style: italic; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 3px 14px 3px 0; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.options { display: grid; grid-template-columns: repeat(3, max-content minmax(0, 1fr)); gap: 2px 12px; margin: 0; font-size: 13px; }
dl.options dt { color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
dl.options dd { margin: 0; font-variant-numeric: tabular-nums; word-break: break-word; }
.notes { color: #8a5a00; background: #fff8e6; border: 1px solid #f1dfb0; border-radius: 6px; padding: 6px 12px; font-size: 13px; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
@media (max-width: 900px) { .charts { grid-template-columns: 1fr; } dl.options { grid-template-columns: max-content minmax(0, 1fr); } }
@media print { figure { break-inside: avoid; } }
`;

export function page(title: string, body: string, dataId: string, data: unknown): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ncsim">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
<script type="application/json" id="${esc(dataId)}">${jsonForScript(data)}</script>
</body>
</html>
`;
}

function figure(c: Chart): string {
  return `<figure id="chart-${esc(c.id)}" class="${c.wide ? 'wide' : ''}">
<h3>${esc(c.title)}</h3>
${c.svg}
<figcaption>${esc(c.caption)}</figcaption>
</figure>`;
}

export function charts(list: Chart[]): string {
  return `<div class="charts">\n${list.map(figure).join('\n')}\n</div>`;
}

export function notes(list: string[]): string {
  return list.length ? `<div class="notes">${list.map((s) => `<p>${esc(s)}</p>`).join('')}</div>` : '';
}

function card(k: string, v: string, d: string): string {
  return `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div><div class="d">${esc(d)}</div></div>`;
}

const pct = (x: unknown) => formatPercent(finite(x, NaN));

function optionValue(v: unknown): string {
  if (Array.isArray(v)) return v.join(',');
  if (v === undefined) return '(default)';
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** The key numbers of a run, as cards. */
function keyNumbers(run: ReportRun): string {
  const o = run.options ?? ({} as ReportRun['options']);
  const c = run.cost, p = run.pipeline?.comparison;
  const epochs = run.snn?.epochs?.length ?? 0;
  const gap = finite(run.teacher?.testAccuracy, NaN) - finite(run.snn?.testAccuracy, NaN);
  const cards = [
    run.teacher?.source
      ? card('Teacher (ONNX) test accuracy', pct(run.teacher?.testAccuracy), `${(run.teacher?.sizes ?? []).join('-')}, read from ${String(run.teacher.source.file)} (not trained by ncsim)`)
      : card('Teacher (ANN) test accuracy', pct(run.teacher?.testAccuracy), `${(run.teacher?.sizes ?? []).join('-')}, ${o.teacherEpochs ?? '?'} host epoch(s)`),
    card('SNN test accuracy (on chip)', pct(run.snn?.testAccuracy), `after ${epochs} epoch(s); gap ${Number.isFinite(gap) ? (100 * gap).toFixed(2) : '–'} points; before ${pct(run.snn?.initialTestAccuracy)}`),
  ];
  if (c?.phases?.train) {
    const tr = c.phases.train, te = c.phases.test;
    cards.push(card('Energy per training sample', formatEnergy(finite(tr.energy?.perSamplePJ)), `chip, on ${c.model?.name ?? '?'}; inference ${formatEnergy(finite(te?.energy?.perSamplePJ))}`));
    cards.push(card('Latency per training sample', formatTime(finite(tr.latency?.perSampleS)), `chip, ${o.steps ?? '?'} steps × ${formatTime(finite(tr.latency?.perStepS))}; inference ${formatTime(finite(te?.latency?.perSampleS))}`));
  } else {
    cards.push(card('Energy per training sample', '–', 'no cost report in this run'));
  }
  const l = run.learning;
  if (l) cards.push(card('Update events issued', pct(l.updateRatio), `${fmt(finite(l.updates))} of ${fmt(finite(l.denseUpdates))} dense`));
  if (p?.pipelined) {
    cards.push(card('Training time, pipelined', formatTime(finite(p.pipelined.makespan)), `host + link + chip; sequential ${formatTime(finite(p.sequential?.makespan))}${p.hil ? `, hil ${formatTime(finite(p.hil.makespan))}` : ''}`));
  }
  return `<div class="cards">${cards.join('')}</div>`;
}

function optionsList(run: ReportRun): string {
  const entries = Object.entries(run.options ?? {});
  if (entries.length === 0) return '<p class="sub">No options recorded.</p>';
  return `<dl class="options">${entries.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(optionValue(v))}</dd>`).join('')}</dl>`;
}

function layersTable(run: ReportRun): string {
  const layers = run.learning?.layers ?? [];
  if (layers.length === 0) return '';
  const cl = run.cost?.phases?.train?.layers ?? {};
  const samples = finite(run.cost?.phases?.train?.samples) || 1;
  const rows = layers.map((l) => {
    const e = cl[l.name];
    return `<tr><td>${esc(l.name)}</td><td class="num">${esc(`${l.nIn} → ${l.nOut}`)}</td><td class="num">${esc(fmt(finite(l.spikesPerSample)))}</td>`
      + `<td class="num">${esc(fmt(finite(l.updates)))}</td><td class="num">${esc(fmt(finite(l.denseUpdates)))}</td>`
      + `<td class="num">${esc(formatPercent(finite(l.denseUpdates) > 0 ? finite(l.updates) / l.denseUpdates : NaN, 1))}</td>`
      + `<td class="num">${e ? esc(formatEnergy(finite(e.energyPJ) / samples)) : '–'}</td></tr>`;
  });
  return `<table><thead><tr><th>layer</th><th class="num">synapses (in → out)</th><th class="num">spikes / sample</th><th class="num">updates issued</th><th class="num">dense</th><th class="num">issued</th><th class="num">train energy / sample</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function schedulesTable(run: ReportRun): string {
  const cmp = run.pipeline?.comparison;
  if (!cmp) return '';
  const rows = (['pipelined', 'sequential', 'hil'] as const).filter((s) => cmp[s]).map((s) => {
    const r = cmp[s]!;
    const sps = finite(r.makespan) > 0 ? finite(r.samples) / r.makespan : 0;
    return `<tr><td>${esc(s)}${s === run.pipeline?.schedule ? ' (asked)' : ''}</td><td class="num">${esc(formatTime(finite(r.makespan)))}</td><td class="num">${esc(fmt(sps))}</td>`
      + `<td class="num">${esc(formatPercent(finite(r.utilisation?.host, NaN), 0))}</td><td class="num">${esc(formatPercent(finite(r.utilisation?.link, NaN), 0))}</td><td class="num">${esc(formatPercent(finite(r.utilisation?.chip, NaN), 0))}</td>`
      + `<td class="num">${esc(formatTime(finite(r.stalls?.chipWaitingForTargets)))}</td><td class="num">${esc(formatTime(finite(r.stalls?.hostWaitingForBuffer)))}</td>`
      + `<td class="num">${esc(formatEnergy(finite(r.energy?.total) * 1e12))}</td></tr>`;
  });
  const pp = run.pipeline!.params;
  return `<table><thead><tr><th>schedule</th><th class="num">makespan</th><th class="num">samples / s</th><th class="num">host busy</th><th class="num">link busy</th><th class="num">chip busy</th><th class="num">chip waiting for targets</th><th class="num">host waiting for a buffer</th><th class="num">energy (host + link + chip)</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="sub">${esc(`${fmt(finite(pp?.batches))} batches of ${fmt(finite(pp?.batchSize))} samples; source: pipeline report (comparison), src/pipeline/des.ts.`)}</p>`;
}

export interface RenderOptions extends ChartOptions {
  /** The page's title (default: "ncsim train report — rule ..., hw ..."). */
  title?: string;
}

/** One run as a self-contained HTML page. */
export function renderReport(run: ReportRun, opts: RenderOptions = {}): string {
  const o = run.options ?? ({} as ReportRun['options']);
  const hw = run.cost?.model?.name ?? 'not priced';
  const title = opts.title ?? `ncsim train report — rule ${o.rule ?? '?'}, hw ${hw}`;
  const { charts: list, notes: left } = reportCharts(run, { ganttBatches: opts.ganttBatches ?? DEFAULT_GANTT_BATCHES });
  const head = `<header>
<h1>${esc(title)}</h1>
<p class="sub">${esc(`network ${(run.teacher?.sizes ?? []).join('-')} · ${o.samples ?? '?'} training / ${o.testSamples ?? '?'} test ${samplesNoun(o.data)} · ${o.epochs ?? '?'} epoch(s) · T = ${o.steps ?? '?'} · encoding ${o.encoding ?? '?'} · seed ${o.seed ?? '?'} · ${run.cost ? `priced on ${run.cost.model?.description ?? hw}` : 'no cost report'}`)}</p>
${keyNumbers(run)}
</header>`;
  const gantts = list.filter((c) => c.id.startsWith('gantt-'));
  const others = list.filter((c) => !c.id.startsWith('gantt-'));
  const body = `${head}
<section id="options"><h2>Options</h2>${optionsList(run)}</section>
<section id="layers"><h2>Layers</h2>${layersTable(run)}</section>
<section id="charts"><h2>Learning, energy and time</h2>${notes(left)}${charts(others)}</section>
${gantts.length ? `<section id="pipeline"><h2>Host / link / chip schedules</h2>${schedulesTable(run)}${charts(gantts)}</section>` : ''}
<footer>${esc(`Written by ncsim report from a run of ncsim train (schema version ${run.schemaVersion}). The run's JSON is embedded in this file`)} (<code>script#ncsim-run</code>)${esc('; every chart names its source. No script runs and nothing is fetched.')}</footer>`;
  return page(title, body, 'ncsim-run', run);
}

// ---------------------------------------------------------------------------------------------

function compareTable(runs: LabelledRun[]): string {
  const row = (name: string, f: (r: ReportRun) => string) =>
    `<tr><th>${esc(name)}</th>${runs.map(({ run }) => `<td class="num">${esc(f(run))}</td>`).join('')}</tr>`;
  const cost = (f: (c: NonNullable<ReportRun['cost']>) => string) => (r: ReportRun) => (r.cost?.phases?.train ? f(r.cost) : '–');
  const pipe = (s: 'pipelined' | 'sequential' | 'hil') => (r: ReportRun) => {
    const x = r.pipeline?.comparison?.[s];
    return x ? formatTime(finite(x.makespan)) : '–';
  };
  const rows = [
    row('rule', (r) => String(r.options?.rule ?? '?')),
    row('hardware model', (r) => r.cost?.model?.name ?? 'not priced'),
    row('network', (r) => (r.teacher?.sizes ?? []).join('-')),
    row('teacher test accuracy', (r) => pct(r.teacher?.testAccuracy)),
    row('SNN test accuracy', (r) => pct(r.snn?.testAccuracy)),
    row('energy per training sample', cost((c) => formatEnergy(finite(c.phases.train.energy?.perSamplePJ)))),
    row('energy per inference sample', cost((c) => formatEnergy(finite(c.phases.test?.energy?.perSamplePJ)))),
    row('latency per training sample', cost((c) => formatTime(finite(c.phases.train.latency?.perSampleS)))),
    row('cycles per training step', cost((c) => fmt(finite(c.phases.train.cycles?.perStep?.total)))),
    row('clock', cost((c) => `${fmt(finite(c.model?.clockHz) / 1e6)} MHz`)),
    row('cores used', cost((c) => `${fmt(finite(c.mapping?.coresUsed))} of ${fmt(finite(c.mapping?.coresAvailable))}`)),
    row('parameters / learning state', cost((c) => `${formatBytes(finite(c.memory?.parameterBytes))} / ${formatBytes(finite(c.memory?.learningStateBytes))}`)),
    row('update events issued / dense', (r) => pct(r.learning?.updateRatio)),
    row('training time, pipelined', pipe('pipelined')),
    row('training time, sequential', pipe('sequential')),
    row('training time, hil', pipe('hil')),
  ];
  return `<table><thead><tr><th></th>${runs.map((r) => `<th class="num">${esc(r.label)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function optionsDiff(runs: LabelledRun[]): string {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.run.options ?? {})))];
  const val = (r: ReportRun, k: string) => optionValue((r.options as unknown as Record<string, unknown> | undefined)?.[k]);
  const differ = keys.filter((k) => new Set(runs.map((r) => val(r.run, k))).size > 1);
  if (differ.length === 0) return '<p class="sub">All runs have the same training options (they may differ in the hardware model).</p>';
  const rows = differ.map((k) => `<tr><th><code>${esc(k)}</code></th>${runs.map((r) => `<td class="num">${esc(val(r.run, k))}</td>`).join('')}</tr>`);
  return `<table><thead><tr><th>option</th>${runs.map((r) => `<th class="num">${esc(r.label)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Several runs side by side as a self-contained HTML page. */
export function renderCompare(runs: LabelledRun[], opts: { title?: string } = {}): string {
  const title = opts.title ?? `ncsim compare — ${runs.map((r) => r.label).join(' vs ')}`;
  const { charts: list, notes: left } = compareCharts(runs);
  const body = `<header>
<h1>${esc(title)}</h1>
<p class="sub">${esc(`${runs.length} runs of ncsim train, side by side.`)}</p>
</header>
<section id="summary"><h2>Key numbers</h2>${compareTable(runs)}</section>
<section id="options"><h2>Options that differ</h2>${optionsDiff(runs)}</section>
<section id="charts"><h2>Charts</h2>${notes(left)}${charts(list)}</section>
<footer>${esc('Written by ncsim compare. The runs\' JSON is embedded in this file')} (<code>script#ncsim-runs</code>, ${esc('an array of { label, run }')})${esc('; every chart names its source. No script runs and nothing is fetched.')}</footer>`;
  return page(title, body, 'ncsim-runs', runs);
}
