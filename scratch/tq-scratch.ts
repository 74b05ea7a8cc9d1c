import { loadMnist } from '../src/host/mnist.js';
import { trainTeacher, teacherAccuracy } from '../src/host/teacher.js';
const prec = (process.argv[2] ?? 'f32') as 'f32' | 'f64';
const { train, test } = loadMnist({ seed: 1, trainSamples: 8000, testSamples: 2000 });
const t0 = performance.now();
const t = trainTeacher(train, { hidden: [256, 256], epochs: Number(process.argv[3] ?? 8), learningRate: 0.001, batchSize: 32, seed: 1, precision: prec }, (e, l) => console.log(e, l.toFixed(10), ((performance.now() - t0) / 1000).toFixed(2)));
console.log(prec, 'train s', ((performance.now() - t0) / 1000).toFixed(2), 'acc', teacherAccuracy(t, test));
