// The HTML report of a real (small) run: every chart, its labels and caption, the embedded
// JSON, escaping, self-containment, and the charts left out when the run lacks their data.
import { describe, it, expect, beforeAll } from 'vitest';
import { renderReport, renderCompare, jsonForScript } from '../../src/report/html/render.js';
import { reportCharts, compareCharts, timelineStalls, DEFAULT_GANTT_BATCHES } from '../../src/report/html/charts.js';
import { checkOptionalFields, robustnessCurves, ReportRun } from '../../src/report/html/types.js';
import type { TimelineEvent } from '../../src/pipeline/des.js';
import { makeRun, recost, withOptionalFields } from './fixture.js';
import { expectFiniteCoordinates, expectBalancedTags, axisLabels, unescape } from './svg-helpers.js';

let run: ReportRun;
beforeAll(() => {
  run = makeRun();
});

/** The text of the `<script type="application/json" id=...>` element, parsed. */
function embedded(html: string, id: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  expect(m, `script#${id}`).not.toBeNull();
  return JSON.parse(m![1]);
}

const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v));

/** Only the SVG namespace may name a URL; nothing is loaded from anywhere. */
function expectSelfContained(html: string): void {
  const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
  expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
  const tags = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0]);
  expect(tags.filter((t) => /^<(img|iframe|object|embed|audio|video|source|base)\b/i.test(t))).toEqual([]);
  expect(tags.filter((t) => /\s(src|srcset|action|formaction|poster)=/i.test(t))).toEqual([]);
  expect(tags.filter((t) => /\shref=/.test(t))).toEqual(['<link rel="icon" href="data:,">']);
  expect(html).not.toMatch(/@import|url\((?!#)/);
  expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">');
  // the only script element is the JSON data
  expect(html.match(/<script/g)).toHaveLength(1);
  expect(html.match(/<\/script/g)).toHaveLength(1);
}

describe('the charts of one run', () => {
  it('has every chart, in order, each with unit-bearing axis labels, a source and the run named', () => {
    const { charts, notes } = reportCharts(run);
    expect(notes).toEqual([]);
    // A train run carries its learning-memory curves (src/rules/memory.ts), so that chart is drawn too.
    expect(charts.map((c) => c.id)).toEqual(['accuracy', 'updates', 'energy-circuit', 'energy-layer', 'cycles', 'step-latency-train', 'step-latency-test', 'mesh-heat-train', 'memory', 'gantt-pipelined', 'gantt-sequential', 'gantt-hil']);
    for (const c of charts) {
      expectFiniteCoordinates(c.svg);
      expectBalancedTags(c.svg);
      expect(axisLabels(c.svg)).toEqual([c.xLabel, c.yLabel]);
      expect(c.svg).toContain(`data-chart="${c.id}"`);
      // the value axis has a unit
      expect(`${c.xLabel} ${c.yLabel}`, c.id).toMatch(/\((%|events|[µmnpk]?J|cycles|[µmn]?s|[kMG]?B)\)/);
      expect(c.caption).toContain('ncsim train, rule ltl-online, hw loihi, 600 training digits × 2 epoch(s), T = 16, seed 1');
      expect(c.caption).toContain('source:');
    }
    const by = Object.fromEntries(charts.map((c) => [c.id, c]));
    expect(by.accuracy.yLabel).toBe('accuracy (%)');
    expect(by.updates.yLabel).toBe('update events per epoch (events)');
    expect(by['energy-circuit'].caption).toContain('source: cost report');
    expect(by['energy-circuit'].xLabel).toMatch(/^energy per training sample \((pJ|nJ|µJ|mJ|J)\)$/);
    expect(by.cycles.yLabel).toBe('cycles per time step (cycles)');
    expect(by['gantt-pipelined'].xLabel).toMatch(/^time since the first batch \((s|ms|µs|ns)\)$/);
    expect(by['gantt-pipelined'].wide).toBe(true);
  });

  it('accuracy: "before learning" at epoch 0, one point per epoch, the teacher as a line', () => {
    const svg = reportCharts(run).charts[0].svg;
    expect((svg.match(/<circle /g) ?? []).length).toBe(1 + 2 + 2); // test: epochs 0..2; train: 1..2
    expect(svg).toContain(`epoch 0: ${(100 * run.snn.initialTestAccuracy).toFixed(2)} %`);
    expect(svg).toContain('class="ref"');
    expect(svg).toContain('ANN teacher 784-64-32-10');
  });

  it('updates: a bar per layer per epoch, issued and gated off stacked', () => {
    const svg = reportCharts(run).charts[1].svg;
    const e1 = run.snn.epochs[0].layers[0];
    expect(svg).toContain(`epoch 1, layer h1: ${e1.updates.toLocaleString('en-US')} update events issued`);
    const bars = (svg.match(/<g class="bar">/g) ?? []).length;
    expect(bars).toBe(2 * 3);
  });

  it('energy by circuit: the rows sum to the train energy per sample', () => {
    const c = reportCharts(run).charts[2];
    const tr = run.cost!.phases.train;
    const rows = Object.values(tr.energy.byCircuit).filter((v) => v > 0).length;
    expect((c.svg.match(/<g class="bar">/g) ?? []).length).toBe(rows);
    expect(c.caption).toContain('total');
    const percents = [...c.svg.matchAll(/class="note"[^>]*>([\d.]+) %</g)].map((m) => Number(m[1]));
    expect(percents.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    expect(tr.energy.totalPJ / tr.samples).toBeCloseTo(tr.energy.perSamplePJ, 6);
  });

  it('gantt: long runs draw the first batches only, and the caption says so', () => {
    const p = run.pipeline!.comparison.pipelined;
    expect(p.batches).toBe(60);
    const g = reportCharts(run).charts.find((c) => c.id === 'gantt-pipelined')!;
    expect((g.svg.match(/<g class="event">/g) ?? []).length).toBe(3 * DEFAULT_GANTT_BATCHES);
    expect(g.caption).toContain(`First ${DEFAULT_GANTT_BATCHES} of 60 batches shown (120 of 180 bars`);
    const few = reportCharts(run, { ganttBatches: 5 }).charts.find((c) => c.id === 'gantt-sequential')!;
    expect((few.svg.match(/<g class="event">/g) ?? []).length).toBe(15);
    const all = reportCharts(run, { ganttBatches: 1000 }).charts.find((c) => c.id === 'gantt-hil')!;
    expect((all.svg.match(/<g class="event">/g) ?? []).length).toBe(180);
    expect(all.caption).toContain('All 60 batches shown');
    expect(g.caption).toMatch(/stalls: chip waiting for targets [\d.]+ [µm]?s, host waiting for a buffer/);
  });

  it('stalls are the gaps the DES stall figures sum', () => {
    const ev = (resource: 'host' | 'link' | 'chip', batch: number, start: number, end: number): TimelineEvent => ({ resource, batch, start, end, busy: end - start, what: '' });
    const timeline = [ev('host', 0, 0, 1), ev('host', 1, 1, 2), ev('host', 2, 4, 5), ev('link', 0, 1, 1.5), ev('chip', 0, 1.5, 3), ev('chip', 1, 3, 4), ev('chip', 2, 6, 7)];
    const s = timelineStalls(timeline);
    expect(s.map((x) => [x.row, x.start, x.end])).toEqual([['chip', 0, 1.5], ['chip', 4, 6], ['host', 2, 4]]);
    // on the real run: the chip's gaps add up to its stall figure
    const p = run.pipeline!.comparison.pipelined;
    const chipGaps = timelineStalls(p.timeline).filter((x) => x.row === 'chip').reduce((a, x) => a + x.end - x.start, 0);
    expect(chipGaps).toBeCloseTo(p.stalls.chipWaitingForTargets, 9);
    const hostGaps = timelineStalls(p.timeline).filter((x) => x.row === 'host').reduce((a, x) => a + x.end - x.start, 0);
    expect(hostGaps).toBeCloseTo(p.stalls.hostWaitingForBuffer, 9);
  });

  it('without cost or pipeline: those charts are left out, with a note', () => {
    const bare = { ...run, cost: undefined, pipeline: undefined };
    const { charts, notes } = reportCharts(bare);
    expect(charts.map((c) => c.id)).toEqual(['accuracy', 'updates', 'memory']);
    expect(notes.join(' ')).toMatch(/no cost report.*no pipeline report/);
    for (const c of charts) expect(c.caption).toContain('hw not priced');
    const html = renderReport(bare);
    expect(html).toContain('no cost report');
    expectBalancedTags(html.replace(/<script[\s\S]*<\/script>/, ''));
  });

  it('no epochs (--epochs 0): the accuracy chart has its epoch-0 point, the updates chart says no data', () => {
    const none = { ...run, snn: { ...run.snn, epochs: [] } };
    const [acc, upd] = reportCharts(none).charts;
    expect((acc.svg.match(/<circle /g) ?? []).length).toBe(1);
    expect(upd.svg).toContain('no data');
    expectFiniteCoordinates(acc.svg);
    expectFiniteCoordinates(upd.svg);
  });

  it('robustness and memory curves are drawn only when present and well formed', () => {
    const rich = withOptionalFields(run);
    const ids = reportCharts(rich).charts.map((c) => c.id);
    expect(ids).toContain('robustness');
    expect(ids).toContain('memory');
    const rob = reportCharts(rich).charts.find((c) => c.id === 'robustness')!;
    expect(rob.xLabel).toBe('weight noise σ / max |w|');
    expect(rob.yLabel).toBe('test accuracy (%)');
    expect((rob.svg.match(/<circle /g) ?? []).length).toBe(12);
    expect(rob.caption).toContain('source: test fixture');
    const mem = reportCharts(rich).charts.find((c) => c.id === 'memory')!;
    expect(mem.yLabel).toBe('learning-state memory (kB)');
    expect(mem.xLabel).toBe('time window T (time steps)');

    const bad = { ...rich, robustness: { ...rich.robustness!, deployed: [0.1] } };
    const r = reportCharts(bad);
    expect(r.charts.map((c) => c.id)).not.toContain('robustness');
    expect(r.charts.map((c) => c.id)).toContain('memory');
    expect(r.notes.join(' ')).toContain('"robustness.deployed"');
  });

  it('robustnessCurves turns an ncsim robustness report into the robustness field', () => {
    const curves = robustnessCurves({
      vary: 'quantization', levelUnit: 'weight bits', levels: [5, 4, 3], idealAccuracy: 0.9, model: 'rram',
      rows: [{ level: 5, deployed: 0.85, calibrated: 0.88 }, { level: 3, deployed: 0.4, calibrated: 0.7 }, { level: 4, deployed: 0.7, calibrated: 0.8 }],
    });
    expect(curves).toEqual({
      vary: 'quantization', unit: 'weight bits', levels: [3, 4, 5], ideal: [0.9, 0.9, 0.9], deployed: [0.4, 0.7, 0.85], calibrated: [0.7, 0.8, 0.88],
      source: 'ncsim robustness --vary quantization --hw rram',
    });
    expect(checkOptionalFields({ robustness: curves })).toEqual([]);
    const c = reportCharts({ ...run, robustness: curves }).charts.find((x) => x.id === 'robustness')!;
    expect(c.xLabel).toBe('quantization (weight bits)');
    expectFiniteCoordinates(c.svg);
  });

  it('checkOptionalFields names the first bad field of each', () => {
    expect(checkOptionalFields({})).toEqual([]);
    expect(checkOptionalFields({ robustness: 3 }).map((p) => p.field)).toEqual(['robustness']);
    expect(checkOptionalFields({ memory: { windows: [1, 2], rules: [{ rule: 'x', bytes: [1, NaN] }] } }).map((p) => p.field)).toEqual(['memory.rules[0].bytes']);
    expect(checkOptionalFields({ memory: { windows: [], rules: [] } }).map((p) => p.field)).toEqual(['memory.windows']);
    expect(checkOptionalFields({ robustness: { vary: 'x', levels: [1], ideal: [1], deployed: [1], calibrated: ['a'] } }).map((p) => p.field)).toEqual(['robustness.calibrated']);
  });
});

describe('the page', () => {
  it('is one self-contained HTML document with the run embedded', () => {
    const html = renderReport(run);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expectSelfContained(html);
    expect(embedded(html, 'ncsim-run')).toEqual(roundTrip(run));
    expectBalancedTags(html.replace(/<script[\s\S]*<\/script>/, ''));
    for (const id of ['accuracy', 'updates', 'energy-circuit', 'energy-layer', 'cycles', 'gantt-pipelined', 'gantt-sequential', 'gantt-hil']) {
      expect(html).toContain(`<figure id="chart-${id}"`);
    }
    expect(html).not.toMatch(/NaN|>undefined</);
  });

  it('header: the key numbers and the options table', () => {
    const html = renderReport(run);
    expect(html).toContain(`${(100 * run.teacher.testAccuracy).toFixed(2)} %`);
    expect(html).toContain(`${(100 * run.snn.testAccuracy).toFixed(2)} %`);
    expect(html).toContain('Energy per training sample');
    expect(html).toContain('Latency per training sample');
    for (const k of Object.keys(run.options)) expect(html).toContain(`<dt>${k}</dt>`);
    expect(html).toContain('<dd>64,32</dd>');
  });

  it('escapes text from the run, and "</script>" in the data cannot end the JSON element', () => {
    const hostile = structuredClone(run) as ReportRun;
    const evil = '</script><script>alert(1)</script><!-- & \u2028';
    (hostile.options as unknown as Record<string, unknown>).rule = evil;
    hostile.cost!.model.name = '<img src=x onerror=alert(1)>';
    hostile.snn.epochs[0].layers[0].name = 'h1"><b>';
    const html = renderReport(hostile);
    expectSelfContained(html);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('"><b>');
    expect(embedded(html, 'ncsim-run')).toEqual(roundTrip(hostile));
    expect(unescape(html)).toContain(evil.slice(0, 20));
  });

  it('jsonForScript: parses back, with no "<", ">" or "&" left', () => {
    const v = { a: '</script>', b: '<!--', c: 'a & b', d: '\u2028\u2029', e: [1, 2.5, null] };
    const s = jsonForScript(v);
    expect(s).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(s)).toEqual(v);
  });
});

describe('the comparison page', () => {
  it('draws the runs side by side, labels escaped, all runs embedded', () => {
    const rram = recost(run, 'rram');
    const runs = [{ label: 'loihi', run }, { label: 'rram <&>', run: rram }];
    const { charts } = compareCharts(runs);
    expect(charts.map((c) => c.id)).toEqual(['cmp-accuracy', 'cmp-updates', 'cmp-cycles', 'cmp-energy']);
    for (const c of charts) {
      expectFiniteCoordinates(c.svg);
      expectBalancedTags(c.svg);
      expect(axisLabels(c.svg)).toEqual([c.xLabel, c.yLabel]);
      expect(c.caption).toContain('source:');
      expect(c.caption).toContain('ncsim compare of 2 runs');
    }
    const html = renderCompare(runs);
    expectSelfContained(html);
    expect(html).toContain('rram &lt;&amp;&gt;');
    expect(html).not.toContain('rram <&>');
    expect(embedded(html, 'ncsim-runs')).toEqual(roundTrip(runs));
    expect(html).toContain('hardware model');
    expect(html).toContain('>rram<');
  });

  it('options that differ are listed', () => {
    const other = { ...run, options: { ...run.options, seed: 7 } };
    const html = renderCompare([{ label: 'a', run }, { label: 'b', run: other }]);
    expect(html).toMatch(/<code>seed<\/code><\/th><td class="num">1<\/td><td class="num">7<\/td>/);
  });

  it('runs without cost reports: no energy charts, a note', () => {
    const bare = { ...run, cost: undefined, pipeline: undefined };
    const { charts, notes } = compareCharts([{ label: 'a', run: bare }, { label: 'b', run: bare }]);
    expect(charts.map((c) => c.id)).toEqual(['cmp-accuracy', 'cmp-updates']);
    expect(notes).toHaveLength(1);
    expect(renderCompare([{ label: 'a', run: bare }, { label: 'b', run: bare }])).not.toMatch(/NaN/);
  });
});
