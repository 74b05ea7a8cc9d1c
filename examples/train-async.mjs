// The asynchronous form: progress callbacks, and cancellation through an AbortSignal (checked
// between samples). This run is stopped by its own progress callback once 200 training samples
// are done; a cancelled run rejects with an AbortError.
// From the repository, after `npm run build`: node examples/train-async.mjs
import { trainAsync } from 'ncsim';

const options = { samples: 300, testSamples: 100, hidden: [32], epochs: 2, teacherEpochs: 1 };

const full = await trainAsync(options, { onProgress: (p) => console.log(`${p.phase} epoch ${p.epoch}: ${p.done}/${p.total}`) });
console.log(`finished: chip ${(100 * full.snn.testAccuracy).toFixed(2)} %, ${full.pipeline.comparison.pipelined.makespan.toExponential(3)} s pipelined`);

const controller = new AbortController();
try {
  await trainAsync(options, {
    signal: controller.signal,
    onProgress: (p) => {
      if (p.phase === 'train' && p.done >= 200) controller.abort();
    },
  });
  console.log('not cancelled');
} catch (e) {
  console.log(`cancelled: ${e.name}`);
}
