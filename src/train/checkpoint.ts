/**
 * Checkpoints of a training run (`ncsim train --checkpoint DIR`, `--resume DIR`; docs/checkpoints.md).
 *
 * A run can be saved wherever train.ts offers its state (RunHooks.boundary: after a training
 * sample, after an epoch's test) and continued from there in another process: the resumed run
 * ends with the same weights, counters and report as the run that was never stopped, bit for
 * bit (timings aside), because everything that decides what comes next is saved — the chip's
 * whole arena (weights, biases, thresholds, leaks, the rule's buffers, device states, counters),
 * the session's generators and training order, the epoch's progress and counts, the step
 * timer's accumulators and the trained teacher (so it is not trained again).
 *
 * A checkpoint is a folder:
 *   checkpoint.json          the manifest (`"kind": "ncsim.checkpoint"`, schemaVersion 1): ncsim's
 *                            version, where the run is, its options, digests of its network, data
 *                            and hardware model, and the state as JSON in which every typed array
 *                            is a reference into a blob
 *   teacher-<sha>.bin        the teacher's arrays (written once per run: it does not change)
 *   state-<sha>.bin          every other array (the arena first), little-endian, 8-byte aligned
 * Blobs are named by their content's SHA-256 and written before the manifest; every file is
 * written to a temporary name, flushed (fsync) and renamed, the folder flushed after, and the
 * blobs the new manifest does not name are removed only then. A crash at any moment leaves the
 * previous checkpoint or the new one, whole. Reading checks kind, version, sizes and digests:
 * a damaged or foreign file is refused naming it (exit status 2).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, accessSync, constants, unlinkSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { InputError } from '../io/errors.js';
import { readDocumentBytes, readJsonDocument } from '../io/document.js';
import { CHECKPOINT_SCHEMA } from '../io/kinds.js';
import { writeFileAtomic } from '../io/atomic.js';
import { packageVersion } from '../io/version.js';
import type { Net } from '../net/file.js';
import type { HwModel } from '../cost/hwmodel.js';
import type { RunHooks, RunPosition, RunState, TrainOptions, TrainSession } from './train.js';
import { trainRuleOptions } from './train.js';

/** The manifest's name in a checkpoint folder. */
export const MANIFEST = 'checkpoint.json';
/** Training samples between two checkpoints when --checkpoint-every is not given (and at every epoch's end). */
export const DEFAULT_CHECKPOINT_EVERY = 2000;
/** Exit statuses of a run stopped by a signal after writing its checkpoint (128 + the signal's number). */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

/** How the run is priced (the CLI's --hw, --mapping, --schedule): the step timer's state belongs to one model and mapping. */
export interface CheckpointPrice { hw: string; mapping: string; schedule: string }

/** What a checkpoint says about its run, beside the state. */
export interface CheckpointInfo {
  /** The ncsim version that wrote it (another version is refused: kernels and formats may differ). */
  ncsim: string;
  position: RunPosition & { epochs: number; samplesPerEpoch: number };
  options: TrainOptions;
  price?: CheckpointPrice;
  /** SHA-256 of the hardware model (its file path aside). */
  hwDigest?: string;
  network: { source: string; layers: string[]; digest: string };
  /** SHA-256 of the training and test data (images and labels). */
  dataDigest: string;
  /** --checkpoint-every of the run (a resumed run goes on saving as often). */
  every: number;
}

/** Options of a resumed run that may differ from the checkpoint's: they do not change its results. */
const FREE_OPTIONS = new Set(['teacherWorker', 'backend', 'maxMemory', 'schedule', 'threads']);

const ARRAYS = { Float32Array, Float64Array, Int32Array, Uint32Array, Uint8Array, Int8Array, Uint16Array, Int16Array } as const;
type ArrayName = keyof typeof ARRAYS;
type Typed = InstanceType<(typeof ARRAYS)[ArrayName]>;

/** A saved run: its identity and its whole state. Load one with Checkpoint.load(dir); runs write them through CheckpointWriter. */
export class Checkpoint {
  constructor(readonly info: CheckpointInfo, private readonly state: RunState, readonly dir?: string) {}

  /** Read and check a checkpoint folder (kind, version, digests); refusals are InputErrors naming the file or field. */
  static load(dir: string): Checkpoint {
    if (typeof dir !== 'string' || dir === '') throw new InputError('--resume', 'a checkpoint folder', dir, { kind: 'option' });
    const manifest = join(dir, MANIFEST);
    if (!existsSync(manifest)) {
      throw new InputError('--resume', `a checkpoint folder (one holding ${MANIFEST}, written by --checkpoint)`, dir, { kind: 'option', note: existsSync(dir) ? `no ${manifest}` : `no folder ${dir}` });
    }
    const json = readJsonDocument(manifest, { kind: 'checkpoint file', what: 'a checkpoint manifest (ncsim.checkpoint/1)', schema: CHECKPOINT_SCHEMA, fieldKind: `checkpoint ${manifest} field` });
    const m = json as Record<string, unknown>;
    const field = (name: string, expected: string, got: unknown): never => {
      throw new InputError(name, expected, got, { kind: `checkpoint ${manifest} field` });
    };
    const version = packageVersion();
    if (m.ncsim !== version) field('ncsim', `${version} (this ncsim's version: a checkpoint resumes with the version that wrote it)`, m.ncsim);
    const blobs = m.blobs;
    if (!Array.isArray(blobs) || blobs.some((b) => !isBlobRef(b))) field('blobs', 'a list of { file, bytes, sha256 }', blobs);
    const data = (blobs as BlobRef[]).map((b, i) => {
      if (!BLOB_NAME.test(b.file)) field(`blobs[${i}].file`, 'a blob name written by ncsim (state-<hex>.bin or teacher-<hex>.bin)', b.file);
      const path = join(dir, b.file);
      const bytes = readDocumentBytes(path, { kind: 'checkpoint file', what: `the blob ${b.file} named by ${MANIFEST}`, maxBytes: Math.max(b.bytes, 1) });
      if (bytes.length !== b.bytes) throw new InputError(path, `${b.bytes} bytes (as ${MANIFEST} says)`, bytes.length, { kind: 'checkpoint file', note: 'the file is truncated or damaged' });
      const sha = sha256(bytes);
      if (sha !== b.sha256) throw new InputError(path, `SHA-256 ${b.sha256} (as ${MANIFEST} says)`, sha, { kind: 'checkpoint file', note: 'the file is damaged' });
      return bytes;
    });
    const info: CheckpointInfo = {
      ncsim: version, position: m.position as CheckpointInfo['position'], options: decode(m.options, data, manifest) as TrainOptions,
      ...(m.price ? { price: m.price as CheckpointPrice } : {}), ...(typeof m.hwDigest === 'string' ? { hwDigest: m.hwDigest } : {}),
      network: m.network as CheckpointInfo['network'], dataDigest: m.dataDigest as string, every: m.every as number,
    };
    const p = info.position;
    if (!p || !Number.isInteger(p.epoch) || !Number.isInteger(p.sample) || typeof p.epochDone !== 'boolean') field('position', 'an { epoch, sample, epochDone, ... } object', p);
    if (!info.options || typeof info.options.rule !== 'string') field('options', 'the run\'s options', info.options);
    if (!info.network || typeof info.network.digest !== 'string') field('network', 'a { source, layers, digest } object', info.network);
    if (typeof info.dataDigest !== 'string') field('dataDigest', 'a SHA-256 (hex)', info.dataDigest);
    const state = decode(m.state, data, manifest) as RunState;
    if (!(state?.arena instanceof Uint8Array) || !state.session || !state.teacher?.teacher) field('state', 'the run\'s state (arena, session, teacher, ...)', undefined);
    return new Checkpoint(info, state, dir);
  }

  /**
   * Write this checkpoint into folder `dir` (made if absent; refused if it holds another run's
   * checkpoint): a copy to keep, or to resume elsewhere.
   */
  save(dir: string): void {
    prepareCheckpointDir(dir, this.dir);
    writeCheckpoint(dir, { ...this.info, ncsim: packageVersion() }, this.state);
  }

  /** A fresh copy of the run's state, for trainSteps' RunHooks.resume (the run changes what it is given). */
  runState(): RunState {
    const { arena, teacher, ...rest } = this.state;
    return { ...structuredClone(rest), arena: arena.slice(), teacher: { ...teacher, norms: teacher.norms.slice() } };
  }

  /** Where the run stopped, in words: "epoch 2, after sample 120 of 200" or "after epoch 2 and its test". */
  describePosition(): string {
    const p = this.info.position;
    if (p.epochDone) return p.epoch === 0 ? 'before the first epoch (after the test of the initial chip)' : `after epoch ${p.epoch} of ${p.epochs} and its test`;
    return `epoch ${p.epoch} of ${p.epochs}, after sample ${p.sample} of ${p.samplesPerEpoch}`;
  }

  /**
   * The options of the resumed run: the checkpoint's, with what `given` may change (options that
   * do not change results, and more epochs). Every other given option must equal the
   * checkpoint's: those that differ are refused, all named (exit status 2).
   */
  resumeOptions(given: Record<string, unknown>, price?: Partial<CheckpointPrice>): { train: TrainOptions; price?: CheckpointPrice } {
    const saved = this.info.options as unknown as Record<string, unknown>;
    const savedPrice = this.info.price as unknown as Record<string, unknown> | undefined;
    const differs: string[] = [], keeps: string[] = [];
    const train: Record<string, unknown> = { ...saved };
    for (const [k, v] of Object.entries(given)) {
      if (v === undefined) continue;
      if (FREE_OPTIONS.has(k)) { train[k] = v; continue; }
      if (k === 'epochs' && typeof v === 'number' && v >= this.info.position.epoch) { train[k] = v; continue; }
      // The learning rate as used: an absent --lr is the rule's default.
      const was = k === 'lr' ? trainRuleOptions(this.info.options).learningRate : saved[k];
      if (JSON.stringify(was) !== JSON.stringify(v)) {
        differs.push(`${optionName(k)} ${show(v)}`);
        keeps.push(`${optionName(k)} ${show(was)}${k === 'epochs' ? ` (or more epochs, at least ${this.info.position.epoch})` : ''}`);
      }
    }
    let outPrice: CheckpointPrice | undefined = this.info.price ? { ...this.info.price } : undefined;
    if (price) {
      for (const [k, v] of Object.entries(price)) {
        if (v === undefined) continue;
        if (FREE_OPTIONS.has(k)) { if (outPrice) (outPrice as unknown as Record<string, unknown>)[k] = v; continue; }
        const was = savedPrice?.[k];
        if (was !== undefined && v !== was) {
          differs.push(`${optionName(k)} ${show(v)}`);
          keeps.push(`${optionName(k)} ${show(was)}`);
        }
      }
      if (!outPrice && price.hw !== undefined) outPrice = { hw: price.hw, mapping: price.mapping ?? 'spread', schedule: price.schedule ?? 'pipelined' };
    }
    if (differs.length) {
      throw new InputError(differs.map((d) => d.split(' ')[0]).join(', '), `the checkpoint's ${keeps.join(', ')}: a resumed run keeps every option that changes its results (${this.dir ?? 'the checkpoint'} was written with them)`,
        differs.join(', '), { kind: differs.length === 1 ? 'option' : 'options', showGot: false, note: `given ${differs.join(', ')}` });
    }
    return { train: train as unknown as TrainOptions, ...(outPrice ? { price: outPrice } : {}) };
  }

  /** Refuse a network other than the checkpoint's (checked once the network is read, before anything else). */
  checkNetwork(net: Net): void {
    const d = netDigest(net);
    if (d !== this.info.network.digest) {
      throw new InputError(this.info.options.net ? '--net' : '--hidden', `the network of the checkpoint (${this.info.network.layers.join('; ')})`, net.source, {
        kind: 'option', showGot: false, note: `${net.source} describes another network, or its file changed since the checkpoint was written`,
      });
    }
  }

  /** Refuse data other than the checkpoint's (a changed data folder) and a hardware model that changed. */
  checkSession(session: TrainSession, model?: HwModel): void {
    if (dataDigest(session) !== this.info.dataDigest) {
      throw new InputError('--data', `the data the checkpoint was trained on (SHA-256 ${this.info.dataDigest.slice(0, 16)}…)`, session.opts.data ?? 'mnist', {
        kind: 'option', note: 'its files changed since the checkpoint was written',
      });
    }
    if (model && this.info.hwDigest && hwDigest(model) !== this.info.hwDigest) {
      throw new InputError('--hw', `the hardware model of the checkpoint (${this.info.price?.hw})`, model.name, { kind: 'option', note: 'the model file changed since the checkpoint was written: the step timings would mix two models' });
    }
  }
}

/** `--kebab-case` of an option key. */
function optionName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function show(v: unknown): string {
  return Array.isArray(v) ? v.join(',') : v === undefined ? '(unset)' : String(v);
}

/**
 * Writes checkpoints of one run at its boundaries: every `every` training samples of an epoch,
 * at every epoch's end, and at once when `stopping()` says the run must stop (a signal, an
 * AbortSignal), after which the run is stopped with that reason (thrown out of the run).
 */
export class CheckpointWriter {
  private meta?: { network: CheckpointInfo['network']; dataDigest: string };
  private teacherBlob?: { teacher: unknown; ref: BlobRef; bytes: Uint8Array };
  /** The last checkpoint written: where, and how long writing it took (s). */
  last?: { position: RunPosition; seconds: number };
  written = 0;

  constructor(readonly dir: string, readonly every: number, private readonly run: {
    options: TrainOptions; price?: CheckpointPrice; model?: HwModel; stopping?: (at: RunPosition) => unknown;
  }) {}

  /** The hooks that save this run (`resume`: the checkpoint it continues, checked against the session). */
  hooks(resume?: Checkpoint): RunHooks {
    return {
      ...(resume ? { resume: resume.runState() } : {}),
      ready: (session) => {
        resume?.checkSession(session, this.run.model);
        this.meta = { network: { source: session.net.source, layers: describeLayers(session.net), digest: netDigest(session.net) }, dataDigest: dataDigest(session) };
      },
      boundary: (at, capture) => {
        const stop = this.run.stopping?.(at);
        const due = at.epochDone || (this.every > 0 && at.sample % this.every === 0);
        if (due || stop !== undefined) this.save(at, capture());
        if (stop !== undefined) throw stop;
      },
    };
  }

  /** Write the checkpoint of `state` at `at`. */
  save(at: RunPosition, state: RunState): void {
    const t = performance.now();
    if (!this.meta) throw new Error('CheckpointWriter.save before the session was ready');
    const o = this.run.options;
    const info: CheckpointInfo = {
      ncsim: packageVersion(), position: { ...at, epochs: o.epochs, samplesPerEpoch: state.session.order.length }, options: o,
      ...(this.run.price ? { price: this.run.price } : {}), ...(this.run.model ? { hwDigest: hwDigest(this.run.model) } : {}),
      network: this.meta.network, dataDigest: this.meta.dataDigest, every: this.every,
    };
    writeCheckpoint(this.dir, info, state, this.teacherCache);
    this.written++;
    this.last = { position: at, seconds: (performance.now() - t) / 1000 };
  }

  private readonly teacherCache: TeacherCache = {};
}

/** The teacher's blob and JSON tree, kept between the checkpoints of one run (its teacher does not change). */
interface TeacherCache { teacher?: unknown; ref?: BlobRef; bytes?: Uint8Array; tree?: unknown }

/** Write a checkpoint into `dir` (see the header for the order of the writes). */
function writeCheckpoint(dir: string, info: CheckpointInfo, state: RunState, cache: TeacherCache = {}): void {
  // The teacher's arrays go in a blob of their own, encoded once per run.
  if (cache.teacher !== state.teacher.teacher || !cache.ref || !cache.bytes) {
    const enc = new Encoder();
    cache.tree = enc.encode(state.teacher.teacher, 0);
    cache.bytes = enc.bytes();
    const sha = sha256(cache.bytes);
    cache.ref = { file: `teacher-${sha.slice(0, 16)}.bin`, bytes: cache.bytes.length, sha256: sha };
    cache.teacher = state.teacher.teacher;
  }
  const enc = new Encoder();
  const { teacher, ...rest } = state;
  const stateTree = { ...(enc.encode(rest, 1) as object), teacher: { ...(enc.encode({ ...teacher, teacher: undefined }, 1) as object), teacher: cache.tree } };
  const bytes = enc.bytes();
  const sha = sha256(bytes);
  const stateRef: BlobRef = { file: `state-${sha.slice(0, 16)}.bin`, bytes: bytes.length, sha256: sha };
  const teacherPath = join(dir, cache.ref.file);
  if (!existsSync(teacherPath)) writeFileAtomic(teacherPath, cache.bytes, { durable: true });
  writeFileAtomic(join(dir, stateRef.file), bytes, { durable: true });
  const { ncsim, ...about } = info;
  const manifest = {
    kind: CHECKPOINT_SCHEMA.value, schemaVersion: 1, ncsim, written: new Date().toISOString(),
    resume: `ncsim train --resume ${dir}`,
    ...about, options: new Encoder().encode(info.options, -1),
    blobs: [cache.ref, stateRef],
    state: stateTree,
  };
  writeFileAtomic(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`, { durable: true });
  // Only now is the previous checkpoint's state unreferenced.
  for (const f of readdirSync(dir)) {
    if (BLOB_NAME.test(f) && f !== stateRef.file && f !== cache.ref.file) removeQuietly(join(dir, f));
  }
}

/** Names of the blobs ncsim writes (and the only files it removes from a checkpoint folder). */
const BLOB_NAME = /^(state|teacher)-[0-9a-f]{16}\.bin$/;

/**
 * Check (and create) the folder `--checkpoint` names, before any work: its parent exists, it is
 * a folder we can write to, and it holds no other run's checkpoint (unless it is the one resumed).
 */
export function prepareCheckpointDir(dir: string, resuming?: string): void {
  const opt = { kind: 'option' } as const;
  if (typeof dir !== 'string' || dir === '') throw new InputError('--checkpoint', 'a folder path', dir, opt);
  const abs = resolve(dir);
  let st;
  try {
    st = statSync(abs);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw new InputError('--checkpoint', 'a folder (or a path where one can be made)', dir, { ...opt, note: `${dir} is not a folder` });
  if (!st) {
    if (!existsSync(dirname(abs))) throw new InputError('--checkpoint', 'a folder in an existing folder', dir, { ...opt, note: `no folder ${dirname(abs)}` });
    try {
      mkdirSync(abs);
    } catch (e) {
      throw new InputError('--checkpoint', 'a folder that can be made', dir, { ...opt, note: (e as Error).message });
    }
  }
  try {
    accessSync(abs, constants.W_OK | constants.X_OK);
  } catch {
    throw new InputError('--checkpoint', 'a folder you can write to', dir, { ...opt, note: `${dir} is not writable` });
  }
  if (existsSync(join(abs, MANIFEST)) && (resuming === undefined || resolve(resuming) !== abs)) {
    throw new InputError('--checkpoint', 'a folder holding no other run\'s checkpoint', dir, { ...opt, note: `it holds one: continue it with --resume ${dir}, or remove it` });
  }
}

/** The reason a run stopped on a signal, after writing its checkpoint (the CLI exits 130 or 143). */
export class RunInterrupted extends Error {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM', readonly dir: string) {
    super(`stopped by ${signal}`);
    this.name = 'RunInterrupted';
  }

  get exitStatus(): number {
    return this.signal === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM;
  }
}

// ---------------------------------------------------------------------------------------------
// Digests

function sha256(b: Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

function netDigest(net: Net): string {
  // The network as the chip builds it, not where it was read from.
  return sha256(JSON.stringify({ input: net.input, layers: net.layers }));
}

function describeLayers(net: Net): string[] {
  return net.layers.map((l) => `${l.name} ${l.type} ${l.nIn}->${l.nOut}`);
}

function dataDigest(session: TrainSession): string {
  const h = createHash('sha256');
  for (const d of [session.data.train, session.data.test]) {
    h.update(new Uint8Array(d.images.buffer, d.images.byteOffset, d.images.byteLength));
    h.update(new Uint8Array(d.labels.buffer, d.labels.byteOffset, d.labels.byteLength));
  }
  return h.digest('hex');
}

function hwDigest(model: HwModel): string {
  return sha256(JSON.stringify({ ...model, path: undefined }));
}

// ---------------------------------------------------------------------------------------------
// The state as JSON + blobs: typed arrays become { "$array": type, blob, offset, length }; numbers
// JSON cannot hold (±Infinity, NaN, -0) become { "$number": "..." }; undefined fields are dropped.

interface BlobRef { file: string; bytes: number; sha256: string }

function isBlobRef(b: unknown): b is BlobRef {
  const r = b as BlobRef;
  return typeof r === 'object' && r !== null && typeof r.file === 'string' && Number.isSafeInteger(r.bytes) && r.bytes >= 0 && typeof r.sha256 === 'string';
}

class Encoder {
  private parts: Uint8Array[] = [];
  private size = 0;

  /** The JSON tree of `v`, its arrays appended to this encoder's blob (number `blob` in the manifest; -1: no arrays allowed). */
  encode(v: unknown, blob: number): unknown {
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return { $number: 'NaN' };
      if (v === Infinity || v === -Infinity) return { $number: v > 0 ? 'Infinity' : '-Infinity' };
      if (Object.is(v, -0)) return { $number: '-0' };
      return v;
    }
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) {
      const name = v.constructor.name as ArrayName;
      if (!(name in ARRAYS) || blob < 0) throw new Error(`checkpoint: cannot save a ${name} here`);
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
      const offset = this.size;
      this.parts.push(bytes);
      const pad = (8 - (bytes.length % 8)) % 8;
      if (pad) this.parts.push(new Uint8Array(pad));
      this.size += bytes.length + pad;
      return { $array: name, blob, offset, length: (v as Typed).length };
    }
    if (Array.isArray(v)) return v.map((x) => this.encode(x, blob));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = this.encode(x, blob);
    return out;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

function decode(v: unknown, blobs: Uint8Array[], manifest: string): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => decode(x, blobs, manifest));
  const o = v as Record<string, unknown>;
  if (typeof o.$number === 'string') return o.$number === '-0' ? -0 : Number(o.$number);
  if (typeof o.$array === 'string') {
    const ctor = ARRAYS[o.$array as ArrayName];
    const b = blobs[o.blob as number];
    const { offset, length } = o as { offset: number; length: number };
    if (!ctor || !b || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset % 8 || offset + length * ctor.BYTES_PER_ELEMENT > b.length) {
      throw new InputError(manifest, 'array references inside its blobs', o, { kind: 'checkpoint file', note: 'the manifest is damaged' });
    }
    // A copy: aligned, and not a view of the file's buffer.
    return new ctor(new Uint8Array(b.subarray(offset, offset + length * ctor.BYTES_PER_ELEMENT)).buffer);
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = decode(x, blobs, manifest);
  return out;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}
