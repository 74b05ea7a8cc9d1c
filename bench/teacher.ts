/**
 * The host teacher, old vs new in one run: training seconds of the earlier TypeScript f64
 * teacher (precision 'f64', src/host/teacher-f64.ts, cnn-f64.ts) and of the f32 wasm SIMD
 * teacher (src/host/teacher-engine.ts) on the same digits, for the default MLP (784-256-256-10)
 * and the CNN of nets/cnn-mnist.json. CPU time of the process (less sensitive to other
 * processes than wall time), runs interleaved, best of the rounds; the test accuracy of each
 * teacher beside it. Prints ratios and the load average; never a timed test.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../src/host/mnist.js';
import { teacherAccuracy, trainTeacher, type Teacher, type TeacherPrecision } from '../src/host/teacher.js';
import { trainNetTeacher } from '../src/host/cnn.js';
import { readNetFile } from '../src/net/file.js';

export interface TeacherBench { name: string; samples: number; epochs: number; f64Ms: number; f32Ms: number; f64Accuracy: number; f32Accuracy: number }

function cpuMs(f: () => void): number {
  const a = process.cpuUsage();
  f();
  const d = process.cpuUsage(a);
  return (d.user + d.system) / 1000;
}

export function benchTeacher(o: { quick: boolean }): TeacherBench[] {
  const { train, test } = loadMnist({ seed: 1, trainSamples: o.quick ? 1000 : 4000, testSamples: 1000 });
  const net = readNetFile(fileURLToPath(new URL('../nets/cnn-mnist.json', import.meta.url))); // from dist/ or bench/
  const cnnTrain = { ...train, n: o.quick ? 300 : 1000 };
  const jobs = [
    {
      name: 'MLP 784-256-256-10', samples: train.n, epochs: 2,
      run: (precision: TeacherPrecision) => trainTeacher(train, { hidden: [256, 256], epochs: 2, learningRate: 0.001, batchSize: 32, seed: 1, precision }),
    },
    {
      name: 'CNN nets/cnn-mnist.json', samples: cnnTrain.n, epochs: 1,
      run: (precision: TeacherPrecision) => trainNetTeacher(cnnTrain, net, { epochs: 1, learningRate: 0.001, batchSize: 32, seed: 1, precision }),
    },
  ];
  return jobs.map((job) => {
    let f64Ms = Infinity, f32Ms = Infinity;
    let t64: Teacher | undefined, t32: Teacher | undefined;
    for (let r = 0; r < (o.quick ? 1 : 2); r++) {
      f64Ms = Math.min(f64Ms, cpuMs(() => { t64 = job.run('f64'); }));
      f32Ms = Math.min(f32Ms, cpuMs(() => { t32 = job.run('f32'); }));
    }
    return {
      name: job.name, samples: job.samples, epochs: job.epochs, f64Ms, f32Ms,
      f64Accuracy: teacherAccuracy(t64 as Teacher, test), f32Accuracy: teacherAccuracy(t32 as Teacher, test),
    };
  });
}

export function formatTeacherBench(rows: TeacherBench[]): string[] {
  const w = [40, 12, 12, 8, 18];
  const line = (c: string[]) => c.map((x, i) => x.padStart(w[i])).join('  ');
  const pct = (a: number) => `${(a * 100).toFixed(1)} %`;
  return [
    `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')} (1, 5, 15 min)`,
    line(['teacher training, CPU s', 'f64 (old)', 'f32 wasm', 'ratio', 'test acc old/new']),
    ...rows.map((r) => line([
      `${r.name}, ${r.samples} digits x ${r.epochs} ep`, (r.f64Ms / 1000).toFixed(2), (r.f32Ms / 1000).toFixed(2),
      `${(r.f64Ms / r.f32Ms).toFixed(1)}x`, `${pct(r.f64Accuracy)} / ${pct(r.f32Accuracy)}`,
    ])),
  ];
}
