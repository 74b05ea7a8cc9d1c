/**
 * `npm run bench:playground`: the playground's speed against the CLI's on this machine, same
 * options and seed, measured in one run. The page (dist/web, served on loopback, in Debian's
 * headless chromium) trains in its Web Worker; the CLI runs `ncsim train` with the same options
 * (--no-teacher-worker: the page's teacher is in-thread too). Prints the chip loop's training and
 * test samples per second and the wall time of each, their ratios, whether the two runs agree
 * bit for bit, and the load average; writes a screenshot of the page mid-training
 * (docs/playground.png, or --screenshot FILE). Options: --samples N --test-samples N --hidden
 * 256,256 --steps 16 --epochs 2.
 */
import '../src/node/platform.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { serveStatic } from '../src/node/static-server.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, 'cli.js');
const web = join(here, 'web');
const o = {
  samples: arg('samples', '3000'), testSamples: arg('test-samples', '1000'), hidden: arg('hidden', '256,256'),
  steps: arg('steps', '16'), epochs: arg('epochs', '2'), teacherEpochs: arg('teacher-epochs', '2'), seed: arg('seed', '1'),
};
const shot = arg('screenshot', join(here, '..', 'docs', 'playground.png'));
const loadBefore = loadavg();

interface Throughput { trainSamplesPerSecond: number; testSamplesPerSecond: number; wallSeconds: number }
interface Run { throughput: Throughput; snn: { testAccuracy: number }; [k: string]: unknown }

// The page.
const server = await serveStatic(web, 0);
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
let page: Run;
let pageWall: number;
try {
  const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await tab.goto(server.url);
  await tab.fill('#samples', o.samples);
  await tab.fill('#testSamples', o.testSamples);
  await tab.fill('#hidden', o.hidden);
  await tab.fill('#steps', o.steps);
  await tab.fill('#epochs', o.epochs);
  await tab.fill('#teacherEpochs', o.teacherEpochs);
  await tab.fill('#seed', o.seed);
  const t0 = performance.now();
  await tab.click('#train');
  // Mid-training of the last epoch: the picture of the page at work.
  await tab.waitForFunction((e) => /Epoch (\d+): learning on chip — (\d+) of (\d+)/.test(document.getElementById('status')?.textContent ?? '')
    && (() => {
      const m = /Epoch (\d+): learning on chip — (\d+) of (\d+)/.exec(document.getElementById('status')?.textContent ?? '') as RegExpExecArray;
      return Number(m[1]) === e && Number(m[2]) > Number(m[3]) * 0.4;
    })(), Number(o.epochs), { timeout: 600_000, polling: 100 });
  await tab.screenshot({ path: shot, fullPage: true });
  await tab.waitForFunction(() => document.body.dataset.run !== 'running', null, { timeout: 600_000 });
  pageWall = (performance.now() - t0) / 1000;
  const got = await tab.evaluate(() => (window as unknown as { ncsimRun?: { report: unknown } }).ncsimRun?.report);
  if (!got) throw new Error(`the page did not finish: ${await tab.textContent('#status')}`);
  page = got as Run;
} finally {
  await browser.close();
  await server.close();
}

// The CLI, same options.
const dir = mkdtempSync(join(tmpdir(), 'ncsim-bench-web-'));
const out = join(dir, 'cli.json');
const t1 = performance.now();
const r = spawnSync(process.execPath, [cli, 'train', '--samples', o.samples, '--test-samples', o.testSamples, '--hidden', o.hidden, '--steps', o.steps,
  '--epochs', o.epochs, '--teacher-epochs', o.teacherEpochs, '--seed', o.seed, '--no-teacher-worker', '--quiet', '--out', out], { encoding: 'utf8' });
const cliWall = (performance.now() - t1) / 1000;
if (r.status !== 0) throw new Error(`ncsim train failed: ${r.stderr}`);
const cliRun = JSON.parse(readFileSync(out, 'utf8')) as Run;

const strip = (x: Run) => JSON.parse(JSON.stringify(x, (k, v) => (['seconds', 'wallSeconds', 'samplesPerSecond', 'throughput', 'teacherSeconds', 'path'].includes(k) ? undefined : v)));
const same = isDeepStrictEqual(strip(page), strip(cliRun));
const f = (x: number) => x.toFixed(0).padStart(7);
console.log(`playground vs CLI — ${o.samples} training / ${o.testSamples} test digits, 784-${o.hidden.replace(/,/g, '-')}-10, T = ${o.steps}, ${o.epochs} epoch(s), seed ${o.seed}`);
console.log('                        page (chromium)     CLI (node)   page / CLI');
console.log(`chip loop, train  /s    ${f(page.throughput.trainSamplesPerSecond)}          ${f(cliRun.throughput.trainSamplesPerSecond)}         ${(page.throughput.trainSamplesPerSecond / cliRun.throughput.trainSamplesPerSecond).toFixed(2)}`);
console.log(`chip loop, test   /s    ${f(page.throughput.testSamplesPerSecond)}          ${f(cliRun.throughput.testSamplesPerSecond)}         ${(page.throughput.testSamplesPerSecond / cliRun.throughput.testSamplesPerSecond).toFixed(2)}`);
console.log(`wall time          s    ${pageWall.toFixed(1).padStart(7)}          ${cliWall.toFixed(1).padStart(7)}         ${(pageWall / cliWall).toFixed(2)}  (page: click to done; CLI: process start to exit)`);
console.log(`test accuracy           ${(100 * page.snn.testAccuracy).toFixed(2).padStart(7)} %        ${(100 * cliRun.snn.testAccuracy).toFixed(2).padStart(7)} %`);
console.log(`same numbers bit for bit (counters, accuracies, cost): ${same ? 'yes' : 'NO'}`);
console.log(`load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`screenshot mid-training: ${shot}`);
if (!same) process.exitCode = 1;
