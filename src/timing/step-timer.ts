/**
 * Per-step, per-core timing on the mesh (CHIP-MODEL.md, "Time"), from each step's own activity:
 * which neurons spiked (the chip's spike lists), which input events arrived, and the step's
 * count deltas (leaks, resets, learning actions). Called after every forward step (with the
 * rule's after-step circuits) and after every sample's end-of-sample learning.
 *
 * The model of one step (SANA-FE's "detailed" timing model, reduced to work linear in the
 * step's activity; docs/timing.md says what was kept and what was simplified):
 * - Each core has a send pipeline and a receive pipeline working side by side.
 * - Send: the core updates its neurons in order (slices in layer order, neurons in index order),
 *   each `neuron.update`; a neuron that spikes adds `neuron.spike`, then sends one message per
 *   destination core (`noc.packetSent` each). A message leaves when the neurons before it, the
 *   spikes and the messages before it are done. The core's send work also takes the step's
 *   other neuron-phase actions (leak, reset, accumulator), split over the layer's cores by the
 *   neurons each holds.
 * - Input events come from where the model's `noc.inputSource` says (noc.ts): the input port on
 *   tile (0, 0), one message per destination core sent back to back (`noc.packetSent` each; the
 *   port is not a core), or spike sources on layer 1's cores, whose messages go first in their
 *   core's send pipeline (no soma time: they are events, not simulated neurons).
 * - Network: a message from tile a to tile b takes the XY route, `hopX` per X hop and `hopY` per
 *   Y hop. Messages sharing a link in a step serialize on it: a link that carries n messages in
 *   the step is busy n x its hop latency, so the step's forward phase lasts at least the busiest
 *   link's n x hop latency + one receive + the overheads (the step is then "mesh-limited").
 * - Receive: each message costs `noc.packetReceived` (routing lanes), a row activation
 *   (`synapse.event`) and, per synapse it reaches on the core, `synapse.read` + `dendrite.ac`
 *   (`dendrite.mac` for analog input) on the integration lanes. The pipeline ends no earlier
 *   than its whole work after the earliest moment any message can reach the core (its nearest
 *   source's first message), nor than its last arrival plus that message's work. (Both bounds
 *   grow with activity, so the step's latency does too; queue gaps between arrivals are not
 *   added: SANA-FE's detailed model adds them by scheduling every message.)
 * - A core's forward time = max(send end, receive end) + the phases' fixed overheads; the
 *   learning phase follows: the step's learning actions per layer, split over the layer's cores
 *   by neurons held, on the learning lanes (+ the learning overhead in a learning phase).
 * - The step's latency = the slowest core's forward time + the slowest core's learning time +
 *   the barrier for the tiles in use (mesh.ts). The end-of-sample learning is timed like a
 *   learning phase plus a barrier, as an update after the sample's steps.
 * Synapses per message are exact for dense layers (the neurons the destination core holds); for
 * a convolution they are the core's synapses averaged over the presynaptic neurons that reach it.
 */
import type { HwModel } from '../cost/hwmodel.js';
import type { Mapping } from '../cost/mapping.js';
import type { ActivityLayer } from '../cost/activity.js';
import { ACTIONS } from '../cost/actions.js';
import { COUNTERS } from '../chip/counters.js';
import { ArenaPlan } from '../chip/arena.js';
import { createKernels, type Backend, type Kernels } from '../chip/kernels.js';
import { COUNTER_SLOTS } from '../reference/counters.js';
import { convFanIn } from '../reference/conv.js';
import * as H from '../reference/timing.js';
import { convReach } from '../cost/reach.js';
import { Mesh, barrierCycles } from './mesh.js';
import { AccumulatorState, PhaseTiming, TimingAccumulator } from './summary.js';

/** A step's event list: `n` indices at buf[off .. off + n). */
export interface StepEvents { buf: Int32Array; off: number; n: number }

/** What the timer reads from the chip after a step. */
export interface StepSource {
  /**
   * The chip's kernels, when its event lists sit in their memory (chipSource): the timer then
   * moves its arena into their spare room (Kernels.spare) and reads the lists where they are.
   */
  host?: Kernels;
  /** This step's events of layer l: l = -1 the input events, l >= 0 the layer's spikes. */
  events(l: number): StepEvents;
  /** Layer l's counter block (cumulative, COUNTER_SLOTS values). */
  counters(l: number): Float64Array;
}

const slotOf = (name: string): number => (COUNTERS.find((c) => c.name === name) as { slot: number }).slot;

/** Destinations of a presynaptic neuron's spike: per destination core, the synapses it reaches there. */
interface DestTable {
  /** Dense: every presynaptic neuron goes to all of `cores`. */
  dense: boolean;
  cores: Int32Array;
  syn: Float64Array;
  /** Convolution (CSR over presynaptic neurons): start[i] .. start[i + 1] into cores / syn. */
  start?: Int32Array;
}

/**
 * The step timer: every table the step needs is worked out here once, from the model and the
 * placement, and laid out in one arena; each step is then one call of the step kernel
 * (assembly/timing.ts on `wasm`, its twin src/reference/timing.ts on `ts`) after the step's event
 * lists and count deltas are written in.
 */
export class StepTimer {
  readonly mesh: Mesh;
  readonly nCores: number;
  readonly barrier: number;
  readonly tilesUsed: number;
  private readonly nLayers: number;
  private readonly ovLearning: number;
  private readonly usedSlots: Int32Array;
  /** The kernels whose memory holds the arena: the timer's own, or the chip's once hosted there (moveInto). */
  private k: Kernels;
  /** Whether the arena sits in the chip's memory (events read in place). */
  hosted = false;
  /** Bytes of its arena. */
  readonly arenaBytes: number;
  /** Arena offset of the first table (past the header, the layer records, the event table and the event buffers). */
  private readonly tablesAt: number;
  /** Arena offsets of every word that holds an absolute pointer (rewritten when the arena moves). */
  private readonly pointerWords: Int32Array;
  /** Arena offsets of the header, the layer records, the event table, each layer's (-1 first) event buffer, each layer's counter copy and previous counters, and the phase's totals. */
  private readonly rel: { header: number; recs: number; evTable: number; evAt: number[]; cntCopy: number[]; prev: number[]; phase: { coreBusy: number; critical: number; linkTotal: number; linkMax: number } };
  /** Byte pointer of the arena's header. */
  private ctx = 0;
  /** f64 index of the header's figures; i32 index of the event table; per layer (-1 first) its event buffer (i32 index) and capacity. */
  private figs = 0;
  private evTable = 0;
  private evBuf = new Int32Array(0);
  private readonly evCap: Int32Array;
  /** Per layer: i32 index of its record's counter pointer, f64 index of its counter copy and of the counters as the last step left them. */
  private cntWord = new Int32Array(0);
  private cntCopyAt = new Int32Array(0);
  private prevAt = new Int32Array(0);
  /** f64 indices of the phase's per-core and per-link totals in the arena. */
  private phaseAt = { coreBusy: 0, critical: 0, linkTotal: 0, linkMax: 0 };
  /** The last event buffer seen, and whether it is a view of the arena's memory. */
  private seenBuf: Int32Array | undefined;
  private seenSame = false;
  /** Per layer: the last counter view seen, and whether it is a view of the arena's memory. */
  private readonly seenCnt: (Float64Array | undefined)[] = [];
  private readonly cntSame: Uint8Array;
  private acc: TimingAccumulator | undefined;
  private readonly phases = new Map<string, TimingAccumulator>();

  constructor(readonly model: HwModel, readonly mapping: Mapping, layers: readonly ActivityLayer[], backend: Backend = 'wasm') {
    const nC = (this.nCores = mapping.cores.length), nL = (this.nLayers = layers.length);
    this.cntSame = new Uint8Array(nL);
    const mesh = (this.mesh = new Mesh(model));
    const lanes = model.cores.lanes, A = model.actions;
    const lat = (name: string) => A[name].latency.value;
    const lUpd = lat('neuron.update') / lanes.neuron.value;
    const lSpk = lat('neuron.spike') / lanes.neuron.value;
    const lSend = model.noc.packetSent.latency.value / lanes.routing.value;
    const lRecv = model.noc.packetReceived.latency.value / lanes.routing.value;
    const lRow = Float64Array.from(layers, () => lat('synapse.event') / lanes.integration.value);
    const lSyn = Float64Array.from(layers, (l) => (lat('synapse.read') + lat(l.analogInput ? 'dendrite.mac' : 'dendrite.ac')) / lanes.integration.value);
    const ovForward = model.overheads.routing.value + model.overheads.integration.value + model.overheads.neuron.value;
    this.ovLearning = model.overheads.learning.value;
    const handled = new Set(['synapse.event', 'synapse.read', 'dendrite.ac', 'dendrite.mac', 'neuron.update', 'neuron.spike']);
    const extra = ACTIONS.filter((a) => a.phase === 'neuron' && !handled.has(a.name))
      .map((a) => ({ slot: slotOf(a.name), cycles: lat(a.name) / lanes.neuron.value })).filter((x) => x.cycles > 0);
    const learnActs = ACTIONS.filter((a) => a.phase === 'learning')
      .map((a) => ({ slot: slotOf(a.name), cycles: lat(a.name) / lanes.learning.value })).filter((x) => x.cycles > 0);
    const extraSlot = Int32Array.from(extra, (x) => x.slot), extraCycles = Float64Array.from(extra, (x) => x.cycles);
    const learnSlot = Int32Array.from(learnActs, (x) => x.slot), learnCycles = Float64Array.from(learnActs, (x) => x.cycles);
    this.usedSlots = Int32Array.from(new Set([...extraSlot, ...learnSlot]));

    // Where each neuron sits: its core and its place in the core's update order.
    const offset = new Int32Array(nC);
    const coreOf = layers.map((l) => new Int32Array(l.nOut));
    const localPos = layers.map((l) => new Int32Array(l.nOut));
    const genBase = new Float64Array(nC);
    mapping.cores.forEach((c, ci) => {
      for (const s of c.slices) {
        const co = coreOf[s.layer], lp = localPos[s.layer];
        for (let k = 0; k < s.neurons; k++) { co[s.firstNeuron + k] = ci; lp[s.firstNeuron + k] = offset[ci] + k; }
        offset[ci] += s.neurons;
      }
      genBase[ci] = offset[ci] * lUpd;
    });
    const first = mapping.layers[0].slices;
    const inputCore = model.noc.inputSource.value === 'cores' ? Int32Array.from({ length: layers[0].nIn }, (_, i) => first[i % first.length].core) : null;
    const sliceCore = mapping.layers.map((l) => Int32Array.from(l.slices, (s) => s.core));
    const sliceShare = mapping.layers.map((l) => Float64Array.from(l.slices, (s) => s.neurons / l.nOut));
    this.tilesUsed = new Set(mapping.cores.map((c) => c.tile)).size;
    this.barrier = barrierCycles(model, this.tilesUsed);

    // Destinations of layer L's inputs (input events for L = 0, spikes of L - 1 otherwise).
    const dest: DestTable[] = layers.map((l, L) => {
      const slices = mapping.layers[L].slices;
      const g = l.conv;
      if (!g) return { dense: true, cores: Int32Array.from(slices, (s) => s.core), syn: Float64Array.from(slices, (s) => s.neurons) };
      const reach = slices.map((s) => convReach(g, s.firstNeuron, s.neurons));
      const start = new Int32Array(l.nIn + 1);
      const cores: number[] = [], syn: number[] = [];
      const avg = slices.map((s, j) => (s.neurons * convFanIn(g)) / Math.max(1, reach[j].reached(0, l.nIn)));
      for (let i = 0; i < l.nIn; i++) {
        start[i] = cores.length;
        slices.forEach((s, j) => { if (reach[j].reached(i, 1) > 0) { cores.push(s.core); syn.push(avg[j]); } });
      }
      start[l.nIn] = cores.length;
      return { dense: false, cores: Int32Array.from(cores), syn: Float64Array.from(syn), start };
    });
    const hasConv = dest.some((dt) => !dt.dense);

    // Flows and their XY routes, precomputed once (cores are few: at most the chip's).
    const nP = (nC + 1) * nC;
    const pairHop = new Float64Array(nP), pairDx = new Int32Array(nP), pairDy = new Int32Array(nP);
    const routeStart = new Int32Array(nP + 1);
    const links = new Int32Array(nP * (mesh.nx + mesh.ny));
    let at = 0;
    for (let s = 0; s <= nC; s++) {
      const a = s < nC ? mapping.cores[s] : { x: 0, y: 0 };
      for (let d = 0; d < nC; d++) {
        const b = mapping.cores[d], p = s * nC + d;
        routeStart[p] = at;
        at += mesh.route(a.x, a.y, b.x, b.y, links, at);
        pairDx[p] = Math.abs(a.x - b.x);
        pairDy[p] = Math.abs(a.y - b.y);
        pairHop[p] = pairDx[p] * mesh.hopX + pairDy[p] * mesh.hopY;
      }
    }
    routeStart[nP] = at;
    const routeLinks = links.slice(0, at);
    const nx = mesh.nx, ny = mesh.ny, nT = nx * ny;
    // Source index of the port (nC) -> tile 0, where the input port sits.
    const tileOf = Int32Array.from({ length: nC + 1 }, (_, c) => (c < nC ? mapping.cores[c].y * nx + mapping.cores[c].x : 0));
    const tileCore = new Int32Array(nT).fill(-1); // a source index on each tile, to read its routes
    for (let c = nC; c >= 0; c--) tileCore[tileOf[c]] = c;
    // Flows are kept per (source tile, destination core): a tile's sources share routes and hops.
    const tileRep = Int32Array.from({ length: nC + 1 }, (_, c) => tileCore[tileOf[c]]);
    // Per dense layer: its cores' tiles (distinct) and each core's entry there.
    const destTiles = dest.map((dt) => Int32Array.from(new Set(Array.from(dt.cores, (d) => tileOf[d]))));
    const destTileOf = dest.map((dt, L) => Int32Array.from(dt.cores, (d) => destTiles[L].indexOf(tileOf[d])));
    // Per dense layer, the kernel's denseLinkLoads coefficients: per column x, the destination
    // cores east of x and those west of it (x > 0); per tile (x, y), those of column x north of y
    // and those south of it (y > 0). (Counts: dxLe[x] = destinations with tile x <= x, colLe[y] =
    // those of the column with tile y <= y.)
    const ewCoef = dest.map((dt) => {
      const le = new Float64Array(nx);
      for (const d of dt.cores) le[mapping.cores[d].x] += 1;
      for (let x = 1; x < nx; x++) le[x] += le[x - 1];
      return Float64Array.from({ length: 2 * nx }, (_, k) => (k % 2 === 0 ? le[nx - 1] - le[k / 2] : k > 1 ? le[(k - 1) / 2 - 1] : 0));
    });
    const nsCoef = dest.map((dt) => {
      const le = new Float64Array(nx * ny);
      for (const d of dt.cores) le[mapping.cores[d].x * ny + mapping.cores[d].y] += 1;
      for (let c = 0; c < nx; c++) for (let y = 1; y < ny; y++) le[c * ny + y] += le[c * ny + y - 1];
      const out = new Float64Array(2 * nx * ny);
      for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
        const t = y * nx + x;
        out[2 * t] = le[x * ny + ny - 1] - le[x * ny + y];
        out[2 * t + 1] = y > 0 ? le[x * ny + y - 1] : 0;
      }
      return out;
    });
    const tileHX = Float64Array.from({ length: nT }, (_, tl) => mesh.hopX * (tl % nx));
    const tileHY = Float64Array.from({ length: nT }, (_, tl) => mesh.hopY * Math.floor(tl / nx));
    // Per dense layer and destination j: a message's receive work there, and the j + 1 sends before its message leaves.
    const destRc = dest.map((dt, L) => Float64Array.from(dt.syn, (syn) => lRecv + lRow[L] + syn * lSyn[L]));
    const destSend = dest.map((dt) => Float64Array.from(dt.cores, (_, j) => (j + 1) * lSend));
    // XY routes stay inside the box of the tiles in use (and the port's tile (0, 0)): only its links are scanned.
    const boxX = Math.max(...mapping.cores.map((c) => c.x)) + 1;
    const boxY = Math.max(...mapping.cores.map((c) => c.y)) + 1;
    const box: number[] = [];
    for (let y = 0; y < boxY; y++) for (let x = 0; x < boxX; x++) for (let d = 0; d < 4; d++) box.push((y * nx + x) * 4 + d);
    const boxLinks = Int32Array.from(box);
    // Per dense layer: the cores its events come from (layer L - 1's, or the input cores), grouped by tile (CSR).
    const sources = dest.map((dt, L) => {
      const from = !dt.dense ? [] : L > 0 ? mapping.layers[L - 1].slices.map((s) => s.core) : inputCore ? Array.from(inputCore) : [];
      const cores = Array.from(new Set(from)).sort((a, b) => tileOf[a] - tileOf[b] || a - b);
      const tiles: number[] = [], start: number[] = [];
      cores.forEach((c, q) => { if (q === 0 || tileOf[c] !== tileOf[cores[q - 1]]) { tiles.push(tileOf[c]); start.push(q); } });
      start.push(cores.length);
      return { cores: Int32Array.from(cores), start: Int32Array.from(start), tiles: Int32Array.from(tiles) };
    });
    const localMonotone = layers.map((l, L) => {
      const last = new Int32Array(nC).fill(-1), co = coreOf[L], lp = localPos[L];
      for (let i = 0; i < l.nOut; i++) { if (lp[i] <= last[co[i]]) return false; last[co[i]] = lp[i]; }
      return true;
    });
    // Hops of the dense layers' messages from every tile holding a possible source, to all the layer's cores.
    const patIndex = new Int32Array(nL * nT).fill(-1);
    const pDx: number[] = [], pDy: number[] = [];
    layers.forEach((_, L) => {
      const dt = dest[L];
      if (!dt.dense) return;
      for (let t = 0; t < nT; t++) {
        const s = tileCore[t];
        if (s < 0) continue;
        let dx = 0, dy = 0;
        for (const d of dt.cores) { dx += pairDx[s * nC + d]; dy += pairDy[s * nC + d]; }
        patIndex[L * nT + t] = pDx.length;
        pDx.push(dx);
        pDy.push(dy);
      }
    });
    const linksTimed = Array.from(boxLinks).every((ln) => mesh.linkLatency(ln) > 0);
    // Earliest arrival per core: the input port's first message, or a source core's first neuron spiking at once.
    const a0 = new Float64Array(nC).fill(Infinity);
    mapping.layers.forEach((pl, L) => {
      for (const s of pl.slices) {
        const d = s.core;
        if (L === 0 && !inputCore) a0[d] = Math.min(a0[d], lSend + pairHop[nC * nC + d]);
        else if (L === 0) for (const f of pl.slices) a0[d] = Math.min(a0[d], lSend + pairHop[f.core * nC + d]);
        else for (const f of mapping.layers[L - 1].slices) a0[d] = Math.min(a0[d], lUpd + lSpk + lSend + pairHop[f.core * nC + d]);
      }
    });

    // The arena: the header, the layer records, then every table (the pair tables only for convolutions).
    const plan = new ArenaPlan();
    // The header, the layer records and the event table hold absolute pointers, and the event
    // buffers are not written when the lists are read in place; the tables follow.
    const header = plan.reserve(H.HEADER_BYTES), recs = plan.reserve(nL * H.LAYER_BYTES), evTable = plan.i32(2 * (nL + 1));
    const evCap = Int32Array.from([layers[0].nIn, ...layers.map((l) => l.nOut)]);
    const evAt = Array.from(evCap, (n) => plan.i32(n));
    // Per layer: its counters copied here when they are not read in place (the kernel reads them where L_CNT points).
    const cntCopy = layers.map(() => plan.f64(COUNTER_SLOTS));
    this.tablesAt = plan.totalBytes;
    const i32s: [number, ArrayLike<number>][] = [], f64s: [number, ArrayLike<number>][] = [];
    const put32 = (v: ArrayLike<number>) => { const o = plan.i32(v.length); i32s.push([o, v]); return o; };
    const put64 = (v: ArrayLike<number>) => { const o = plan.f64(v.length); f64s.push([o, v]); return o; };
    const words = new Map<number, number>(); // header word -> arena offset of its table
    const set = (h: number, off: number) => words.set(h, off);
    set(H.H_BOXLINKS, put32(boxLinks));
    if (inputCore) set(H.H_INPUTCORE, put32(inputCore));
    set(H.H_TILEOF, put32(tileOf));
    if (hasConv) {
      set(H.H_TILEREP, put32(tileRep));
      set(H.H_PAIRCNT, plan.i32(nP)); set(H.H_PAIRLAST, plan.f64(nP)); set(H.H_PAIRRLAST, plan.f64(nP));
      set(H.H_PAIRHOP, put64(pairHop)); set(H.H_PAIRDX, put32(pairDx)); set(H.H_PAIRDY, put32(pairDy));
      set(H.H_ROUTESTART, put32(routeStart)); set(H.H_ROUTELINKS, put32(routeLinks)); set(H.H_TOUCHED, plan.i32(nP));
    }
    set(H.H_TILEREACH, plan.f64(nT)); set(H.H_TILEHX, put64(tileHX)); set(H.H_TILEHY, put64(tileHY));
    // The touched lists have one slot more: the kernel writes the next slot before it knows whether to keep it.
    set(H.H_SRCCNT, plan.i32(nT)); set(H.H_SRCLAST, plan.f64(nT)); set(H.H_SRCTOUCHED, plan.i32(nT + 1));
    set(H.H_CORECNT, plan.i32(nC)); set(H.H_CORELASTPOS, plan.i32(nC));
    set(H.H_ROWACC, plan.f64(ny)); set(H.H_PATINDEX, put32(patIndex)); set(H.H_PATDX, put64(pDx)); set(H.H_PATDY, put64(pDy));
    set(H.H_LINKLOAD, plan.f64(mesh.links));
    for (const h of [H.H_SPIKES, H.H_MSGS, H.H_RECV, H.H_AEND, H.H_EXTRA, H.H_LEARN]) set(h, plan.f64(nC));
    set(H.H_A0, put64(a0)); set(H.H_GENBASE, put64(genBase));
    set(H.H_EXTRASLOT, put32(extraSlot)); set(H.H_EXTRACYCLES, put64(extraCycles));
    set(H.H_LEARNSLOT, put32(learnSlot)); set(H.H_LEARNCYCLES, put64(learnCycles));
    set(H.H_USEDSLOT, put32(this.usedSlots));
    const phase = { coreBusy: plan.f64(nC), critical: plan.f64(nC), linkTotal: plan.f64(mesh.links), linkMax: plan.f64(mesh.links) };
    set(H.H_COREBUSY, phase.coreBusy); set(H.H_CRITICAL, phase.critical); set(H.H_LINKTOTAL, phase.linkTotal); set(H.H_LINKMAX, phase.linkMax);
    set(H.H_LAYERS, recs);
    set(H.H_EVENTS, evTable);
    const recWords = layers.map((_, L) => {
      const dt = dest[L], r = new Map<number, number>();
      r.set(H.L_DCORES, put32(dt.cores));
      if (dt.dense) {
        r.set(H.L_DTILES, put32(destTiles[L])); r.set(H.L_DTILEOF, put32(destTileOf[L]));
        r.set(H.L_EWCOEF, put64(ewCoef[L])); r.set(H.L_NSCOEF, put64(nsCoef[L]));
        r.set(H.L_DRC, put64(destRc[L])); r.set(H.L_DSEND, put64(destSend[L]));
        r.set(H.L_SCORES, put32(sources[L].cores)); r.set(H.L_STSTART, put32(sources[L].start)); r.set(H.L_STILE, put32(sources[L].tiles));
      } else {
        r.set(H.L_DSYN, put64(dt.syn)); r.set(H.L_START, put32(dt.start as Int32Array));
      }
      r.set(H.L_SLICECORE, put32(sliceCore[L])); r.set(H.L_SLICESHARE, put64(sliceShare[L]));
      r.set(H.L_COREOF, put32(coreOf[L])); r.set(H.L_LOCALPOS, put32(localPos[L]));
      r.set(H.L_DELTA, plan.f64(COUNTER_SLOTS)); r.set(H.L_PREV, plan.f64(COUNTER_SLOTS)); r.set(H.L_CNT, cntCopy[L]);
      return r;
    });

    const k = (this.k = createKernels(backend, (this.arenaBytes = plan.totalBytes)));
    const I = k.mem.i32, F = k.mem.f64, base = k.base;
    for (const [o, v] of i32s) I.set(v, (base + o) >>> 2);
    for (const [o, v] of f64s) F.set(v, (base + o) >>> 3);
    const ctx = base + header, hi = ctx >>> 2;
    for (const [h, o] of words) I[hi + h] = base + o;
    const counts: [number, number][] = [[H.H_NC, nC], [H.H_NL, nL], [H.H_NT, nT], [H.H_NX, nx], [H.H_NY, ny], [H.H_BOXX, boxX], [H.H_BOXY, boxY],
      [H.H_LINKS_TIMED, linksTimed ? 1 : 0], [H.H_NBOXLINKS, boxLinks.length], [H.H_NEXTRA, extraSlot.length], [H.H_NLEARN, learnSlot.length], [H.H_NUSED, this.usedSlots.length]];
    for (const [h, v] of counts) I[hi + h] = v;
    for (const [f, v] of [[H.F_LUPD, lUpd], [H.F_LSPK, lSpk], [H.F_LSEND, lSend], [H.F_LRECV, lRecv], [H.F_OVFORWARD, ovForward], [H.F_BARRIER, this.barrier], [H.F_HOPX, mesh.hopX], [H.F_HOPY, mesh.hopY]]) F[((ctx + H.HEADER_F64) >>> 3) + f] = v;
    layers.forEach((l, L) => {
      const ri = (base + recs + L * H.LAYER_BYTES) >>> 2, rf = (base + recs + L * H.LAYER_BYTES + H.L_F64) >>> 3, dt = dest[L];
      for (const [w, o] of recWords[L]) I[ri + w] = base + o;
      I[ri + H.L_DENSE] = dt.dense ? 1 : 0;
      I[ri + H.L_D] = dt.cores.length;
      I[ri + H.L_NDTILES] = destTiles[L].length;
      I[ri + H.L_NSLICES] = sliceCore[L].length;
      // Slices on cores c0, c0 + 1, ...: c0 + 1 (the kernel splits over them two at a time), else 0.
      I[ri + H.L_SLICEFIRST] = sliceCore[L].length > 0 && sliceCore[L].every((c, j) => c === sliceCore[L][0] + j) ? sliceCore[L][0] + 1 : 0;
      I[ri + H.L_NST] = sources[L].tiles.length;
      // Each source tile's cores consecutive: the kernel takes them two at a time.
      I[ri + H.L_STPAIRS] = sources[L].cores.every((c, q) => sources[L].start.includes(q) || c === sources[L].cores[q - 1] + 1) ? 1 : 0;
      // Destination cores d0, d0 + 1, ...: d0 + 1 (the kernel takes them two at a time), else 0.
      I[ri + H.L_DFIRST] = dt.dense && dt.cores.length > 0 && dt.cores.every((d, j) => d === dt.cores[0] + j) ? dt.cores[0] + 1 : 0;
      I[ri + H.L_MONOTONE] = localMonotone[L] ? 1 : 0;
      F[rf + H.LF_LROW] = lRow[L];
      F[rf + H.LF_LSYN] = lSyn[L];
    });
    evAt.forEach((o, l) => { I[((base + evTable) >>> 2) + 2 * l] = base + o; });
    this.evCap = evCap;
    this.rel = { header, recs, evTable, evAt, cntCopy, prev: recWords.map((r) => r.get(H.L_PREV) as number), phase };
    this.pointerWords = Int32Array.from([
      ...Array.from(words.keys(), (h) => header + 4 * h),
      ...recWords.flatMap((r, L) => Array.from(r.keys(), (w) => recs + L * H.LAYER_BYTES + 4 * w)),
      ...evAt.map((_, l) => evTable + 8 * l),
    ]);
    this.place(k, base);
  }

  /** The arena at byte pointer `base` of k's memory: the indices the host uses to reach it. */
  private place(k: Kernels, base: number): void {
    const r = this.rel;
    this.k = k;
    this.ctx = base + r.header;
    this.figs = (this.ctx + H.HEADER_F64) >>> 3;
    this.evTable = (base + r.evTable) >>> 2;
    this.evBuf = Int32Array.from(r.evAt, (o) => (base + o) >>> 2);
    this.cntWord = Int32Array.from(r.prev, (_, L) => ((base + r.recs + L * H.LAYER_BYTES) >>> 2) + H.L_CNT);
    this.cntCopyAt = Int32Array.from(r.cntCopy, (o) => (base + o) >>> 3);
    this.prevAt = Int32Array.from(r.prev, (o) => (base + o) >>> 3);
    this.phaseAt = { coreBusy: (base + r.phase.coreBusy) >>> 3, critical: (base + r.phase.critical) >>> 3, linkTotal: (base + r.phase.linkTotal) >>> 3, linkMax: (base + r.phase.linkMax) >>> 3 };
  }

  /**
   * Move the arena, as it is, into the spare room of the chip's kernels (same backend; the first
   * timer to ask gets it, if it fits): the step kernel then runs in the chip's instance and reads
   * its event lists in place instead of copies. Nothing else changes: the same bytes, pointers
   * rebased.
   */
  private moveInto(host: Kernels): void {
    const spare = host.spare, from = this.k;
    if (this.hosted || host === from || !spare || spare.taken || host.backend !== from.backend || spare.bytes < this.arenaBytes) return;
    spare.taken = true;
    const oldBase = this.ctx - this.rel.header, base = spare.at, delta = base - oldBase, I = host.mem.i32;
    new Uint8Array(I.buffer, base, this.arenaBytes).set(new Uint8Array(from.mem.i32.buffer, oldBase, this.arenaBytes));
    for (const w of this.pointerWords) I[(base + w) >>> 2] += delta;
    this.place(host, base);
    this.hosted = true;
    this.seenBuf = undefined;
    this.seenCnt.fill(undefined);
  }

  /** Start (or resume) timing the steps of a phase; the counters are read as they are now. */
  beginPhase(name: string, learning: boolean, src: StepSource): void {
    this.endPhase();
    if (src.host) this.moveInto(src.host);
    let a = this.phases.get(name);
    if (!a) this.phases.set(name, (a = new TimingAccumulator(this.mapping, this.mesh, learning, this.barrier, this.tilesUsed, this.model.clock.value)));
    this.acc = a;
    // The phase's per-core and per-link totals go on in the arena, from where they were.
    const F = this.k.mem.f64, p = this.phaseAt;
    F.set(a.coreBusy, p.coreBusy); F.set(a.critical, p.critical); F.set(a.linkTotal, p.linkTotal); F.set(a.linkMax, p.linkMax);
    for (let l = 0; l < this.nLayers; l++) F.set(src.counters(l), this.prevAt[l]);
  }

  /** The current phase's per-core and per-link totals, back from the arena. */
  private endPhase(): void {
    const a = this.acc;
    if (!a) return;
    const F = this.k.mem.f64, p = this.phaseAt;
    a.coreBusy.set(F.subarray(p.coreBusy, p.coreBusy + a.coreBusy.length));
    a.critical.set(F.subarray(p.critical, p.critical + a.critical.length));
    a.linkTotal.set(F.subarray(p.linkTotal, p.linkTotal + a.linkTotal.length));
    a.linkMax.set(F.subarray(p.linkMax, p.linkMax + a.linkMax.length));
  }

  /** Where the kernel finds the step's counters (in place, or copied: only the slots it reads) and event lists. */
  private readStep(src: StepSource, events: boolean): void {
    const used = this.usedSlots, F = this.k.mem.f64, I = this.k.mem.i32;
    for (let l = 0; l < this.nLayers; l++) {
      const c = src.counters(l);
      if (c !== this.seenCnt[l]) { this.seenCnt[l] = c; this.cntSame[l] = c.buffer === F.buffer ? 1 : 0; }
      if (this.cntSame[l]) I[this.cntWord[l]] = c.byteOffset;
      else {
        const d = this.cntCopyAt[l];
        for (let q = 0; q < used.length; q++) { const s = used[q]; F[d + s] = c[s]; }
        I[this.cntWord[l]] = d << 3;
      }
    }
    if (!events) return;
    const t = this.evTable;
    for (let l = -1; l < this.nLayers; l++) {
      const ev = src.events(l), n = ev.n, buf = ev.buf;
      // A list longer than the layer cannot come from a chip: refused rather than written past its buffer.
      if (n > this.evCap[l + 1]) throw new Error(`StepTimer: ${n} events of layer ${l} in one step, at most ${this.evCap[l + 1]}`);
      // Same memory: the very view (chipSource hands the chip's) or, rarely, another view of it
      // (asked once per view: a wasm memory's .buffer costs some 150 ns).
      if (buf !== this.seenBuf) { this.seenBuf = buf; this.seenSame = buf.buffer === I.buffer; }
      if (this.seenSame) {
        // In the arena's memory (the chip's lists, hosted): read where it is.
        I[t + 2 * (l + 1)] = buf.byteOffset + (ev.off << 2);
      } else {
        // A plain loop: a few hundred indices a step, where subarray() would allocate a view each time.
        const off = ev.off, at = this.evBuf[l + 1];
        for (let e = 0; e < n; e++) I[at + e] = buf[off + e];
        I[t + 2 * (l + 1)] = at << 2;
      }
      I[t + 2 * (l + 1) + 1] = n;
    }
  }

  private learnOverhead(): number {
    return this.acc?.learning ? this.ovLearning : 0;
  }

  /** Time one step (after the forward pass and the rule's after-step circuits); returns its cycles. */
  step(src: StepSource): number {
    const acc = this.acc;
    if (!acc) throw new Error('StepTimer.step before beginPhase');
    this.readStep(src, true);
    const total = this.k.timingStep(this.ctx, this.learnOverhead());
    const F = this.k.mem.f64, f = this.figs, input = F[f + H.F_FROMINPUT];
    acc.addStep(total, F[f + H.F_FORWARD], F[f + H.F_LEARNMAX], F[f + H.F_MESHLIMITED] !== 0, F[f + H.F_MESSAGES] - input, input, F[f + H.F_HOPSX], F[f + H.F_HOPSY]);
    return total;
  }

  /** Time the end-of-sample learning (a learning phase and a barrier); returns its cycles. */
  sampleEnd(src: StepSource): number {
    const acc = this.acc;
    if (!acc) throw new Error('StepTimer.sampleEnd before beginPhase');
    this.readStep(src, false);
    const learnMax = this.k.timingSampleEnd(this.ctx, this.learnOverhead());
    if (learnMax === 0) return 0;
    const total = learnMax + this.barrier;
    acc.addUpdate(total);
    return total;
  }

  /** What every phase has accumulated so far, for a checkpoint (src/train/checkpoint.ts). */
  phaseStates(): Record<string, { learning: boolean; state: AccumulatorState }> {
    // The current phase's per-core and per-link totals live in the arena while it runs: copy them out first.
    this.endPhase();
    const out: Record<string, { learning: boolean; state: AccumulatorState }> = {};
    for (const [name, a] of this.phases) out[name] = { learning: a.learning, state: a.state() };
    return out;
  }

  /** Continue every phase from phaseStates() of a timer of the same model, mapping and layers (a resumed run). */
  restorePhases(states: Record<string, { learning: boolean; state: AccumulatorState }>): void {
    for (const [name, { learning, state }] of Object.entries(states)) {
      const a = new TimingAccumulator(this.mapping, this.mesh, learning, this.barrier, this.tilesUsed, this.model.clock.value);
      a.load(state);
      const current = this.acc !== undefined && this.phases.get(name) === this.acc;
      this.phases.set(name, a);
      if (current) {
        // The phase running now goes on from the loaded totals, in the arena.
        this.acc = a;
        const F = this.k.mem.f64, p = this.phaseAt;
        F.set(a.coreBusy, p.coreBusy); F.set(a.critical, p.critical); F.set(a.linkTotal, p.linkTotal); F.set(a.linkMax, p.linkMax);
      }
    }
  }

  /** The timing of every phase timed so far. */
  result(): Record<string, PhaseTiming> {
    this.endPhase();
    const out: Record<string, PhaseTiming> = {};
    for (const [name, a] of this.phases) out[name] = a.summary();
    return out;
  }

  /**
   * The arena past its header, layer records and event table (those hold absolute pointers,
   * which differ between backends) and its event buffers (unused when the lists are read in
   * place), and the header's figures: the property test holds the wasm kernel's
   * equal to its twin's.
   */
  arenaState(): { tables: Uint8Array; figures: Float64Array } {
    const k = this.k, from = this.ctx - this.rel.header + this.tablesAt;
    return {
      tables: new Uint8Array(k.mem.f64.buffer, from, this.arenaBytes - this.tablesAt),
      figures: k.mem.f64.slice(this.figs, this.figs + (H.HEADER_BYTES - H.HEADER_F64) / 8),
    };
  }
}
