/**
 * `node dist/bench-chip-loop.js [--samples N] [--repeats R] [--no-twin] [--threads 2] [--net FILE] [--wasm FILE]...`: only
 * the chip-loop section of `npm run bench` (bench/chip-loop.ts), for a quick ratio of the
 * kernels; each --wasm FILE adds another kernel build to the comparison.
 */
import '../src/node/platform.js';
import { benchChipLoop, formatChipLoopBench } from './chip-loop.js';

const arg = (name: string, dflt: number) => {
  const k = process.argv.indexOf(name);
  return k >= 0 ? Number(process.argv[k + 1]) : dflt;
};
for (const l of formatChipLoopBench(benchChipLoop({ samples: arg('--samples', 600), repeats: arg('--repeats', 3), twin: !process.argv.includes('--no-twin'), threads: process.argv.includes('--threads') ? process.argv[process.argv.indexOf('--threads') + 1].split(',').map(Number) : undefined, extra: Object.fromEntries(process.argv.flatMap((a, k) => (a === '--wasm' ? [[process.argv[k + 1], process.argv[k + 1]]] : []))), ...(process.argv.includes('--net') ? { net: process.argv[process.argv.indexOf('--net') + 1] } : {}) }))) console.log(l);
