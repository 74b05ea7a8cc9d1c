/**
 * `node dist/bench-threads-nets.js [--quick]`: the convolutional nets on 1 and 2 threads alone
 * (section 1c of `npm run bench`; bench/threads-nets.ts).
 */
import '../src/node/platform.js';
import { loadavg } from 'node:os';
import { benchNetsOnThreads, formatNetsOnThreads } from './threads-nets.js';
import { crossCoreRoundTrip } from './chip-loop.js';

const load0 = loadavg()[0];
const trip0 = crossCoreRoundTrip();
const rows = benchNetsOnThreads({ quick: process.argv.includes('--quick') });
console.log(`The convolutional nets on 1 and 2 threads (best of the rounds; load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)})`);
for (const l of formatNetsOnThreads(rows)) console.log(l);
console.log(`a cache line's round trip between two threads: ${trip0.toFixed(0)} ns before the runs, ${crossCoreRoundTrip().toFixed(0)} ns after (docs/speed.md "Threads": the machine's mode)`);
