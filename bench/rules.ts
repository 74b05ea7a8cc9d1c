/**
 * `npm run bench:rules`: MNIST test accuracy of every learning rule on the same network, epochs
 * and seed, side by side with the teacher, and what STOP-WTL learned of thresholds and leaks.
 * A long experiment (minutes), not part of the test suite. Options: --epochs N --samples N
 * --test-samples N --seed N --rules a,b,c
 */
import '../src/node/platform.js';
import { train, TRAIN_DEFAULTS, TrainReport } from '../src/train/train.js';
import type { RuleName } from '../src/model/types.js';
import { RULES, RULE_TABLE } from '../src/rules/table.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const epochs = Number(arg('epochs', '5'));
const samples = Number(arg('samples', String(TRAIN_DEFAULTS.samples)));
const testSamples = Number(arg('test-samples', String(TRAIN_DEFAULTS.testSamples)));
const seed = Number(arg('seed', String(TRAIN_DEFAULTS.seed)));
const rules = arg('rules', RULES.join(',')).split(',') as RuleName[];
for (const r of rules) if (!RULES.includes(r)) throw new Error(`--rules: unknown rule ${r} (one of ${RULES.join(', ')})`);

const pct = (x: number) => `${(100 * x).toFixed(2)}`;
console.log(`MNIST, 784-256-256-10, T = ${TRAIN_DEFAULTS.steps}, ${epochs} epochs, ${samples} training / ${testSamples} test digits, seed ${seed}`);
console.log(`command: node dist/bench-rules.js --epochs ${epochs} --samples ${samples} --test-samples ${testSamples} --seed ${seed}\n`);
const header = ['rule', 'lr', ...Array.from({ length: epochs }, (_, e) => `ep ${e + 1}`), 'teacher', 'gap', 'time s'];
console.log(header.map((h, i) => (i === 0 ? h.padEnd(12) : h.padStart(8))).join(''));
const reports: TrainReport[] = [];
for (const rule of rules) {
  // One thread for every rule (only ltl-online runs on several): their times compare.
  const r = train({ ...TRAIN_DEFAULTS, rule, epochs, samples, testSamples, seed, threads: 1 });
  reports.push(r);
  const cells = [rule.padEnd(12), String(r.options.lr ?? '').padStart(8)];
  const lr = r.options.lr;
  cells[1] = (lr === undefined ? 'default' : String(lr)).padStart(8);
  for (const e of r.snn.epochs) cells.push(pct(e.testAccuracy).padStart(8));
  cells.push(pct(r.teacher.testAccuracy).padStart(8), (100 * (r.teacher.testAccuracy - r.snn.testAccuracy)).toFixed(2).padStart(8), r.wallSeconds.toFixed(0).padStart(8));
  console.log(cells.join(''));
  if (RULE_TABLE[rule].learnsThresholdLeak) {
    for (const [layer, p] of Object.entries(r.snn.neuronParameters)) {
      console.log(`    ${layer}: threshold ${p.threshold.mean.toFixed(4)} ± ${p.threshold.std.toFixed(4)} [${p.threshold.min.toFixed(3)}, ${p.threshold.max.toFixed(3)}], leak ${p.leak.mean.toFixed(4)} ± ${p.leak.std.toFixed(4)}`);
    }
  }
}
