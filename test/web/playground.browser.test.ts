// The playground in a real browser (Debian's chromium through playwright-core, as the report's
// test): served from dist/web on a free loopback port, it trains 300 digits in its Web Worker,
// draws its charts while it runs, logs no console error, asks nothing of any server but its
// own, and its run (downloaded as JSON) equals `ncsim train`'s with the same seed and options
// bit for bit; the JSON opens in `ncsim report`. Also: labels on every control, keyboard start,
// 375 px without horizontal scrolling, the message where WebAssembly SIMD is missing.
// Where /usr/bin/chromium is absent the suite is skipped, and says why (CI fails instead).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { watchPage } from '../page-watch.js';
import { serveStatic, type StaticServer } from '../../src/node/static-server.js';
import { comparable } from './comparable.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SKIP_REASON = `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the playground's browser test`;
if (!HAS_CHROMIUM) console.warn(`test/web/playground.browser.test.ts skipped: ${SKIP_REASON}`);

describe.runIf(process.env.CI === 'true')('CI has the browser', () => {
  it(`${CHROMIUM} exists`, () => {
    expect(HAS_CHROMIUM, SKIP_REASON).toBe(true);
  });
});

const ROOT = join(import.meta.dirname, '..', '..');
const WEB = join(ROOT, 'dist', 'web');
const CLI = join(ROOT, 'dist', 'cli.js');
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-quic', '--disable-component-update', '--disable-sync'];
/** The page's defaults but the seed: 300 training and 100 test digits, 784-64-10, T = 8, 1 epoch, teacher 4 epochs. */
const SEED = 7;
const CLI_ARGS = ['--samples', '300', '--test-samples', '100', '--hidden', '64', '--steps', '8', '--warmup', '0', '--epochs', '1', '--teacher-epochs', '4', '--seed', String(SEED), '--hw', 'loihi'];

interface Visit { page: Page; requests: string[]; errors: string[] }

describe.skipIf(!HAS_CHROMIUM)(HAS_CHROMIUM ? 'the playground in chromium' : `the playground in chromium (SKIPPED: ${SKIP_REASON})`, () => {
  let browser: Browser;
  let server: StaticServer;

  beforeAll(async () => {
    expect(existsSync(join(WEB, 'index.html')), 'dist/web is built by npm run build').toBe(true);
    server = await serveStatic(WEB, 0);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function visit(width: number, init?: () => void): Promise<Visit> {
    const page = await browser.newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
    if (init) await page.addInitScript(init);
    const { requests, errors } = watchPage(page);
    page.on('worker', (w) => w.on('console', (m) => {
      if (m.type() === 'error') errors.push(`worker: ${m.text()}`);
    }));
    await page.goto(server.url, { waitUntil: 'load' });
    return { page, requests, errors };
  }

  it('trains 300 digits live, with the CLI\'s numbers bit for bit, and the run opens in ncsim report', async () => {
    const { page, requests, errors } = await visit(1280);
    // Every control has a label (keyboard and screen-reader users).
    expect(await page.$$eval('input, select', (els) => els.filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.id))).toEqual([]);
    await page.fill('#seed', String(SEED));
    // Count redraws of the live charts while the chip runs.
    await page.evaluate(() => {
      const w = window as unknown as { redraws: Record<string, number> };
      w.redraws = {};
      for (const id of ['chart-updates', 'chart-raster', 'chart-accuracy', 'chart-cycles']) {
        w.redraws[id] = 0;
        new MutationObserver(() => { w.redraws[id]++; }).observe(document.getElementById(id) as HTMLElement, { childList: true });
      }
    });
    // Started from the keyboard: Enter in a field submits the form.
    await page.focus('#seed');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.run !== 'running', null, { timeout: 60_000 });
    expect(await page.evaluate(() => document.body.dataset.run), await page.textContent('#status') ?? '').toBe('done');
    const redraws = await page.evaluate(() => (window as unknown as { redraws: Record<string, number> }).redraws);
    for (const [id, n] of Object.entries(redraws)) expect(n, id).toBeGreaterThanOrEqual(2);
    for (const id of ['accuracy', 'updates', 'cycles', 'raster', 'membrane']) {
      const box = await page.locator(`svg[data-chart="${id}"]`).boundingBox();
      expect(box?.width ?? 0, id).toBeGreaterThan(100);
    }
    expect(await page.locator('#digits figure').count()).toBeGreaterThanOrEqual(2);

    // The run, downloaded as the user would.
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-web-'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    const runFile = join(dir, 'run.json');
    await download.saveAs(runFile);
    const web = JSON.parse(readFileSync(runFile, 'utf8'));
    expect(web.snn.testAccuracy).toBeGreaterThan(0.2); // chance is 0.1
    expect(web.options.samples).toBe(300);

    // The same run in the CLI.
    const cliFile = join(dir, 'cli.json');
    execFileSync(process.execPath, [CLI, 'train', ...CLI_ARGS, '--quiet', '--out', cliFile], { stdio: 'ignore' });
    const cli = JSON.parse(readFileSync(cliFile, 'utf8'));
    expect(comparable(web)).toEqual(comparable(cli));

    // The downloaded run opens in the CLI's report.
    execFileSync(process.execPath, [CLI, 'report', runFile, '-o', join(dir, 'report.html')], { stdio: 'ignore' });
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<svg');

    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('blob:'))).toEqual([]);
    expect(requests.map((u) => u.slice(server.url.length)).filter((u) => !u.startsWith('blob:')).sort()).toEqual(['', 'digits.bin', 'ncsim-teacher.wasm', 'ncsim.wasm', 'page.js', 'worker.js']);
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-output', 'playground-1280.png'), fullPage: true });
    await page.close();
  });

  it('is readable at 375 px (no horizontal scrolling), refuses a bad field by name, and stops', async () => {
    const { page, errors } = await visit(375);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.fill('#hidden', '64,abc');
    await page.click('#train');
    expect(await page.textContent('#status')).toMatch(/Hidden sizes/);
    expect(await page.evaluate(() => document.body.dataset.run ?? '')).toBe('');
    // Stop ends the worker at once; Train is offered again.
    await page.fill('#hidden', '64');
    await page.fill('#samples', '3000');
    await page.click('#train');
    expect(await page.evaluate(() => document.body.dataset.run)).toBe('running');
    expect(await page.isDisabled('#train')).toBe(true);
    await page.click('#stop');
    expect(await page.evaluate(() => document.body.dataset.run)).toBe('stopped');
    expect(await page.textContent('#status')).toBe('Stopped.');
    expect(await page.isEnabled('#train')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says so where WebAssembly SIMD is missing, and does not start', async () => {
    const { page } = await visit(1280, () => {
      WebAssembly.validate = () => false;
    });
    expect(await page.isVisible('#nosimd')).toBe(true);
    expect(await page.textContent('#nosimd')).toMatch(/WebAssembly SIMD/);
    expect(await page.isDisabled('#train')).toBe(true);
    await page.close();
  });
});
