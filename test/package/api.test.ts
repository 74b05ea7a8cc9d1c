// The library's train(): partial options with the CLI's defaults, the priced report, and the
// asynchronous form with progress and cancellation (src/train/api.ts).
import { describe, it, expect } from 'vitest';
import { train, trainAsync, resolveTrainOptions, PRICE_DEFAULTS } from '../../src/train/api.js';
import { TRAIN_DEFAULTS, train as trainUnpriced } from '../../src/train/train.js';
import { TRAIN } from '../../src/cli/commands.js';
import { InputError } from '../../src/io/errors.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import type { Progress } from '../../src/train/train.js';

const SMALL = { samples: 300, testSamples: 100, hidden: [16], epochs: 1, teacherEpochs: 1, teacherWorker: false };
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
// Wall-clock figures differ between two runs of the same seed; everything else must not. They
// are: wallSeconds and samplesPerSecond, teacher.seconds, snn.epochs[].seconds, and the whole
// `throughput` object (the chip loop's and teacher's measured seconds and samples per second).
// Modelled times (cost.host/link.secondsPerSample, cost latencies, step timing, pipeline) are
// deterministic and compared.
const WALL_CLOCK = new Set(['wallSeconds', 'samplesPerSecond', 'seconds', 'throughput']);
const timeless = (r: object) => JSON.parse(JSON.stringify(r, (k, v) => (WALL_CLOCK.has(k) ? undefined : v)));

describe('library train()', () => {
  it("fills every absent option with the default of `ncsim train`'s option table", () => {
    const { train: o, price } = resolveTrainOptions({});
    const fromTable = Object.fromEntries(TRAIN.options.filter((s) => s.default !== undefined).map((s) => [camel(s.name), s.default]));
    for (const [k, v] of Object.entries(fromTable)) {
      if (k in o) expect((o as unknown as Record<string, unknown>)[k], k).toEqual(v);
      else if (k in price) expect((price as unknown as Record<string, unknown>)[k], k).toEqual(v);
    }
    expect(Object.keys(price).every((k) => k in fromTable)).toBe(true);
    expect(Object.keys(TRAIN_DEFAULTS).every((k) => k in fromTable)).toBe(true);
    expect(resolveTrainOptions({ epochs: 5, hw: 'rram' }).train.epochs).toBe(5);
    expect(resolveTrainOptions({ epochs: undefined }).train.epochs).toBe(TRAIN_DEFAULTS.epochs);
    expect(resolveTrainOptions({ hw: 'rram' }).price).toEqual({ ...PRICE_DEFAULTS, hw: 'rram' });
  });

  it('refuses an unknown option by name, and a bad hardware model before any training', () => {
    expect(() => train({ epochz: 3 } as never)).toThrow(InputError);
    expect(() => train({ epochz: 3 } as never)).toThrow(/epochz/);
    expect(() => train({ ...SMALL, hw: 'no-such-chip' })).toThrow(/no-such-chip/);
    expect(() => train({ epochs: '3' } as never)).toThrow(/"epochs": expected a finite number, got "3"/);
    expect(() => train({ hidden: 64 } as never)).toThrow(/"hidden": expected an array/);
    expect(() => train({ lr: Number.NaN })).toThrow(/"lr"/);
    expect(() => train({ net: 3 } as never)).toThrow(/"net": expected a string/);
  });

  it('returns the report priced as the CLI prices it: cost and pipeline filled in', () => {
    const r = train({ ...SMALL, hw: 'generic45', schedule: 'sequential' });
    expect(r.cost.model.name).toBe('generic45');
    expect(r.cost.phases.train.energy.perSamplePJ).toBeGreaterThan(0);
    expect(r.pipeline.schedule).toBe('sequential');
    expect(r.options.samples).toBe(300);
    // The same counts as the unpriced loop, bit for bit.
    const raw = trainUnpriced({ ...TRAIN_DEFAULTS, ...SMALL });
    expect(timeless(r.activity)).toEqual(timeless(raw.activity));
    expect(r.snn.testAccuracy).toBe(raw.snn.testAccuracy);
  });

  it('takes a loaded model as well as a name', () => {
    const r = train({ ...SMALL, epochs: 0, hw: loadModel('xylo') });
    expect(r.cost.model.name).toBe('xylo');
  });
});

describe('library trainAsync()', () => {
  it('gives the same report as train(), and reports progress through every phase', async () => {
    const seen: Progress[] = [];
    const a = await trainAsync(SMALL, { onProgress: (p) => seen.push(p) });
    const s = train(SMALL);
    expect(timeless(a)).toEqual(timeless(s));
    expect(new Set(seen.map((p) => p.phase))).toEqual(new Set(['teacher', 'train', 'test']));
  });

  it('lets the event loop run while it trains (a timer fires before the run ends)', async () => {
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 0);
    let firedDuringTraining = false;
    await trainAsync(
      { ...SMALL, epochs: 2 },
      {
        onProgress: (p) => {
          if (p.phase === 'test' && p.epoch === 2) firedDuringTraining = fired;
        },
      },
    );
    expect(firedDuringTraining).toBe(true);
  });

  it('an abort between samples rejects with an AbortError, and no more samples are run', async () => {
    const ac = new AbortController();
    const seen: Progress[] = [];
    const run = trainAsync(
      { ...SMALL, epochs: 3 },
      {
        signal: ac.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p.phase === 'train' && p.done >= 200) ac.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen[seen.length - 1]).toMatchObject({ phase: 'train', epoch: 1, done: 200 });
  });

  it('an already aborted signal rejects at once; a timer-driven abort stops a long run', async () => {
    await expect(trainAsync(SMALL, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const ac = new AbortController();
    let trainSeen = false;
    const run = trainAsync(
      { ...SMALL, epochs: 1000 },
      {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'train' && !trainSeen) {
            trainSeen = true;
            setTimeout(() => ac.abort(), 50);
          }
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});
