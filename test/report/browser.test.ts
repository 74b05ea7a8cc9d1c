// The HTML report opened in a real browser (Debian's chromium through playwright-core): no
// console errors, no network request but the file itself, every chart drawn with a nonzero size
// and its axis labels, escaping holding in a real HTML parser. Screenshots go to test-output/
// (gitignored). Where /usr/bin/chromium is absent the suite is skipped, and says why.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { watchPage } from '../page-watch.js';
import { renderReport, renderCompare } from '../../src/report/html/render.js';
import { reportCharts, compareCharts, Chart } from '../../src/report/html/charts.js';
import type { ReportRun } from '../../src/report/html/types.js';
import { makeRun, recost, withOptionalFields } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SKIP_REASON = `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the real-browser test of the HTML report`;
if (!HAS_CHROMIUM) console.warn(`test/report/browser.test.ts skipped: ${SKIP_REASON}`);

// CI installs chromium (.ci/run): there, a missing browser is a failure, not a silent skip.
describe.runIf(process.env.CI === 'true')('CI has the browser', () => {
  it(`${CHROMIUM} exists`, () => {
    expect(HAS_CHROMIUM, SKIP_REASON).toBe(true);
  });
});

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-quic', '--disable-component-update', '--disable-sync'];
const OUT = join(import.meta.dirname, '..', '..', 'test-output');

interface Visit { page: Page; requests: string[]; errors: string[]; url: string }

describe.skipIf(!HAS_CHROMIUM)(HAS_CHROMIUM ? 'the HTML report in chromium' : `the HTML report in chromium (SKIPPED: ${SKIP_REASON})`, () => {
  let browser: Browser;
  let run: ReportRun;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    run = withOptionalFields(makeRun());
    mkdirSync(OUT, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Writes the page to test-output/, opens it from disk, records requests and errors. */
  async function visit(name: string, html: string): Promise<Visit> {
    const file = join(OUT, name);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const { requests, errors } = watchPage(page);
    await page.goto(url, { waitUntil: 'load' });
    return { page, requests, errors, url };
  }

  async function expectCharts(page: Page, charts: Chart[]): Promise<void> {
    for (const c of charts) {
      const svg = page.locator(`svg[data-chart="${c.id}"]`);
      expect(await svg.count(), c.id).toBe(1);
      const box = await svg.boundingBox();
      expect(box, c.id).not.toBeNull();
      expect(box!.width, c.id).toBeGreaterThan(100);
      expect(box!.height, c.id).toBeGreaterThan(50);
      const labels = await svg.locator('text.axis-label').allTextContents();
      expect(labels, c.id).toEqual([c.xLabel, c.yLabel]);
      // each axis label is laid out inside the chart
      for (const l of await svg.locator('text.axis-label').all()) {
        const b = await l.boundingBox();
        expect(b!.width, `${c.id} axis label`).toBeGreaterThan(0);
        expect(b!.x).toBeGreaterThanOrEqual(box!.x - 1);
        expect(b!.x + b!.width).toBeLessThanOrEqual(box!.x + box!.width + 1);
      }
      const caption = await page.locator(`#chart-${c.id} figcaption`).textContent();
      expect(caption).toBe(c.caption);
    }
  }

  it('one run: no console errors, no network, every chart drawn with its axis labels; screenshot', async () => {
    const { page, requests, errors, url } = await visit('report.html', renderReport(run));
    const { charts } = reportCharts(run);
    expect(charts.map((c) => c.id)).toEqual(['accuracy', 'updates', 'energy-circuit', 'energy-layer', 'cycles', 'step-latency-train', 'step-latency-test', 'mesh-heat-train', 'robustness', 'memory', 'gantt-pipelined', 'gantt-sequential', 'gantt-hil']);
    await expectCharts(page, charts);
    const data = await page.evaluate(() => JSON.parse(document.getElementById('ncsim-run')!.textContent!));
    expect(data).toEqual(JSON.parse(JSON.stringify(run)));
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).not.toMatch(/NaN|undefined/);
    expect(text).toContain('Teacher (ANN) test accuracy');
    expect(await page.locator('script:not([type="application/json"])').count()).toBe(0);
    await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('comparison: no console errors, no network, every chart drawn; screenshot', async () => {
    const runs = [{ label: 'loihi', run }, { label: 'rram', run: recost(run, 'rram') }];
    const { page, requests, errors, url } = await visit('compare.html', renderCompare(runs));
    await expectCharts(page, compareCharts(runs).charts);
    const data = await page.evaluate(() => JSON.parse(document.getElementById('ncsim-runs')!.textContent!));
    expect(data.map((r: { label: string }) => r.label)).toEqual(['loihi', 'rram']);
    await page.screenshot({ path: join(OUT, 'compare.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('hostile text in the run stays text: no element injected, nothing fetched, JSON intact', async () => {
    const hostile = structuredClone(run) as ReportRun;
    const evil = '</script><img src="http://127.0.0.1:9/x.png"><script>document.title="pwned"</script>';
    (hostile.options as unknown as Record<string, unknown>).rule = evil;
    hostile.cost!.model.name = '<img src=http://127.0.0.1:9/y.png>';
    const { page, requests, errors, url } = await visit('hostile.html', renderReport(hostile));
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.title()).not.toBe('pwned');
    const data = await page.evaluate(() => JSON.parse(document.getElementById('ncsim-run')!.textContent!));
    expect(data.options.rule).toBe(evil);
    expect(await page.locator('h1').textContent()).toContain(evil);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });
});
