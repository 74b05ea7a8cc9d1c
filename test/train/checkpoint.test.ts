// Checkpoints (src/train/checkpoint.ts, docs/checkpoints.md): a run stopped at any sample and
// resumed ends with the same final chip (its whole arena: weights, thresholds, leaks, rule state,
// counters) and the same report (wall-clock figures aside) as the run that was never stopped,
// bit for bit; a checkpoint of another run, version or network, or a damaged one, is refused
// naming what differs.
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, resolveTrainOptions, checkpointing, type LibraryTrainOptions, type PricedTrainReport } from '../../src/node/api.js';
import { trainSteps, drain, type RunPosition } from '../../src/train/train.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { Checkpoint, MANIFEST } from '../../src/train/checkpoint.js';
import { InputError } from '../../src/io/errors.js';
import type { RuleName } from '../../src/model/types.js';

const WALL_CLOCK = new Set(['wallSeconds', 'samplesPerSecond', 'seconds', 'throughput']);
const timeless = (r: object) => JSON.parse(JSON.stringify(r, (k, v) => (WALL_CLOCK.has(k) ? undefined : v)));
const SMALL = { samples: 200, testSamples: 100, hidden: [32], epochs: 2, teacherEpochs: 1, teacherWorker: false } as const;
const N = SMALL.samples;

const tmp = () => mkdtempSync(join(tmpdir(), 'ncsim-ckpt-'));
class Stop extends Error {}

/** Run `opts` with checkpoints in `dir`, stopped (after saving) at the first boundary `at` that `stopAt` accepts. */
function runStopped(opts: LibraryTrainOptions, dir: string, stopAt: (at: RunPosition) => boolean): void {
  const r = resolveTrainOptions({ ...opts, checkpoint: dir, checkpointEvery: 0 });
  const model = loadModel(r.price.hw as string);
  const { checks, hooks } = checkpointing(r.train, r.price, model, r.checkpoint, (at) => (stopAt(at) ? new Stop() : undefined));
  expect(() => drain(trainSteps(r.train, undefined, checks, { model, mapping: r.price.mapping }, hooks))).toThrow(Stop);
}

/** The final chip of a finished run that saved checkpoints in `dir` (its last, after the last epoch). */
const finalArena = (dir: string) => Checkpoint.load(dir).runState().arena;

interface Reference { report: PricedTrainReport; dir: string }

/** The uninterrupted run (saving checkpoints only at epoch ends, so its final chip can be read). */
function reference(opts: LibraryTrainOptions): Reference {
  const dir = tmp();
  return { report: train({ ...opts, checkpoint: dir, checkpointEvery: 0 }), dir };
}

function expectResumedEqual(ref: Reference, opts: LibraryTrainOptions, stopAt: (at: RunPosition) => boolean, where: string): void {
  const dir = tmp();
  runStopped(opts, dir, stopAt);
  const stopped = Checkpoint.load(dir).info.position;
  const resumed = train({ resume: dir });
  expect(timeless(resumed), `${where} (stopped at ${JSON.stringify(stopped)})`).toEqual(timeless(ref.report));
  const a = finalArena(dir), b = finalArena(ref.dir);
  expect(a.length).toBe(b.length);
  expect(Buffer.compare(Buffer.from(a), Buffer.from(b)), `${where}: final arena`).toBe(0);
  rmSync(dir, { recursive: true, force: true });
}

const mid = (epoch: number, sample: number) => (at: RunPosition) => !at.epochDone && at.epoch === epoch && at.sample === sample;
const after = (epoch: number) => (at: RunPosition) => at.epochDone && at.epoch === epoch;

describe.each(['ltl-online', 'stop-wtl'] as RuleName[])('interrupt and resume, %s', (rule) => {
  const opts = { ...SMALL, rule };
  let ref: Reference;
  beforeAll(() => {
    ref = reference(opts);
  });

  it('saving checkpoints does not change the run', () => {
    expect(timeless(train(opts))).toEqual(timeless(ref.report));
  });

  it('equals the uninterrupted run bit for bit, stopped mid-epoch at samples fast-check picks', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: N - 1 }), (epoch, sample) => {
      expectResumedEqual(ref, opts, mid(epoch, sample), `${rule} epoch ${epoch} sample ${sample}`);
    }), { numRuns: 2, seed: 16 });
  });

  it('equals it stopped at an epoch boundary, and before the first epoch', () => {
    expectResumedEqual(ref, opts, after(1), `${rule} after epoch 1`);
    expectResumedEqual(ref, opts, after(0), `${rule} after the initial test`);
  });
});

describe('interrupt and resume, the other rules and modes (one seeded position each)', () => {
  it.each(['ltl-offline', 'stop-w', 'bptt'] as RuleName[])('%s', (rule) => {
    const opts = { ...SMALL, rule };
    expectResumedEqual(reference(opts), opts, mid(2, 73), rule);
  });

  it('ltl-online with rate-coded input, per-batch norms (resumed inside a batch), updates per sample, the teacher in a worker thread', () => {
    const opts = { ...SMALL, encoding: 'rate', normalization: 'batch', batch: 50, updateAt: 'sample', teacherWorker: true } as const;
    expectResumedEqual(reference(opts), opts, mid(1, 137), 'batch norms');
  });

  it('a finished run resumed with more epochs equals the longer run', () => {
    const dir = tmp();
    train({ ...SMALL, epochs: 1, checkpoint: dir, checkpointEvery: 0 });
    const more = train({ resume: dir, epochs: 2 });
    expect(timeless(more)).toEqual(timeless(train(SMALL)));
  });
});

describe('interrupt and resume across backends', () => {
  it('a wasm run resumed on the TypeScript twins (--backend ts may differ) ends as the wasm run', () => {
    const opts = { ...SMALL, samples: 100 };
    const dir = tmp();
    runStopped(opts, dir, mid(1, 41));
    const ts = train({ resume: dir, backend: 'ts' });
    expect(timeless({ ...ts, options: { ...ts.options, backend: 'wasm' } })).toEqual(timeless(train(opts)));
  });
});

describe('refusals (exit status 2, naming what differs)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmp();
    runStopped(SMALL, dir, mid(1, 50));
  });
  const copy = () => {
    const d = tmp();
    for (const f of readdirSync(dir)) writeFileSync(join(d, f), readFileSync(join(dir, f)));
    return d;
  };
  const refusal = (f: () => unknown): InputError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return e as InputError;
    }
    throw new Error('not refused');
  };

  it('options that change results, each named; options that do not may differ', () => {
    const e = refusal(() => resolveTrainOptions({ resume: dir, rule: 'stop-wtl', seed: 2, teacherWorker: true }));
    expect(e.message).toMatch(/--rule, --seed/);
    expect(e.message).toMatch(/--rule ltl-online/);
    expect(e.message).toMatch(/--seed 1/);
    expect(e.message).toMatch(/given --rule stop-wtl, --seed 2/);
    expect(refusal(() => resolveTrainOptions({ resume: dir, hw: 'rram' })).message).toMatch(/--hw/);
    expect(refusal(() => resolveTrainOptions({ resume: dir, epochs: 0 })).message).toMatch(/--epochs/);
    const ok = resolveTrainOptions({ resume: dir, teacherWorker: true, backend: 'ts', schedule: 'hil', samples: N });
    expect(ok.train.teacherWorker).toBe(true);
    expect(ok.train.backend).toBe('ts');
    expect(ok.price.schedule).toBe('hil');
    expect(ok.train.rule).toBe('ltl-online');
  });

  it('another ncsim version, another kind, a damaged or truncated blob, a damaged manifest', () => {
    const edit = (f: (m: Record<string, unknown>) => void) => {
      const d = copy();
      const m = JSON.parse(readFileSync(join(d, MANIFEST), 'utf8'));
      f(m);
      writeFileSync(join(d, MANIFEST), JSON.stringify(m));
      return d;
    };
    expect(refusal(() => Checkpoint.load(edit((m) => { m.ncsim = '0.0.1'; }))).message).toMatch(/"ncsim": expected .* got "0.0.1"/);
    expect(refusal(() => Checkpoint.load(edit((m) => { m.kind = 'ncsim.train'; }))).message).toMatch(/"kind": expected "ncsim.checkpoint"/);
    expect(refusal(() => Checkpoint.load(edit((m) => { m.schemaVersion = 2; }))).message).toMatch(/schemaVersion/);
    const damaged = copy();
    const blob = readdirSync(damaged).find((f) => f.startsWith('state-')) as string;
    const bytes = readFileSync(join(damaged, blob));
    bytes[bytes.length >> 1] ^= 1;
    writeFileSync(join(damaged, blob), bytes);
    expect(refusal(() => Checkpoint.load(damaged)).message).toMatch(new RegExp(`${blob}.*SHA-256.*damaged`));
    writeFileSync(join(damaged, blob), bytes.subarray(0, 100));
    expect(refusal(() => Checkpoint.load(damaged)).message).toMatch(new RegExp(`${blob}.*truncated`));
    const broken = copy();
    writeFileSync(join(broken, MANIFEST), readFileSync(join(dir, MANIFEST), 'utf8').slice(0, 200));
    expect(refusal(() => Checkpoint.load(broken)).message).toMatch(/valid JSON \(line/);
    expect(refusal(() => Checkpoint.load(tmp())).message).toMatch(/"--resume": expected a checkpoint folder/);
  });

  it('another network or other data', () => {
    const net = edit2((m) => { (m.network as { digest: string }).digest = '0'.repeat(64); });
    expect(refusal(() => train({ resume: net })).message).toMatch(/"--hidden": expected the network of the checkpoint/);
    const data = edit2((m) => { m.dataDigest = '0'.repeat(64); });
    expect(refusal(() => train({ resume: data })).message).toMatch(/"--data": expected the data the checkpoint was trained on/);
    function edit2(f: (m: Record<string, unknown>) => void): string {
      const d = copy();
      const m = JSON.parse(readFileSync(join(d, MANIFEST), 'utf8'));
      f(m);
      writeFileSync(join(d, MANIFEST), JSON.stringify(m));
      return d;
    }
  });

  it('--checkpoint into a folder holding another run\'s checkpoint, or a file', () => {
    expect(refusal(() => resolveTrainOptions({ ...SMALL, checkpoint: dir })).message).toMatch(/--resume/);
    const file = join(tmp(), 'f');
    writeFileSync(file, 'x');
    expect(refusal(() => resolveTrainOptions({ ...SMALL, checkpoint: file })).message).toMatch(/not a folder/);
  });

  it('Checkpoint.save copies a loaded checkpoint to another folder, whole', () => {
    const d = join(tmp(), 'copy');
    const c = Checkpoint.load(dir);
    c.save(d);
    const again = Checkpoint.load(d);
    expect(again.info).toEqual(c.info);
    expect(again.runState()).toEqual(c.runState());
    expect(again.describePosition()).toBe('epoch 1 of 2, after sample 50 of 200');
  });

  it('keeps only the blobs its manifest names (the previous checkpoint\'s are removed after the new manifest)', () => {
    const d = tmp();
    runStopped(SMALL, d, mid(2, 10));
    const m = JSON.parse(readFileSync(join(d, MANIFEST), 'utf8')) as { blobs: { file: string }[] };
    expect(readdirSync(d).sort()).toEqual([MANIFEST, ...m.blobs.map((b) => b.file)].sort());
  });
});
