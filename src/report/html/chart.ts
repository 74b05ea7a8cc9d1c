/**
 * What every chart of the report is (a titled SVG with labelled axes and a caption) and the line
 * naming the run it comes from; shared by charts.ts and timing-charts.ts.
 */
import type { ReportRun } from './types.js';
import { samplesNoun } from '../samples-noun.js';

export interface Chart {
  /** Unique on the page; the figure's id is `chart-<id>` and its svg has data-chart="<id>". */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  caption: string;
  svg: string;
  /** Spans the page's width (timelines). */
  wide?: boolean;
}

const str = (v: unknown, fallback = '?'): string => (v === undefined || v === null || v === '' ? fallback : String(v));

/** "ncsim train, rule ltl-online, hw loihi, 1000 training digits x 2 epochs, T = 16, seed 1". */
export function provenance(run: ReportRun): string {
  const o = (run.options ?? {}) as Partial<ReportRun['options']>;
  return `ncsim train, rule ${str(o.rule)}, hw ${str(run.cost?.model?.name, 'not priced')}, ${str(o.samples)} training ${samplesNoun(o.data)} × ${str(o.epochs)} epoch(s), T = ${str(o.steps)}, seed ${str(o.seed)}`;
}
