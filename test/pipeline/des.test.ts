import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareSchedules, maxBufferOccupancy, pipelineFigures, simulatePipeline, type PipelineParams, type PipelineResult, type Resource } from '../../src/pipeline/des.js';
import { InputError } from '../../src/io/errors.js';

const duration = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e-2, noNaN: true }));

const paramsArb: fc.Arbitrary<PipelineParams> = fc.record({
  batches: fc.integer({ min: 0, max: 25 }),
  batchSize: fc.integer({ min: 1, max: 200 }),
  hostSecondsPerSample: duration,
  hostJoulesPerSample: fc.double({ min: 0, max: 1, noNaN: true }),
  linkBytesPerSample: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000 })),
  linkBandwidth: fc.oneof(fc.constant(Infinity), fc.double({ min: 1e3, max: 1e10, noNaN: true })),
  linkLatency: duration,
  linkJoulesPerByte: fc.double({ min: 0, max: 1e-6, noNaN: true }),
  chipSecondsPerSample: duration,
  chipJoulesPerSample: fc.double({ min: 0, max: 1, noNaN: true }),
  buffers: fc.integer({ min: 1, max: 4 }),
});

function events(r: PipelineResult, resource: Resource) {
  return r.timeline.filter((e) => e.resource === resource).sort((a, b) => a.batch - b.batch);
}

function sumInOrder(n: number, d: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += d;
  return s;
}

/** Occupancy of chip-side buffers recomputed from the timeline: a batch holds one from its transfer's start to its training's end. */
function bufferOccupancyFromTimeline(r: PipelineResult): number {
  const link = events(r, 'link'), chip = events(r, 'chip');
  let best = 0;
  for (let i = 0; i < link.length; i++) {
    const t = link[i].start;
    let inUse = 0;
    // its own, plus every other batch whose hold [link start, chip end) covers t, where a batch
    // released at t by the chip frees its buffer before batch i takes it
    for (let j = 0; j < link.length; j++) {
      if (j === i || (link[j].start < t && t < chip[j].end) || (j < i && link[j].start === t && chip[j].end > t)) inUse++;
    }
    best = Math.max(best, inUse);
  }
  return best;
}

describe('simulatePipeline: properties', () => {
  it('pipelined is never slower than sequential', () => {
    fc.assert(fc.property(paramsArb, (p) => {
      expect(simulatePipeline(p, 'pipelined').makespan).toBeLessThanOrEqual(simulatePipeline(p, 'sequential').makespan);
    }), { numRuns: 300 });
  });

  it('makespan >= total host time, total link time and total chip time', () => {
    fc.assert(fc.property(paramsArb, fc.constantFrom('pipelined', 'sequential') as fc.Arbitrary<'pipelined' | 'sequential'>, (p, schedule) => {
      const r = simulatePipeline(p, schedule);
      const host = sumInOrder(p.batches, p.batchSize * p.hostSecondsPerSample);
      const chip = sumInOrder(p.batches, p.batchSize * p.chipSecondsPerSample);
      const link = sumInOrder(p.batches, (p.batchSize * p.linkBytesPerSample) / p.linkBandwidth + p.linkLatency);
      expect(r.makespan).toBeGreaterThanOrEqual(Math.max(host, chip, link));
    }), { numRuns: 300 });
  });

  it('no batch is transferred before the host made it, nor trained before its targets arrived', () => {
    fc.assert(fc.property(paramsArb, fc.constantFrom('pipelined', 'sequential') as fc.Arbitrary<'pipelined' | 'sequential'>, (p, schedule) => {
      const r = simulatePipeline(p, schedule);
      const host = events(r, 'host'), link = events(r, 'link'), chip = events(r, 'chip');
      expect(host.length).toBe(p.batches);
      for (let i = 0; i < p.batches; i++) {
        expect(link[i].start).toBeGreaterThanOrEqual(host[i].end);
        expect(chip[i].start).toBeGreaterThanOrEqual(link[i].end);
      }
    }), { numRuns: 300 });
  });

  it('each resource serves one batch at a time, in batch order', () => {
    fc.assert(fc.property(paramsArb, fc.constantFrom('pipelined', 'sequential') as fc.Arbitrary<'pipelined' | 'sequential'>, (p, schedule) => {
      const r = simulatePipeline(p, schedule);
      for (const res of ['host', 'link', 'chip'] as const) {
        const ev = events(r, res);
        for (let i = 0; i < ev.length; i++) {
          expect(ev[i].end).toBeGreaterThanOrEqual(ev[i].start);
          if (i > 0) expect(ev[i].start).toBeGreaterThanOrEqual(ev[i - 1].end);
        }
      }
      if (schedule === 'sequential') {
        // no overlap at all: every event starts after every earlier one ended
        const all = [...r.timeline].sort((a, b) => a.start - b.start || a.end - b.end);
        for (let i = 1; i < all.length; i++) expect(all[i].start).toBeGreaterThanOrEqual(all[i - 1].end);
      }
    }), { numRuns: 200 });
  });

  it('buffer occupancy never exceeds the buffers (and agrees with the timeline)', () => {
    fc.assert(fc.property(paramsArb, (p) => {
      const r = simulatePipeline(p, 'pipelined');
      expect(r.maxBufferOccupancy).toBeLessThanOrEqual(p.buffers!);
      expect(r.maxBufferOccupancy).toBe(bufferOccupancyFromTimeline(r));
      expect(simulatePipeline(p, 'sequential').maxBufferOccupancy).toBeLessThanOrEqual(1);
    }), { numRuns: 300 });
  });

  it('more buffers never make the pipeline slower', () => {
    fc.assert(fc.property(paramsArb, (p) => {
      expect(simulatePipeline({ ...p, buffers: p.buffers! + 1 }, 'pipelined').makespan).toBeLessThanOrEqual(simulatePipeline(p, 'pipelined').makespan);
    }), { numRuns: 200 });
  });

  it('with a free host and link, the pipelined makespan is the total chip time', () => {
    fc.assert(fc.property(paramsArb, (p0) => {
      const p = { ...p0, hostSecondsPerSample: 0, linkLatency: 0, linkBandwidth: Infinity };
      const r = simulatePipeline(p, 'pipelined');
      expect(r.makespan).toBe(sumInOrder(p.batches, p.batchSize * p.chipSecondsPerSample));
      expect(r.stalls.chipWaitingForTargets).toBe(0);
    }), { numRuns: 200 });
  });

  it('utilisation in [0, 1], stalls >= 0, busy + chip stall = makespan, energy adds up', () => {
    fc.assert(fc.property(paramsArb, fc.constantFrom('pipelined', 'sequential') as fc.Arbitrary<'pipelined' | 'sequential'>, (p, schedule) => {
      const r = simulatePipeline(p, schedule);
      for (const res of ['host', 'link', 'chip'] as const) {
        expect(r.utilisation[res]).toBeGreaterThanOrEqual(0);
        expect(r.utilisation[res]).toBeLessThanOrEqual(1 + 1e-12);
      }
      expect(r.stalls.chipWaitingForTargets).toBeGreaterThanOrEqual(0);
      expect(r.stalls.hostWaitingForBuffer).toBeGreaterThanOrEqual(0);
      // Relative: sums of many float durations differ from the makespan by rounding only.
      const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
      close(r.busy.chip + r.stalls.chipWaitingForTargets, r.makespan);
      close(r.energy.total, r.energy.host + r.energy.link + r.energy.chip);
      expect(r.samples).toBe(p.batches * p.batchSize);
    }), { numRuns: 200 });
  });
});

describe('simulatePipeline: worked example (H = 1 s, L = 0.5 s, C = 2 s per batch, 3 batches)', () => {
  // batchSize 1: per-sample costs are per-batch costs
  const p: PipelineParams = {
    batches: 3, batchSize: 1, hostSecondsPerSample: 1, hostJoulesPerSample: 10, linkBytesPerSample: 100, linkBandwidth: 400,
    linkLatency: 0.25, linkJoulesPerByte: 0.01, chipSecondsPerSample: 2, chipJoulesPerSample: 1, buffers: 2,
  };
  const spans = (r: PipelineResult, res: Resource) => events(r, res).map((e) => [e.start, e.end]);

  it('double buffering: the host and link work during the chip, the chip waits only for the first batch', () => {
    const r = simulatePipeline(p, 'pipelined');
    expect(spans(r, 'host')).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(spans(r, 'link')).toEqual([[1, 1.5], [2, 2.5], [3.5, 4]]); // batch 2 waits for batch 0's buffer
    expect(spans(r, 'chip')).toEqual([[1.5, 3.5], [3.5, 5.5], [5.5, 7.5]]);
    expect(r.makespan).toBe(7.5);
    expect(r.stalls).toEqual({ chipWaitingForTargets: 1.5, hostWaitingForBuffer: 0 });
    expect(r.maxBufferOccupancy).toBe(2);
    expect(r.utilisation.chip).toBeCloseTo(6 / 7.5, 15);
    expect(r.energy).toEqual({ host: 30, link: 3, chip: 3, total: 36 });
  });

  it('one buffer: the host waits for its staging buffer to be handed over', () => {
    const r = simulatePipeline({ ...p, buffers: 1 }, 'pipelined');
    expect(spans(r, 'host')).toEqual([[0, 1], [1, 2], [3.5, 4.5]]);
    expect(spans(r, 'link')).toEqual([[1, 1.5], [3.5, 4], [6, 6.5]]);
    expect(spans(r, 'chip')).toEqual([[1.5, 3.5], [4, 6], [6.5, 8.5]]);
    expect(r.stalls.hostWaitingForBuffer).toBe(1.5);
    expect(r.maxBufferOccupancy).toBe(1);
  });

  it('sequential: 3 x (1 + 0.5 + 2) s; static power is charged over the makespan', () => {
    const r = simulatePipeline({ ...p, staticWatts: { chip: 2 } }, 'sequential');
    expect(r.makespan).toBe(10.5);
    expect(spans(r, 'chip')).toEqual([[1.5, 3.5], [5, 7], [8.5, 10.5]]);
    expect(r.energy.chip).toBe(3 + 2 * 10.5);
    expect(r.stalls.hostWaitingForBuffer).toBe(5);
  });

  it('hil: every step pays chip, ADC, link and host in turn', () => {
    const hil = {
      stepsPerSample: 4, adcSecondsPerStep: 0.25, adcJoulesPerStep: 1, bytesToHostPerStep: 100, bytesToChipPerSample: 200,
      hostSecondsPerStep: 0.5, hostJoulesPerStep: 2, weightWriteSecondsPerSample: 1, weightWriteJoulesPerSample: 4,
    };
    const r = simulatePipeline({ ...p, hil }, 'hil');
    // per sample: chip 2 + 4*0.25 + 1 = 4; link 4*(0.25+0.25) + (0.5+0.25) = 2.75; host 4*0.5 = 2
    expect(r.busy).toEqual({ chip: 12, link: 8.25, host: 6 });
    expect(r.makespan).toBe(3 * 8.75);
    expect(r.energy.chip).toBe(3 * (1 + 4 + 4));
    expect(r.energy.host).toBe(3 * 8);
    expect(r.energy.link).toBeCloseTo(3 * 600 * 0.01, 12);
    expect(r.maxBufferOccupancy).toBe(0);
    const c = compareSchedules({ ...p, hil });
    expect(Object.keys(c)).toEqual(['pipelined', 'sequential', 'hil']);
    expect(c.pipelined.makespan).toBe(7.5);
    expect(compareSchedules(p).hil).toBeUndefined();
  });

  it('no batches: everything is 0', () => {
    const r = simulatePipeline({ ...p, batches: 0 }, 'pipelined');
    expect(r.makespan).toBe(0);
    expect(r.timeline).toEqual([]);
    expect(r.utilisation).toEqual({ host: 0, link: 0, chip: 0 });
  });
});

describe('simulatePipeline: bad parameters', () => {
  const p: PipelineParams = {
    batches: 2, batchSize: 10, hostSecondsPerSample: 1e-4, hostJoulesPerSample: 0, linkBytesPerSample: 100, linkBandwidth: 1e6,
    linkLatency: 0, linkJoulesPerByte: 0, chipSecondsPerSample: 1e-3, chipJoulesPerSample: 0,
  };
  it('names the field (InputError, CLI exit 2)', () => {
    expect(() => simulatePipeline({ ...p, batchSize: 0 }, 'pipelined')).toThrow(InputError);
    expect(() => simulatePipeline({ ...p, batchSize: 0 }, 'pipelined')).toThrow(/"batchSize": expected an integer >= 1, got 0/);
    expect(() => simulatePipeline({ ...p, linkBandwidth: 0 }, 'pipelined')).toThrow(/linkBandwidth/);
    expect(() => simulatePipeline({ ...p, chipSecondsPerSample: NaN }, 'pipelined')).toThrow(/chipSecondsPerSample/);
    expect(() => simulatePipeline({ ...p, buffers: 0 }, 'pipelined')).toThrow(/buffers/);
    expect(() => simulatePipeline(p, 'hil')).toThrow(/"hil"/);
    expect(() => simulatePipeline(p, 'overlapped' as never)).toThrow(/schedule/);
  });
  it('defaults to two buffers', () => {
    expect(simulatePipeline({ ...p, batches: 10, hostSecondsPerSample: 0 }, 'pipelined').maxBufferOccupancy).toBe(2);
  });
});

describe('maxBufferOccupancy', () => {
  it('a buffer released at the instant another is taken is free; zero-length holds count once', () => {
    expect(maxBufferOccupancy([0, 1], [1, 2])).toBe(1);
    expect(maxBufferOccupancy([0, 0.5], [1, 2])).toBe(2);
    expect(maxBufferOccupancy([1], [1])).toBe(1);
    expect(maxBufferOccupancy([0, 0, 0], [0, 0, 0])).toBe(1);
    expect(maxBufferOccupancy([0, 0, 0], [5, 5, 5])).toBe(3);
    expect(maxBufferOccupancy([], [])).toBe(0);
  });
});

describe('pipelineFigures', () => {
  it('flat names, one per figure, values from the result', () => {
    const p: PipelineParams = {
      batches: 4, batchSize: 10, hostSecondsPerSample: 1e-4, hostJoulesPerSample: 1e-3, linkBytesPerSample: 100, linkBandwidth: 1e6,
      linkLatency: 1e-5, linkJoulesPerByte: 1e-9, chipSecondsPerSample: 1e-3, chipJoulesPerSample: 1e-4,
    };
    const r = simulatePipeline(p, 'pipelined');
    const figs = pipelineFigures(r);
    const names = figs.map((x) => x.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => /^pipeline\.pipelined\.[a-z_.]+$/.test(n))).toBe(true);
    expect(figs.find((x) => x.name === 'pipeline.pipelined.makespan')!.value).toBe(r.makespan);
    expect(figs.find((x) => x.name === 'pipeline.pipelined.chip.utilisation')!.value).toBe(r.utilisation.chip);
    expect(figs.find((x) => x.name === 'pipeline.pipelined.energy.total')).toMatchObject({ value: r.energy.total, unit: 'J' });
  });
});
