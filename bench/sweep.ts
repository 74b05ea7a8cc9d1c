/**
 * `npm run bench:sweep`: how the local sweep pool scales. One sweep of 8 short trainings (grid
 * rule x seed) run with --workers 1 and then --workers 2 into fresh folders, through the CLI as
 * a user runs it; prints both wall times, their ratio (target on a 2-core machine: >= 1.7x) and
 * the machine's load average before and after. Options: --samples N --configs-epochs N.
 */
import '../src/node/platform.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const cli = join(dirname(fileURLToPath(import.meta.url)), 'cli.js');
const samples = Number(arg('samples', '1000'));
const dir = mkdtempSync(join(tmpdir(), 'ncsim-bench-sweep-'));
const spec = join(dir, 'sweep.json');
// --no-teacher-worker: one thread per configuration, so N workers use N cores.
writeFileSync(spec, JSON.stringify({
  schema: 'ncsim.sweep/1', command: 'train',
  fixed: { samples, 'test-samples': 500, epochs: 1, 'teacher-epochs': 2, 'teacher-worker': false },
  grid: { rule: ['ltl-online', 'stop-w'], seed: [1, 2, 3, 4] },
}));

function run(workers: number): number {
  const out = join(dir, `w${workers}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'sweep', spec, '--out', out, '--workers', String(workers), '--quiet'], { encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`sweep --workers ${workers} failed: ${r.stderr}`);
  const rows = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n').length - 1;
  if (rows !== 8) throw new Error(`expected 8 rows, got ${rows}`);
  return s;
}

const load0 = loadavg()[0];
console.log(`sweep of 8 trainings (${samples} samples, 1 epoch), ${availableParallelism()} cores, load average ${load0.toFixed(2)} before`);
const one = run(1);
const two = run(2);
console.log(`--workers 1: ${one.toFixed(1)} s`);
console.log(`--workers 2: ${two.toFixed(1)} s`);
console.log(`speed-up 2 workers / 1: ${(one / two).toFixed(2)}x (target >= 1.7x on 2 cores); load average ${loadavg()[0].toFixed(2)} after`);
