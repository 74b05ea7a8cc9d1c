// Train a small network on chip with online LTL and read the priced report.
// From the repository, after `npm run build`: node examples/train.mjs
import { train } from 'ncsim';

const report = train({ samples: 1000, testSamples: 200, hidden: [64], epochs: 2, teacherEpochs: 5, hw: 'loihi' });
const perSample = report.cost.phases.train.energy.perSamplePJ / 1e6;
console.log(`teacher ${(100 * report.teacher.testAccuracy).toFixed(2)} %, chip ${(100 * report.snn.testAccuracy).toFixed(2)} %`);
console.log(`${report.cost.model.name}: ${report.cost.mapping.coresUsed} cores, ${perSample.toFixed(2)} uJ per training sample`);
