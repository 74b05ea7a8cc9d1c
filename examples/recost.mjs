// Count once, price many times: the same run's activity priced on every shipped hardware model.
// From the repository, after `npm run build`: node examples/recost.mjs
import { train, listModels, loadModel, mapWithPolicy, costRun } from 'ncsim';

const { activity } = train({ samples: 300, testSamples: 100, hidden: [32], epochs: 1, teacherEpochs: 1 });
for (const { name } of listModels()) {
  const model = loadModel(name);
  const c = costRun(activity, model, mapWithPolicy(activity.layers, model, 'spread'));
  console.log(`${name.padEnd(10)} ${String(c.mapping.coresUsed).padStart(3)} cores  ${(c.phases.train.energy.perSamplePJ / 1e6).toFixed(3)} uJ / training sample`);
}
