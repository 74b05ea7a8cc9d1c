/**
 * `node dist/bench-timing.js [--quick] [--spread|--pack]`: section 5 of `npm run bench` alone —
 * the step timer's overhead on the default training epoch, and the timer alone (bench/timing.ts).
 */
import '../src/node/platform.js';
import { loadavg } from 'node:os';
import { benchTiming, benchTimerAlone, formatTimingBench } from './timing.js';
import type { MapPolicy } from '../src/cost/mapping.js';

const quick = process.argv.includes('--quick');
const only = (['spread', 'pack'] as MapPolicy[]).filter((p) => process.argv.includes(`--${p}`));
console.log(`Per-step timing on the mesh (src/timing): the default training epoch with and without it (target <= 15 %); load average ${loadavg()[0].toFixed(2)}`);
for (const l of formatTimingBench(benchTiming({ quick, policies: only.length ? only : undefined }), benchTimerAlone({ quick }))) console.log(l);
