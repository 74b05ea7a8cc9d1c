/**
 * Hardware models: one JSON file per chip in `hw-models/` (format `ncsim.hw/1`, described in
 * hw-models/README.md), every number written as a quantity `{ "value", "unit", "source" }`
 * (optionally `"note"`), so the source of each figure travels with it into `ncsim hw show`.
 *
 * Loading validates the whole file with a hand-written typed validator (the format is small and
 * fixed; a schema library would add a dependency for ~200 lines and still need the unit
 * conversions and cross-field checks below). Any bad field is refused with an `InputError`
 * naming its JSON path (`actions["synapse.read"].latency.unit`), what was expected and what was
 * given; the CLI turns it into exit status 2.
 *
 * Units: each field accepts a few units and is converted once, at load, to its canonical unit
 * (energy pJ, latency cycles, power W, frequency Hz, bytes B, time s, ...). A latency given in
 * ns is converted to cycles with the model's clock. The loaded quantity keeps what was given
 * (`given`) for display.
 *
 * Decisions where CHIP-MODEL.md is silent:
 * - Every priced action (every counter but `learn.dense`, see actions.ts) must be present; an
 *   action a chip does not have, or whose cost is folded into another figure, is priced 0 and
 *   says so in its source or note. Unknown action names (typos) are refused.
 * - An action's energy is `energy` (compute) plus, optionally, `memory.readBytes` x the learning
 *   memory's read pJ/B and `memory.writeBytes` x its write pJ/B: the "memory entry to cost
 *   learning state" prices traces and stored states by the byte.
 * - Fixed per-phase overheads are cycles per core per time step (no energy: static power
 *   covers idle cycles).
 * - `static.appliesTo` says whether leakage is paid by every core of the chip or only by the
 *   cores the mapping uses (unused cores power-gated).
 * - Unknown keys are refused everywhere (a misspelt key would otherwise be silently ignored),
 *   except inside `nonIdealities`, which is a free map of named quantities kept for a later
 *   issue (device mismatch, quantization, noise, silencing).
 */
import { platform } from '../platform.js';
import { baseName } from '../io/paths.js';
import { InputError } from '../io/errors.js';
import { closest } from '../io/edit-distance.js';
import { readJsonDocument } from '../io/document.js';
import { ACTION_NAMES, PHASES, Phase, UNPRICED } from './actions.js';

export const HW_SCHEMA = 'ncsim.hw/1';
/** A model is a page of numbers with sources; anything near this cap is not a model file. */
export const HW_MAX_BYTES = 4 * 1024 * 1024;

/** A number with its unit (canonical after loading), where it comes from, and what was written. */
export interface Quantity {
  value: number;
  unit: string;
  source: string;
  note?: string;
  /** As written in the file, when a unit conversion took place (e.g. `3.5 ns`). */
  given?: { value: number; unit: string };
}

export interface Choice<T extends string> { value: T; source: string; note?: string }

export interface ActionCost {
  /** Compute part of the energy (pJ per action). */
  energy: Quantity;
  /** Cycles per action per lane. */
  latency: Quantity;
  /** Bytes of learning memory read / written per action (priced with `memory.learning`). */
  memory?: { readBytes?: Quantity; writeBytes?: Quantity };
  note?: string;
  /** energy + readBytes x memory.learning.read + writeBytes x memory.learning.write (pJ). */
  totalEnergy: number;
}

export interface EventCost { energy: Quantity; latency: Quantity; note?: string }

/** The barrier's latency from `tiles` tiles in use upwards (until the next entry). */
export interface BarrierEntry { tiles: number; latency: Quantity }

export interface HwModel {
  schema: typeof HW_SCHEMA;
  name: string;
  description: string;
  notes: string[];
  /** Where the model was read from (absolute path). */
  path: string;
  clock: Quantity;
  cores: {
    count: Quantity;
    neuronsPerCore: Quantity;
    synapseMemoryPerCore: Quantity;
    lanes: Record<Phase, Quantity>;
  };
  bits: { weight: Quantity; state: Quantity; accumulator: Quantity };
  actions: Record<string, ActionCost>;
  overheads: Record<Phase, Quantity>;
  noc: {
    mesh: { x: Quantity; y: Quantity; coresPerTile: Quantity };
    packetSent: EventCost;
    hopX: EventCost;
    hopY: EventCost;
    packetReceived: EventCost;
    /** Where input events enter the mesh (noc.ts): an input port at tile (0, 0), or spike sources on layer 1's cores. Optional; default "port". */
    inputSource: Choice<'port' | 'cores'>;
  };
  /** Per time step; `byTiles` (optional) gives the latency as a step function of the tiles in use. */
  barrier: EventCost & { byTiles?: BarrierEntry[] };
  static: { powerPerCore: Quantity; appliesTo: Choice<'all-cores' | 'used-cores'> };
  memory: { learning: { read: Quantity; write: Quantity; bytesPerCore: Quantity } };
  host: { flops: Quantity; energyPerFlop: Quantity };
  link: { bandwidth: Quantity; latency: Quantity; energyPerByte: Quantity };
  nonIdealities: Record<string, Quantity>;
  neuron: NeuronModel;
}

// ---------------------------------------------------------------------------------------------
// Units

type Kind =
  | 'energy' | 'latency' | 'power' | 'frequency' | 'bytes' | 'time' | 'energyPerByte'
  | 'energyPerFlop' | 'flops' | 'bandwidth' | 'cores' | 'neurons' | 'bits' | 'lanes' | 'tiles' | 'any';

/** Factor to the canonical unit (first entry), per kind. Latency is special (clock). */
const UNITS: Record<Exclude<Kind, 'latency' | 'any'>, Record<string, number>> = {
  energy: { pJ: 1, fJ: 1e-3, nJ: 1e3, uJ: 1e6 },
  power: { W: 1, mW: 1e-3, uW: 1e-6 },
  frequency: { Hz: 1, kHz: 1e3, MHz: 1e6, GHz: 1e9 },
  bytes: { B: 1, KiB: 1024, MiB: 1024 * 1024 },
  time: { s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 },
  energyPerByte: { 'pJ/B': 1 },
  energyPerFlop: { 'pJ/FLOP': 1 },
  flops: { 'FLOP/s': 1, 'GFLOP/s': 1e9, 'TFLOP/s': 1e12 },
  bandwidth: { 'B/s': 1, 'MB/s': 1e6, 'GB/s': 1e9 },
  cores: { cores: 1 },
  neurons: { neurons: 1 },
  bits: { bits: 1 },
  lanes: { lanes: 1 },
  tiles: { tiles: 1 },
};
/** Latency units: cycles, or a time converted with the clock (cycles = value x Hz / divisor). */
const LATENCY_DIVISORS: Record<string, number> = { cycles: 0, ns: 1e9, us: 1e6, s: 1 };

function unitsOf(kind: Kind): string[] {
  if (kind === 'latency') return Object.keys(LATENCY_DIVISORS);
  if (kind === 'any') return [];
  return Object.keys(UNITS[kind]);
}

// ---------------------------------------------------------------------------------------------
// Validation helpers

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `a.b`, or `a["x.y"]` for a key that is not an identifier. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (IDENT.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

type Obj = Record<string, unknown>;

interface NumberRule { min?: number; positive?: boolean; integer?: boolean }

class Validator {
  constructor(readonly label: string) {}

  fail(path: string, expected: string, got: unknown, note?: string): never {
    throw new InputError(path || '(the file)', expected, got, { kind: `hardware model ${this.label} field`, note });
  }

  object(v: unknown, path: string, known: readonly string[] | null): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'an object', v);
    const o = v as Obj;
    if (known) {
      for (const k of Object.keys(o)) {
        if (!known.includes(k)) {
          const near = nearest(k, known);
          this.fail(childPath(path, k), `no such field (known here: ${known.join(', ')})`, o[k], near ? `did you mean "${near}"?` : undefined);
        }
      }
    }
    return o;
  }

  string(o: Obj, key: string, path: string, optional = false): string | undefined {
    const p = childPath(path, key);
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v.trim() === '') this.fail(p, 'a non-empty string', v);
    return v as string;
  }

  quantity(o: Obj, key: string, path: string, kind: Kind, rule: NumberRule, clockHz?: number): Quantity {
    const p = childPath(path, key);
    const q = this.object(o[key], p, ['value', 'unit', 'source', 'note']);
    const value = q.value;
    const vp = childPath(p, 'value');
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(vp, 'a finite number', value);
    if (rule.positive && !(value > 0)) this.fail(vp, 'a number > 0', value);
    if (rule.min !== undefined && value < rule.min) this.fail(vp, `a number >= ${rule.min}`, value);
    if (rule.integer && !Number.isInteger(value)) this.fail(vp, 'an integer', value);
    const unit = this.string(q, 'unit', p) as string;
    const source = this.string(q, 'source', p) as string;
    const note = this.string(q, 'note', p, true);
    const out: Quantity = { value, unit, source };
    if (note !== undefined) out.note = note;
    if (kind === 'any') return out;
    const allowed = unitsOf(kind);
    if (!allowed.includes(unit)) this.fail(childPath(p, 'unit'), `one of ${allowed.map((u) => `"${u}"`).join(', ')}`, unit);
    if (kind === 'latency') {
      const div = LATENCY_DIVISORS[unit];
      if (div !== 0) {
        out.value = (value * (clockHz as number)) / div;
        out.unit = 'cycles';
        out.given = { value, unit };
      }
      return out;
    }
    const table = UNITS[kind];
    const canonical = Object.keys(table)[0];
    if (unit !== canonical) {
      out.value = value * table[unit];
      out.unit = canonical;
      out.given = { value, unit };
    }
    return out;
  }

  choice<T extends string>(o: Obj, key: string, path: string, options: readonly T[]): Choice<T> {
    const p = childPath(path, key);
    const c = this.object(o[key], p, ['value', 'source', 'note']);
    if (typeof c.value !== 'string' || !options.includes(c.value as T)) {
      this.fail(childPath(p, 'value'), `one of ${options.map((s) => `"${s}"`).join(', ')}`, c.value);
    }
    const out: Choice<T> = { value: c.value as T, source: this.string(c, 'source', p) as string };
    const note = this.string(c, 'note', p, true);
    if (note !== undefined) out.note = note;
    return out;
  }

  eventCost(o: Obj, key: string, path: string, clockHz: number): EventCost {
    const p = childPath(path, key);
    const e = this.object(o[key], p, ['energy', 'latency', 'note']);
    const out: EventCost = {
      energy: this.quantity(e, 'energy', p, 'energy', { min: 0 }),
      latency: this.quantity(e, 'latency', p, 'latency', { min: 0 }, clockHz),
    };
    const note = this.string(e, 'note', p, true);
    if (note !== undefined) out.note = note;
    return out;
  }
}

/** The known key closest to a misspelt one (edit distance <= 2), if any. */
function nearest(key: string, known: readonly string[]): string | undefined {
  return closest(key, known, 2);
}

// ---------------------------------------------------------------------------------------------
// The format

const TOP_KEYS = [
  'schema', 'name', 'description', 'notes', 'clock', 'cores', 'bits', 'actions', 'overheads', 'noc',
  'barrier', 'static', 'memory', 'host', 'link', 'nonIdealities', 'neuron',
] as const;

/**
 * The neuron a fixed-point chip of this model runs (optional `"neuron"`, default "algorithms"):
 * ALGORITHMS §2's neuron, or Loihi's current-based neuron, bit-accurate with Lava
 * (assembly/loihi.ts, docs/loihi.md). Float chips always run the ALGORITHMS neuron.
 */
export const NEURON_MODELS = ['algorithms', 'loihi-cuba'] as const;
export type NeuronModel = (typeof NEURON_MODELS)[number];

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Validate a parsed model file and resolve it (units converted, action energies totalled).
 * `label` names the file in error messages; `path` is recorded in the model.
 */
export function parseHwModel(json: unknown, label = '(inline)', path = ''): HwModel {
  const v = new Validator(label);
  const o = v.object(json, '', TOP_KEYS);

  if (o.schema !== HW_SCHEMA) v.fail('schema', `"${HW_SCHEMA}"`, o.schema);
  const name = v.string(o, 'name', '') as string;
  if (!NAME.test(name)) v.fail('name', 'a name of letters, digits, ".", "_" or "-"', name);
  const description = v.string(o, 'description', '') as string;
  let notes: string[] = [];
  if (o.notes !== undefined) {
    if (!Array.isArray(o.notes)) v.fail('notes', 'an array of strings', o.notes);
    notes = (o.notes as unknown[]).map((n, i) => {
      if (typeof n !== 'string') v.fail(childPath('notes', i), 'a string', n);
      return n as string;
    });
  }

  const clock = v.quantity(o, 'clock', '', 'frequency', { positive: true });
  const hz = clock.value;

  const c = v.object(o.cores, 'cores', ['count', 'neuronsPerCore', 'synapseMemoryPerCore', 'lanes']);
  const lanesObj = v.object(c.lanes, 'cores.lanes', PHASES);
  const lanes = {} as Record<Phase, Quantity>;
  for (const ph of PHASES) lanes[ph] = v.quantity(lanesObj, ph, 'cores.lanes', 'lanes', { positive: true, integer: true });
  const cores = {
    count: v.quantity(c, 'count', 'cores', 'cores', { positive: true, integer: true }),
    neuronsPerCore: v.quantity(c, 'neuronsPerCore', 'cores', 'neurons', { positive: true, integer: true }),
    synapseMemoryPerCore: v.quantity(c, 'synapseMemoryPerCore', 'cores', 'bytes', { positive: true }),
    lanes,
  };
  if (!Number.isInteger(cores.synapseMemoryPerCore.value)) v.fail('cores.synapseMemoryPerCore.value', 'a whole number of bytes', cores.synapseMemoryPerCore.value);

  const b = v.object(o.bits, 'bits', ['weight', 'state', 'accumulator']);
  const bits = {
    weight: v.quantity(b, 'weight', 'bits', 'bits', { positive: true, integer: true }),
    state: v.quantity(b, 'state', 'bits', 'bits', { positive: true, integer: true }),
    accumulator: v.quantity(b, 'accumulator', 'bits', 'bits', { positive: true, integer: true }),
  };
  if (bits.accumulator.value > 32) v.fail('bits.accumulator.value', 'at most 32 (the chip engine\'s counters are u32)', bits.accumulator.value);

  const m = v.object(o.memory, 'memory', ['learning']);
  const ml = v.object(m.learning, 'memory.learning', ['read', 'write', 'bytesPerCore']);
  const memory = {
    learning: {
      read: v.quantity(ml, 'read', 'memory.learning', 'energyPerByte', { min: 0 }),
      write: v.quantity(ml, 'write', 'memory.learning', 'energyPerByte', { min: 0 }),
      bytesPerCore: v.quantity(ml, 'bytesPerCore', 'memory.learning', 'bytes', { min: 0 }),
    },
  };
  if (!Number.isInteger(memory.learning.bytesPerCore.value)) v.fail('memory.learning.bytesPerCore.value', 'a whole number of bytes', memory.learning.bytesPerCore.value);

  const a = v.object(o.actions, 'actions', null);
  const actions: Record<string, ActionCost> = {};
  for (const k of Object.keys(a)) {
    if (k === UNPRICED) {
      v.fail(childPath('actions', k), 'no price: learn.dense counts the events a dense rule would issue, not an action of the chip', a[k]);
    }
    if (!ACTION_NAMES.includes(k)) {
      const near = nearest(k, ACTION_NAMES);
      v.fail(childPath('actions', k), `an action name (one of ${ACTION_NAMES.join(', ')})`, k, near ? `did you mean "${near}"?` : undefined);
    }
  }
  for (const k of ACTION_NAMES) {
    const p = childPath('actions', k);
    if (a[k] === undefined) v.fail(p, 'a price for this action (energy and latency; price 0 with a source or note if the chip has no such action)', undefined);
    const e = v.object(a[k], p, ['energy', 'latency', 'memory', 'note']);
    const cost: ActionCost = {
      energy: v.quantity(e, 'energy', p, 'energy', { min: 0 }),
      latency: v.quantity(e, 'latency', p, 'latency', { min: 0 }, hz),
      totalEnergy: 0,
    };
    let total = cost.energy.value;
    if (e.memory !== undefined) {
      const mp = childPath(p, 'memory');
      const mo = v.object(e.memory, mp, ['readBytes', 'writeBytes']);
      if (mo.readBytes === undefined && mo.writeBytes === undefined) v.fail(mp, 'readBytes and/or writeBytes', mo);
      cost.memory = {};
      if (mo.readBytes !== undefined) {
        cost.memory.readBytes = v.quantity(mo, 'readBytes', mp, 'bytes', { min: 0 });
        total += cost.memory.readBytes.value * memory.learning.read.value;
      }
      if (mo.writeBytes !== undefined) {
        cost.memory.writeBytes = v.quantity(mo, 'writeBytes', mp, 'bytes', { min: 0 });
        total += cost.memory.writeBytes.value * memory.learning.write.value;
      }
    }
    const note = v.string(e, 'note', p, true);
    if (note !== undefined) cost.note = note;
    cost.totalEnergy = total;
    actions[k] = cost;
  }

  const ov = v.object(o.overheads, 'overheads', PHASES);
  const overheads = {} as Record<Phase, Quantity>;
  for (const ph of PHASES) overheads[ph] = v.quantity(ov, ph, 'overheads', 'latency', { min: 0 }, hz);

  const n = v.object(o.noc, 'noc', ['mesh', 'packetSent', 'hopX', 'hopY', 'packetReceived', 'inputSource']);
  const mesh = v.object(n.mesh, 'noc.mesh', ['x', 'y', 'coresPerTile']);
  const noc = {
    mesh: {
      x: v.quantity(mesh, 'x', 'noc.mesh', 'tiles', { positive: true, integer: true }),
      y: v.quantity(mesh, 'y', 'noc.mesh', 'tiles', { positive: true, integer: true }),
      coresPerTile: v.quantity(mesh, 'coresPerTile', 'noc.mesh', 'cores', { positive: true, integer: true }),
    },
    packetSent: v.eventCost(n, 'packetSent', 'noc', hz),
    hopX: v.eventCost(n, 'hopX', 'noc', hz),
    hopY: v.eventCost(n, 'hopY', 'noc', hz),
    packetReceived: v.eventCost(n, 'packetReceived', 'noc', hz),
    inputSource: n.inputSource === undefined
      ? { value: 'port' as const, source: 'default: input events enter at an input port on tile (0, 0)' }
      : v.choice(n, 'inputSource', 'noc', ['port', 'cores'] as const),
  };
  const slots = noc.mesh.x.value * noc.mesh.y.value * noc.mesh.coresPerTile.value;
  if (cores.count.value > slots) {
    v.fail('cores.count.value', `at most noc.mesh.x x noc.mesh.y x noc.mesh.coresPerTile = ${slots} cores`, cores.count.value);
  }

  const barrier = parseBarrier(v, o, hz);

  const s = v.object(o.static, 'static', ['powerPerCore', 'appliesTo']);
  const staticPower = {
    powerPerCore: v.quantity(s, 'powerPerCore', 'static', 'power', { min: 0 }),
    appliesTo: v.choice(s, 'appliesTo', 'static', ['all-cores', 'used-cores'] as const),
  };

  const h = v.object(o.host, 'host', ['flops', 'energyPerFlop']);
  const host = {
    flops: v.quantity(h, 'flops', 'host', 'flops', { positive: true }),
    energyPerFlop: v.quantity(h, 'energyPerFlop', 'host', 'energyPerFlop', { min: 0 }),
  };
  const l = v.object(o.link, 'link', ['bandwidth', 'latency', 'energyPerByte']);
  const link = {
    bandwidth: v.quantity(l, 'bandwidth', 'link', 'bandwidth', { positive: true }),
    latency: v.quantity(l, 'latency', 'link', 'time', { min: 0 }),
    energyPerByte: v.quantity(l, 'energyPerByte', 'link', 'energyPerByte', { min: 0 }),
  };

  const nonIdealities: Record<string, Quantity> = {};
  if (o.nonIdealities !== undefined) {
    const ni = v.object(o.nonIdealities, 'nonIdealities', null);
    for (const k of Object.keys(ni)) nonIdealities[k] = v.quantity(ni, k, 'nonIdealities', 'any', {});
  }

  let neuron: NeuronModel = 'algorithms';
  if (o.neuron !== undefined) {
    if (!NEURON_MODELS.includes(o.neuron as NeuronModel)) v.fail('neuron', `one of ${NEURON_MODELS.map((x) => `"${x}"`).join(', ')}`, o.neuron);
    neuron = o.neuron as NeuronModel;
  }

  return {
    schema: HW_SCHEMA, name, description, notes, path, clock, cores, bits, actions, overheads, noc,
    barrier, static: staticPower, memory, host, link, nonIdealities, neuron,
  };
}

/**
 * `barrier`: energy and latency per step, and optionally `byTiles`, a list of
 * `{ "tiles": k, "latency": quantity }` with k whole and strictly increasing: the latency from k
 * tiles in use upwards (SANA-FE's synchronisation table); below the first entry, `latency`.
 */
function parseBarrier(v: Validator, o: Obj, hz: number): HwModel['barrier'] {
  const b = v.object(o.barrier, 'barrier', ['energy', 'latency', 'byTiles', 'note']);
  const out: HwModel['barrier'] = {
    energy: v.quantity(b, 'energy', 'barrier', 'energy', { min: 0 }),
    latency: v.quantity(b, 'latency', 'barrier', 'latency', { min: 0 }, hz),
  };
  const note = v.string(b, 'note', 'barrier', true);
  if (note !== undefined) out.note = note;
  if (b.byTiles !== undefined) {
    if (!Array.isArray(b.byTiles) || b.byTiles.length === 0) v.fail('barrier.byTiles', 'a non-empty array of { "tiles", "latency" }', b.byTiles);
    let last = 0;
    out.byTiles = (b.byTiles as unknown[]).map((e, i) => {
      const p = childPath('barrier.byTiles', i);
      const eo = v.object(e, p, ['tiles', 'latency']);
      const tiles = eo.tiles;
      if (typeof tiles !== 'number' || !Number.isInteger(tiles) || tiles <= last) {
        v.fail(childPath(p, 'tiles'), `a whole number of tiles greater than ${last} (entries in increasing order)`, tiles);
      }
      last = tiles as number;
      return { tiles: tiles as number, latency: v.quantity(eo, 'latency', p, 'latency', { min: 0 }, hz) };
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Finding and loading models

/** Names of the shipped models (hw-models/*.json without `.json`, the schema excepted), sorted. */
export function modelNames(): string[] {
  return platform().hwModels().names;
}

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || ref.endsWith('.json');
}

/** Load a model by name (`loihi`, from hw-models/) or by path (`./my.json`). */
export function loadModel(ref: string): HwModel {
  let file: string;
  if (looksLikePath(ref)) {
    file = platform().resolvePath(ref);
  } else {
    // Node: the hw-models/ folder on disk (src/node/platform.ts); a browser: the models bundled with the page.
    const { dir, names } = platform().hwModels();
    if (!names.includes(ref)) {
      throw new InputError(ref, `one of ${names.join(', ')} (the models in ${dir}), or a path to a .json file`, ref, { kind: 'hardware model', showGot: false });
    }
    file = `${dir}/${ref}.json`;
  }
  return readModelFile(file);
}

/** Read and validate one model file; unreadable or invalid files are refused (InputError). */
export function readModelFile(file: string): HwModel {
  const label = JSON.stringify(baseName(file));
  // The schema field is checked by parseHwModel, with the other fields.
  const json = readJsonDocument(file, { kind: 'hardware model', what: `a readable hardware model file (${HW_SCHEMA})`, maxBytes: HW_MAX_BYTES });
  return parseHwModel(json, label, file);
}

export interface ModelSummary { name: string; description: string; path: string }

/** Every shipped model, validated, for `ncsim hw list`. */
export function listModels(): ModelSummary[] {
  const { dir, names } = platform().hwModels();
  return names.map((n) => {
    const m = readModelFile(`${dir}/${n}.json`);
    return { name: n, description: m.description, path: m.path };
  });
}

// ---------------------------------------------------------------------------------------------
// Describing a model (ncsim hw show NAME)

function fmt(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return String(Number(x.toPrecision(6)));
}

function qText(q: Quantity): string {
  let s = `${fmt(q.value)} ${q.unit}`;
  if (q.given) s += ` (= ${fmt(q.given.value)} ${q.given.unit})`;
  return s;
}

/** Every number of the model with its unit and source, one per line (`ncsim hw show NAME`). */
export function describeModel(m: HwModel): string {
  const rows: [string, string, string][] = [];
  const q = (name: string, x: Quantity) => rows.push([name, qText(x), x.source + (x.note ? ` [${x.note}]` : '')]);
  q('clock', m.clock);
  q('cores.count', m.cores.count);
  q('cores.neuronsPerCore', m.cores.neuronsPerCore);
  q('cores.synapseMemoryPerCore', m.cores.synapseMemoryPerCore);
  for (const ph of PHASES) q(`cores.lanes.${ph}`, m.cores.lanes[ph]);
  q('bits.weight', m.bits.weight);
  q('bits.state', m.bits.state);
  q('bits.accumulator', m.bits.accumulator);
  for (const name of ACTION_NAMES) {
    const a = m.actions[name];
    const p = childPath('actions', name);
    q(`${p}.energy`, a.energy);
    if (a.memory?.readBytes) q(`${p}.memory.readBytes`, a.memory.readBytes);
    if (a.memory?.writeBytes) q(`${p}.memory.writeBytes`, a.memory.writeBytes);
    if (a.memory) rows.push([`${p}.totalEnergy`, `${fmt(a.totalEnergy)} pJ`, 'energy + readBytes x memory.learning.read + writeBytes x memory.learning.write']);
    q(`${p}.latency`, a.latency);
    if (a.note) rows.push([`${p}.note`, '', a.note]);
  }
  for (const ph of PHASES) q(`overheads.${ph}`, m.overheads[ph]);
  q('noc.mesh.x', m.noc.mesh.x);
  q('noc.mesh.y', m.noc.mesh.y);
  q('noc.mesh.coresPerTile', m.noc.mesh.coresPerTile);
  for (const k of ['packetSent', 'hopX', 'hopY', 'packetReceived'] as const) {
    q(`noc.${k}.energy`, m.noc[k].energy);
    q(`noc.${k}.latency`, m.noc[k].latency);
  }
  rows.push(['noc.inputSource', m.noc.inputSource.value, m.noc.inputSource.source + (m.noc.inputSource.note ? ` [${m.noc.inputSource.note}]` : '')]);
  q('barrier.energy', m.barrier.energy);
  q('barrier.latency', m.barrier.latency);
  (m.barrier.byTiles ?? []).forEach((e, i) => q(`barrier.byTiles[${i}] (from ${e.tiles} tiles)`, e.latency));
  q('static.powerPerCore', m.static.powerPerCore);
  rows.push(['static.appliesTo', m.static.appliesTo.value, m.static.appliesTo.source + (m.static.appliesTo.note ? ` [${m.static.appliesTo.note}]` : '')]);
  q('memory.learning.read', m.memory.learning.read);
  q('memory.learning.write', m.memory.learning.write);
  q('memory.learning.bytesPerCore', m.memory.learning.bytesPerCore);
  q('host.flops', m.host.flops);
  q('host.energyPerFlop', m.host.energyPerFlop);
  q('link.bandwidth', m.link.bandwidth);
  q('link.latency', m.link.latency);
  q('link.energyPerByte', m.link.energyPerByte);
  for (const [k, x] of Object.entries(m.nonIdealities)) q(childPath('nonIdealities', k), x);

  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const head = [`${m.name} — ${m.description}`, `file: ${m.path}`];
  for (const n of m.notes) head.push(`note: ${n}`);
  return [...head, '', ...rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  # ${c}`)].join('\n');
}
