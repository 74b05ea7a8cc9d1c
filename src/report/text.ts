/** The train report as a table for a terminal (the JSON report is the data; this only renders it). */
import type { TrainReport } from '../train/train.js';
import { RULE_TABLE } from '../rules/table.js';
import { samplesNoun } from './samples-noun.js';

/** A fraction as a percentage with two decimals. */
export const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

export function table(rows: [string, string][]): string {
  const w = Math.max(...rows.filter((r) => r[1] !== '').map((r) => r[0].length));
  return rows.map(([k, v]) => (v === '' ? k : `  ${k.padEnd(w)}  ${v}`)).join('\n');
}

export function trainText(r: TrainReport): string {
  const o = r.options;
  const rows: [string, string][] = [
    [`ncsim train — rule ${o.rule}, ${o.epochs} epoch(s), ${o.samples} training / ${o.testSamples} test ${samplesNoun(o.data)}, T = ${o.steps}, seed ${o.seed}`, ''],
    [`teacher (${r.teacher.source ? 'ONNX' : 'ANN'}) ${r.teacher.sizes.join('-')}`, pct(r.teacher.testAccuracy)],
  ];
  // A preset's values, as the run used them (an option given on the line may have replaced one).
  if (o.preset) rows.splice(1, 0, [`preset ${o.preset}`, `threshold ${o.threshold}, leak ${+o.leak.toFixed(6)}, reset ${o.reset}, boxcar ${o.width} x ${o.height === 'unit' ? 1 : '1/p'}, warm-up ${o.warmup}, percentile ${o.percentile} (${o.normalization}${o.normalization === 'batch' ? ` ${o.batch}` : ''})`]);
  rows.push(['SNN before on-chip learning', pct(r.snn.initialTestAccuracy)]);
  for (const e of r.snn.epochs) rows.push([`SNN after epoch ${e.epoch}`, `${pct(e.testAccuracy)}   (train ${pct(e.trainAccuracy)}, ${e.seconds.toFixed(1)} s)`]);
  rows.push(['SNN final test accuracy', pct(r.snn.testAccuracy)]);
  rows.push(['gap to teacher', `${(100 * (r.teacher.testAccuracy - r.snn.testAccuracy)).toFixed(2)} points`]);
  rows.push(['update events issued', int(r.learning.updates)]);
  rows.push(['update events, dense rule', int(r.learning.denseUpdates)]);
  rows.push(['issued / dense', `${(r.learning.updateRatio * 100).toFixed(2)} %  (${int(r.learning.gatedOff)} gated off)`]);
  rows.push(['synaptic events (weight reads)', int(r.synapticEvents)]);
  for (const l of r.learning.layers) {
    rows.push([`layer ${l.name} (${l.nIn}->${l.nOut})`, `${l.spikesPerSample.toFixed(1)} spikes/sample, updates ${int(l.updates)} of ${int(l.denseUpdates)}`]);
  }
  for (const [name, p] of Object.entries(r.snn.neuronParameters ?? {})) {
    if (p.threshold.std > 0 || p.leak.std > 0 || RULE_TABLE[o.rule].learnsThresholdLeak) {
      rows.push([`layer ${name} threshold / leak`, `${p.threshold.mean.toFixed(3)} ± ${p.threshold.std.toFixed(3)} / ${p.leak.mean.toFixed(4)} ± ${p.leak.std.toFixed(4)}`]);
    }
  }
  // Three figures, never mixed: the chip loop, the teacher, the wall.
  const th = r.throughput;
  if (th) {
    const threads = o.threads ?? 1;
    rows.push(['chip loop, training', `${th.trainSamplesPerSecond.toFixed(0)} samples/s on ${threads} thread${threads === 1 ? '' : 's'}  (${th.trainSeconds.toFixed(1)} s; ${th.targetWaitSeconds.toFixed(1)} s more waiting for the teacher's targets)`]);
    rows.push(['chip loop, test', `${th.testSamplesPerSecond.toFixed(0)} samples/s  (${th.testSeconds.toFixed(1)} s)`]);
  }
  const src = r.teacher.source;
  if (src) rows.push(['teacher read from', `${src.file}  (sha256 ${src.sha256}, ${src.producer || 'unknown producer'}, opset ${src.opset}; not trained by ncsim)`]);
  else rows.push(['teacher training', `${r.teacher.seconds.toFixed(1)} s`]);
  rows.push(['wall time', `${r.wallSeconds.toFixed(1)} s  (${r.samplesPerSecond.toFixed(0)} samples/s over the whole run)`]);
  return table(rows);
}
