/**
 * The host/chip pipeline of LTL §2.2 ("On-chip implementation") as discrete events on three
 * resources, each serving one batch at a time in batch order:
 *
 *   host  runs the ANN teacher on a batch:           H = batchSize · hostSecondsPerSample
 *   link  moves the batch's inputs and targets:      L = batchSize · linkBytesPerSample / linkBandwidth + linkLatency
 *   chip  trains on the batch, one sample at a time: C = batchSize · chipSecondsPerSample
 *
 * Every event starts at the earliest time its resource is free and its inputs exist, so the
 * event times follow from these recurrences (batch i = 0, 1, ...; a term with a negative batch
 * index is 0):
 *
 *   pipelined (the paper's: the host prepares batch i+1 while the chip trains batch i)
 *     host_start[i] = max(host_end[i-1], link_start[i-1])
 *     link_start[i] = max(host_end[i], link_end[i-1], chip_end[i-B])
 *     chip_start[i] = max(link_end[i], chip_end[i-1])
 *   sequential (no overlap)
 *     host_start[i] = chip_end[i-1],  link_start[i] = host_end[i],  chip_start[i] = link_end[i]
 *   each event ends at start + duration.
 *
 * Buffers: a batch's targets occupy one of B = `buffers` chip-side buffers from the moment its
 * transfer starts until the chip has trained on it (the interval [link_start, chip_end)), so
 * with B = 2 the link fills one buffer while the chip reads the other (double buffering). The
 * host writes a batch into a host-side staging buffer that is handed to the link when the
 * transfer starts; it may compute batch i only once batch i-1 has been handed over, which is
 * what bounds how far the host runs ahead of the chip (the `hostWaitingForBuffer` stall).
 *
 *   hil (hardware in the loop, the baseline LTL argues against): no teacher. Every one of the
 *     sample's T = stepsPerSample steps, the chip runs the step (chipSecondsPerSample / T), its
 *     states are read out through ADCs, sent to the host (bytesToHostPerStep, one transfer per
 *     step, so one latency per step) and processed there (hostSecondsPerStep); after the last
 *     step the new weights go back over the link (bytesToChipPerSample: inputs and weight
 *     updates, one transfer) and are written into the chip's memory. Each step waits for the
 *     previous one, nothing overlaps. The timeline has, per batch, one event per resource
 *     spanning the batch's window, with `busy` the resource's share of it (the resources
 *     alternate every step inside the window).
 *
 * Stalls (seconds): `chipWaitingForTargets` is the chip's idle time before its last batch ends
 * (makespan - chip busy: the pipeline's fill plus every wait for a transfer; for hil, the wait
 * for the host and link every step); `hostWaitingForBuffer` is the host's idle time between its
 * first start and its last end (waiting for a staging buffer to be handed to the link; in
 * sequential, waiting for the chip).
 *
 * Energy (J): per-sample and per-byte dynamic energy from the params, plus optional static
 * power times the makespan per resource (so a shorter makespan also saves energy).
 */
import { InputError } from '../io/errors.js';

export type Schedule = 'pipelined' | 'sequential' | 'hil';
export const SCHEDULES: readonly Schedule[] = ['pipelined', 'sequential', 'hil'];

export type Resource = 'host' | 'link' | 'chip';

/** Costs of hardware-in-the-loop training (schedule 'hil'). */
export interface HilParams {
  /** time steps per sample T; states are read out every step */
  stepsPerSample: number;
  /** ADC conversion of one step's read-out states (chip side) */
  adcSecondsPerStep: number;
  adcJoulesPerStep: number;
  /** bytes of read-out states sent to the host per step */
  bytesToHostPerStep: number;
  /** bytes sent to the chip per sample: the input and the updated weights */
  bytesToChipPerSample: number;
  /** host work per step (errors and weight updates from the read-out states) */
  hostSecondsPerStep: number;
  hostJoulesPerStep: number;
  /** writing the updated weights into the chip's memory, per sample */
  weightWriteSecondsPerSample: number;
  weightWriteJoulesPerSample: number;
  /** chip forward pass per sample, without on-chip learning (default: chipSecondsPerSample / chipJoulesPerSample) */
  chipSecondsPerSample?: number;
  chipJoulesPerSample?: number;
}

export interface PipelineParams {
  /** batches in the simulated run (e.g. ceil(samples / batchSize) per epoch, times epochs); all full */
  batches: number;
  batchSize: number;
  /** ANN teacher inference per sample on the host (FLOPs per sample / host FLOP/s) */
  hostSecondsPerSample: number;
  hostJoulesPerSample: number;
  /** bytes host -> chip per sample: the input and the layer targets */
  linkBytesPerSample: number;
  /** B/s, > 0 (Infinity: a free link) */
  linkBandwidth: number;
  /** s, paid once per transfer (once per batch; once per step and per sample in hil) */
  linkLatency: number;
  linkJoulesPerByte: number;
  /** on-chip training of one sample (T steps, forward and learning) */
  chipSecondsPerSample: number;
  chipJoulesPerSample: number;
  /** chip-side target buffers, an integer >= 1 (default 2: double buffering) */
  buffers?: number;
  /** static power of each resource (W, default 0), charged over the whole makespan */
  staticWatts?: { host?: number; link?: number; chip?: number };
  /** costs of the hardware-in-the-loop baseline; schedule 'hil' needs them */
  hil?: HilParams;
}

export interface TimelineEvent {
  resource: Resource;
  batch: number;
  start: number;
  end: number;
  /** seconds the resource works inside [start, end]: end - start, except in hil (see above) */
  busy: number;
  what: string;
}

export interface PerResource {
  host: number;
  link: number;
  chip: number;
}

export interface PipelineResult {
  schedule: Schedule;
  batches: number;
  samples: number;
  /** s, from the first event's start (0) to the last event's end */
  makespan: number;
  /** per resource, in resource order then batch order */
  timeline: TimelineEvent[];
  /** busy seconds per resource */
  busy: PerResource;
  /** busy / makespan (0 when the makespan is 0) */
  utilisation: PerResource;
  stalls: { chipWaitingForTargets: number; hostWaitingForBuffer: number };
  energy: PerResource & { total: number };
  /** most chip-side target buffers in use at once (0 for hil: it sends no targets) */
  maxBufferOccupancy: number;
}

export interface ScheduleComparison {
  pipelined: PipelineResult;
  sequential: PipelineResult;
  /** present when params.hil is given */
  hil?: PipelineResult;
}

export const DEFAULT_BUFFERS = 2;

const FIELD_KIND = { kind: 'pipeline parameter' };

function nonNegative(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InputError(field, 'a finite number >= 0', v, FIELD_KIND);
  return v;
}

function integerAtLeast(v: unknown, min: number, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new InputError(field, `an integer >= ${min}`, v, FIELD_KIND);
  return v;
}

function positive(v: unknown, field: string): number {
  if (typeof v !== 'number' || Number.isNaN(v) || !(v > 0)) throw new InputError(field, 'a number > 0 (Infinity allowed)', v, FIELD_KIND);
  return v;
}

/** Checks every field (InputError naming the field, e.g. `pipeline parameter "linkBandwidth"`); returns the buffer count. */
export function checkPipelineParams(p: PipelineParams, schedule?: Schedule): number {
  if (typeof p !== 'object' || p === null) throw new InputError('params', 'an object', p, FIELD_KIND);
  integerAtLeast(p.batches, 0, 'batches');
  integerAtLeast(p.batchSize, 1, 'batchSize');
  for (const f of ['hostSecondsPerSample', 'hostJoulesPerSample', 'linkBytesPerSample', 'linkLatency', 'linkJoulesPerByte', 'chipSecondsPerSample', 'chipJoulesPerSample'] as const) {
    nonNegative(p[f], f);
  }
  positive(p.linkBandwidth, 'linkBandwidth');
  const buffers = p.buffers === undefined ? DEFAULT_BUFFERS : integerAtLeast(p.buffers, 1, 'buffers');
  if (p.staticWatts !== undefined) {
    if (typeof p.staticWatts !== 'object' || p.staticWatts === null) throw new InputError('staticWatts', 'an object { host?, link?, chip? }', p.staticWatts, FIELD_KIND);
    for (const r of ['host', 'link', 'chip'] as const) {
      if (p.staticWatts[r] !== undefined) nonNegative(p.staticWatts[r], `staticWatts.${r}`);
    }
  }
  if (p.hil !== undefined) {
    const h = p.hil;
    if (typeof h !== 'object' || h === null) throw new InputError('hil', 'an object of hardware-in-the-loop costs', h, FIELD_KIND);
    integerAtLeast(h.stepsPerSample, 1, 'hil.stepsPerSample');
    for (const f of ['adcSecondsPerStep', 'adcJoulesPerStep', 'bytesToHostPerStep', 'bytesToChipPerSample', 'hostSecondsPerStep', 'hostJoulesPerStep', 'weightWriteSecondsPerSample', 'weightWriteJoulesPerSample'] as const) {
      nonNegative(h[f], `hil.${f}`);
    }
    if (h.chipSecondsPerSample !== undefined) nonNegative(h.chipSecondsPerSample, 'hil.chipSecondsPerSample');
    if (h.chipJoulesPerSample !== undefined) nonNegative(h.chipJoulesPerSample, 'hil.chipJoulesPerSample');
  } else if (schedule === 'hil') {
    throw new InputError('hil', 'the hardware-in-the-loop costs (schedule "hil" needs them)', undefined, FIELD_KIND);
  }
  return buffers;
}

/** Simulates one schedule of `params.batches` batches. */
export function simulatePipeline(params: PipelineParams, schedule: Schedule): PipelineResult {
  if (!SCHEDULES.includes(schedule)) throw new InputError('schedule', `one of ${SCHEDULES.join(', ')}`, schedule, FIELD_KIND);
  const buffers = checkPipelineParams(params, schedule);
  return schedule === 'hil' ? simulateHil(params) : simulateTeacherPipeline(params, schedule, buffers);
}

/** The three schedules side by side (hil only when params.hil is given). */
export function compareSchedules(params: PipelineParams): ScheduleComparison {
  checkPipelineParams(params);
  const out: ScheduleComparison = {
    pipelined: simulatePipeline(params, 'pipelined'),
    sequential: simulatePipeline(params, 'sequential'),
  };
  if (params.hil !== undefined) out.hil = simulatePipeline(params, 'hil');
  return out;
}

function formatBytes(b: number): string {
  if (b >= 1e9) return `${(b / 1e9).toPrecision(3)} GB`;
  if (b >= 1e6) return `${(b / 1e6).toPrecision(3)} MB`;
  if (b >= 1e3) return `${(b / 1e3).toPrecision(3)} kB`;
  return `${b} B`;
}

function simulateTeacherPipeline(p: PipelineParams, schedule: 'pipelined' | 'sequential', buffers: number): PipelineResult {
  const n = p.batches;
  const H = p.batchSize * p.hostSecondsPerSample;
  const bytes = p.batchSize * p.linkBytesPerSample;
  const L = bytes / p.linkBandwidth + p.linkLatency;
  const C = p.batchSize * p.chipSecondsPerSample;
  const hostStart = new Float64Array(n), hostEnd = new Float64Array(n);
  const linkStart = new Float64Array(n), linkEnd = new Float64Array(n);
  const chipStart = new Float64Array(n), chipEnd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (schedule === 'pipelined') {
      hostStart[i] = i === 0 ? 0 : Math.max(hostEnd[i - 1], linkStart[i - 1]);
      hostEnd[i] = hostStart[i] + H;
      let ls = hostEnd[i];
      if (i > 0) ls = Math.max(ls, linkEnd[i - 1]);
      if (i >= buffers) ls = Math.max(ls, chipEnd[i - buffers]);
      linkStart[i] = ls;
      linkEnd[i] = ls + L;
      chipStart[i] = i === 0 ? linkEnd[i] : Math.max(linkEnd[i], chipEnd[i - 1]);
    } else {
      hostStart[i] = i === 0 ? 0 : chipEnd[i - 1];
      hostEnd[i] = hostStart[i] + H;
      linkStart[i] = hostEnd[i];
      linkEnd[i] = linkStart[i] + L;
      chipStart[i] = linkEnd[i];
    }
    chipEnd[i] = chipStart[i] + C;
  }
  const timeline: TimelineEvent[] = [];
  const push = (resource: Resource, start: Float64Array, end: Float64Array, what: string) => {
    for (let i = 0; i < n; i++) timeline.push({ resource, batch: i, start: start[i], end: end[i], busy: end[i] - start[i], what });
  };
  push('host', hostStart, hostEnd, `teacher inference, ${p.batchSize} samples`);
  push('link', linkStart, linkEnd, `inputs + targets, ${formatBytes(bytes)}`);
  push('chip', chipStart, chipEnd, `on-chip training, ${p.batchSize} samples`);

  const makespan = n === 0 ? 0 : chipEnd[n - 1];
  const busy = { host: sumDurations(hostStart, hostEnd), link: sumDurations(linkStart, linkEnd), chip: sumDurations(chipStart, chipEnd) };
  const samples = n * p.batchSize;
  const energy = withStatic(p, makespan, {
    host: samples * p.hostJoulesPerSample,
    link: samples * p.linkBytesPerSample * p.linkJoulesPerByte,
    chip: samples * p.chipJoulesPerSample,
  });
  return {
    schedule, batches: n, samples, makespan, timeline, busy,
    utilisation: utilisation(busy, makespan),
    stalls: {
      chipWaitingForTargets: n === 0 ? 0 : Math.max(0, chipEnd[n - 1] - busy.chip),
      hostWaitingForBuffer: n === 0 ? 0 : Math.max(0, hostEnd[n - 1] - hostStart[0] - busy.host),
    },
    energy,
    maxBufferOccupancy: maxBufferOccupancy(linkStart, chipEnd),
  };
}

function simulateHil(p: PipelineParams): PipelineResult {
  const h = p.hil!;
  const n = p.batches;
  const T = h.stepsPerSample;
  const chipSample = h.chipSecondsPerSample ?? p.chipSecondsPerSample;
  const chipJoules = h.chipJoulesPerSample ?? p.chipJoulesPerSample;
  // one sample, every term a resource's busy time; the sample's time is their sum (no overlap)
  const chipPerSample = chipSample + T * h.adcSecondsPerStep + h.weightWriteSecondsPerSample;
  const linkPerSample = T * (h.bytesToHostPerStep / p.linkBandwidth + p.linkLatency) + (h.bytesToChipPerSample / p.linkBandwidth + p.linkLatency);
  const hostPerSample = T * h.hostSecondsPerStep;
  const window = p.batchSize * (chipPerSample + linkPerSample + hostPerSample);
  const timeline: TimelineEvent[] = [];
  const starts = new Float64Array(n), ends = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    starts[i] = i === 0 ? 0 : ends[i - 1];
    ends[i] = starts[i] + window;
  }
  const per: [Resource, number, string][] = [
    ['host', p.batchSize * hostPerSample, `errors + weight updates from read-out states, ${p.batchSize} samples x ${T} steps`],
    ['link', p.batchSize * linkPerSample, `states to host every step (${formatBytes(h.bytesToHostPerStep)}), input + weights back every sample (${formatBytes(h.bytesToChipPerSample)})`],
    ['chip', p.batchSize * chipPerSample, `forward steps + ADC readout every step + weight writes, ${p.batchSize} samples x ${T} steps`],
  ];
  for (const [resource, b, what] of per) {
    for (let i = 0; i < n; i++) timeline.push({ resource, batch: i, start: starts[i], end: ends[i], busy: b, what });
  }
  const makespan = n === 0 ? 0 : ends[n - 1];
  const busy = { host: n * per[0][1], link: n * per[1][1], chip: n * per[2][1] };
  const samples = n * p.batchSize;
  const energy = withStatic(p, makespan, {
    host: samples * T * h.hostJoulesPerStep,
    link: samples * (T * h.bytesToHostPerStep + h.bytesToChipPerSample) * p.linkJoulesPerByte,
    chip: samples * (chipJoules + T * h.adcJoulesPerStep + h.weightWriteJoulesPerSample),
  });
  return {
    schedule: 'hil', batches: n, samples, makespan, timeline, busy,
    utilisation: utilisation(busy, makespan),
    stalls: {
      chipWaitingForTargets: Math.max(0, makespan - busy.chip),
      hostWaitingForBuffer: Math.max(0, makespan - busy.host),
    },
    energy,
    maxBufferOccupancy: 0,
  };
}

function sumDurations(start: Float64Array, end: Float64Array): number {
  let s = 0;
  for (let i = 0; i < start.length; i++) s += end[i] - start[i];
  return s;
}

function utilisation(busy: PerResource, makespan: number): PerResource {
  if (!(makespan > 0)) return { host: 0, link: 0, chip: 0 };
  return { host: busy.host / makespan, link: busy.link / makespan, chip: busy.chip / makespan };
}

function withStatic(p: PipelineParams, makespan: number, dynamic: PerResource): PerResource & { total: number } {
  const w = p.staticWatts ?? {};
  const host = dynamic.host + (w.host ?? 0) * makespan;
  const link = dynamic.link + (w.link ?? 0) * makespan;
  const chip = dynamic.chip + (w.chip ?? 0) * makespan;
  return { host, link, chip, total: host + link + chip };
}

/**
 * Most chip-side buffers in use at once. Batch i holds one over [takes[i], releases[i]); the
 * takes come in batch order and the releases are nondecreasing. At one instant, a release that
 * was due comes before a take (the link waits for it), so at the take of batch i the buffers in
 * use are its own plus those of the earlier batches not yet released: releases[j] > takes[i].
 */
export function maxBufferOccupancy(takes: ArrayLike<number>, releases: ArrayLike<number>): number {
  let best = 0;
  for (let i = 0; i < takes.length; i++) {
    let inUse = 1;
    for (let j = i - 1; j >= 0 && releases[j] > takes[i]; j--) inUse++;
    if (inUse > best) best = inUse;
  }
  return best;
}

/** One figure of a run, as the stats list shows it (`name value # description (unit)`). */
export interface PipelineFigure {
  name: string;
  value: number;
  unit: string;
  description: string;
}

/** A schedule's result as flat figures named `pipeline.<schedule>.<figure>`. */
export function pipelineFigures(r: PipelineResult): PipelineFigure[] {
  const s = r.schedule;
  const f = (name: string, value: number, unit: string, description: string): PipelineFigure => ({ name: `pipeline.${s}.${name}`, value, unit, description });
  const out = [
    f('makespan', r.makespan, 's', `time of the ${r.batches} batches (${r.samples} samples), ${s} schedule`),
    f('samples_per_second', r.makespan > 0 ? r.samples / r.makespan : 0, 'samples/s', `training throughput, ${s} schedule`),
  ];
  for (const res of ['host', 'link', 'chip'] as const) {
    out.push(f(`${res}.busy`, r.busy[res], 's', `time the ${res} works, ${s} schedule`));
    out.push(f(`${res}.utilisation`, r.utilisation[res], 'ratio', `${res} busy time / makespan, ${s} schedule`));
  }
  out.push(
    f('stalls.chip_waiting_for_targets', r.stalls.chipWaitingForTargets, 's', `chip idle before its last batch ends, ${s} schedule`),
    f('stalls.host_waiting_for_buffer', r.stalls.hostWaitingForBuffer, 's', `host idle between its first and last batch, ${s} schedule`),
    f('buffers.max_occupancy', r.maxBufferOccupancy, 'buffers', `most chip-side target buffers in use at once, ${s} schedule`),
  );
  for (const res of ['host', 'link', 'chip', 'total'] as const) {
    out.push(f(`energy.${res}`, r.energy[res], 'J', `${res === 'total' ? 'host + link + chip' : res} energy (dynamic + static), ${s} schedule`));
  }
  return out;
}
