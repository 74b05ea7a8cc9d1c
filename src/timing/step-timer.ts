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
import { COUNTER_SLOTS } from '../reference/counters.js';
import { convFanIn } from '../reference/conv.js';
import { convReach } from '../cost/reach.js';
import { Mesh, barrierCycles } from './mesh.js';
import { PhaseTiming, TimingAccumulator } from './summary.js';

/** A step's event list: `n` indices at buf[off .. off + n). */
export interface StepEvents { buf: Int32Array; off: number; n: number }

/** What the timer reads from the chip after a step. */
export interface StepSource {
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

export class StepTimer {
  readonly mesh: Mesh;
  readonly nCores: number;
  private readonly layers: readonly ActivityLayer[];
  private readonly coreOf: Int32Array[];
  private readonly localPos: Int32Array[];
  private readonly dest: DestTable[];
  private readonly genBase: Float64Array;
  private readonly lUpd: number;
  private readonly lSpk: number;
  private readonly lSend: number;
  private readonly lRecv: number;
  private readonly lRow: Float64Array;
  private readonly lSyn: Float64Array;
  private readonly ovForward: number;
  private readonly ovLearning: number;
  readonly barrier: number;
  readonly tilesUsed: number;
  /** Neuron-phase extras and learning actions: counter slots and their cycles per count (lanes applied). */
  private readonly extraSlot: Int32Array;
  private readonly extraCycles: Float64Array;
  private readonly learnSlot: Int32Array;
  private readonly learnCycles: Float64Array;
  private readonly usedSlots: Int32Array;
  /** Per layer: its slices' cores and shares of the layer's neurons. */
  private readonly sliceCore: Int32Array[];
  private readonly sliceShare: Float64Array[];
  // Per (source, destination core) flow: source nCores is the input port.
  private readonly pairCnt: Int32Array;
  private readonly pairLast: Float64Array;
  private readonly pairRLast: Float64Array;
  private readonly pairHop: Float64Array;
  private readonly pairDx: Int32Array;
  private readonly pairDy: Int32Array;
  private readonly routeStart: Int32Array;
  private readonly routeLinks: Int32Array;
  private readonly touched: Int32Array;
  // Dense layers, aggregated by source tile (its cores and the port share their routes): this
  // step's events from the tile and the latest start of an event's messages.
  private readonly tileOf: Int32Array;
  /** Per source (cores, then the port): the source whose routes stand for its tile's. */
  private readonly tileRep: Int32Array;
  /** noc.inputSource "cores": the core sending each input's events (layer 1's slice i mod slices); null: the port. */
  private readonly inputCore: Int32Array | null;
  private readonly destTiles: Int32Array[];
  private readonly destTileOf: Int32Array[];
  private readonly tileReach: Float64Array;
  private readonly destXle: Float64Array[];
  private readonly destColLe: Float64Array[];
  private readonly rowAcc: Float64Array;
  /** Per tile: hopX x its x, hopY x its y. */
  private readonly tileHX: Float64Array;
  private readonly tileHY: Float64Array;
  private readonly destRc: Float64Array[];
  private readonly destSend: Float64Array[];
  private readonly boxX: number;
  private readonly boxY: number;
  private readonly boxLinks: Int32Array;
  private readonly srcCnt: Int32Array;
  private readonly srcLast: Float64Array;
  private readonly srcTouched: Int32Array;
  /** Per source core, while a layer's events are gathered: events, the last one's update position; the cores touched. */
  private readonly coreCnt: Int32Array;
  private readonly coreLastPos: Int32Array;
  private readonly coreTouched: Int32Array;
  /** Per layer: every core holds the layer's neurons in update order (localPos rises with the index on a core). */
  private readonly localMonotone: boolean[];
  // Per (receiving dense layer, source tile): the links its messages to all the layer's cores take, with multiplicities.
  private readonly patIndex: Int32Array;
  private readonly patStart: Int32Array;
  private readonly patLink: Int32Array;
  private readonly patMult: Int32Array;
  private readonly patDx: Float64Array;
  private readonly patDy: Float64Array;
  /** Messages per directed link this step (all links: the mesh is small), and each link's hop latency. */
  private readonly linkLoad: Float64Array;
  private readonly linkLat: Float64Array;
  /** Every link of the box has a hop latency > 0 (meshBound's one-pass case). */
  private readonly linksTimed: boolean;
  // Per core, this step.
  private readonly spikes: Float64Array;
  private readonly msgs: Float64Array;
  private readonly recv: Float64Array;
  /** Per core: the earliest any message can arrive (its nearest source's first message). */
  private readonly a0: Float64Array;
  private readonly aEnd: Float64Array;
  private readonly extra: Float64Array;
  private readonly learn: Float64Array;
  private readonly prev: Float64Array[];
  private readonly delta: Float64Array[];
  private acc: TimingAccumulator | undefined;
  private readonly phases = new Map<string, TimingAccumulator>();

  constructor(readonly model: HwModel, readonly mapping: Mapping, layers: readonly ActivityLayer[]) {
    this.layers = layers;
    const nC = (this.nCores = mapping.cores.length);
    this.mesh = new Mesh(model);
    const lanes = model.cores.lanes, A = model.actions;
    const lat = (name: string) => A[name].latency.value;
    this.lUpd = lat('neuron.update') / lanes.neuron.value;
    this.lSpk = lat('neuron.spike') / lanes.neuron.value;
    this.lSend = model.noc.packetSent.latency.value / lanes.routing.value;
    this.lRecv = model.noc.packetReceived.latency.value / lanes.routing.value;
    this.lRow = Float64Array.from(layers, () => lat('synapse.event') / lanes.integration.value);
    this.lSyn = Float64Array.from(layers, (l) => (lat('synapse.read') + lat(l.analogInput ? 'dendrite.mac' : 'dendrite.ac')) / lanes.integration.value);
    this.ovForward = model.overheads.routing.value + model.overheads.integration.value + model.overheads.neuron.value;
    this.ovLearning = model.overheads.learning.value;
    const handled = new Set(['synapse.event', 'synapse.read', 'dendrite.ac', 'dendrite.mac', 'neuron.update', 'neuron.spike']);
    const extra = ACTIONS.filter((a) => a.phase === 'neuron' && !handled.has(a.name))
      .map((a) => ({ slot: slotOf(a.name), cycles: lat(a.name) / lanes.neuron.value })).filter((x) => x.cycles > 0);
    const learnActs = ACTIONS.filter((a) => a.phase === 'learning')
      .map((a) => ({ slot: slotOf(a.name), cycles: lat(a.name) / lanes.learning.value })).filter((x) => x.cycles > 0);
    this.extraSlot = Int32Array.from(extra, (x) => x.slot);
    this.extraCycles = Float64Array.from(extra, (x) => x.cycles);
    this.learnSlot = Int32Array.from(learnActs, (x) => x.slot);
    this.learnCycles = Float64Array.from(learnActs, (x) => x.cycles);
    this.usedSlots = Int32Array.from(new Set([...this.extraSlot, ...this.learnSlot]));

    // Where each neuron sits: its core and its place in the core's update order.
    const offset = new Int32Array(nC);
    this.coreOf = layers.map((l) => new Int32Array(l.nOut));
    this.localPos = layers.map((l) => new Int32Array(l.nOut));
    this.genBase = new Float64Array(nC);
    mapping.cores.forEach((c, ci) => {
      for (const s of c.slices) {
        const co = this.coreOf[s.layer], lp = this.localPos[s.layer];
        for (let k = 0; k < s.neurons; k++) { co[s.firstNeuron + k] = ci; lp[s.firstNeuron + k] = offset[ci] + k; }
        offset[ci] += s.neurons;
      }
      this.genBase[ci] = offset[ci] * this.lUpd;
    });
    const first = mapping.layers[0].slices;
    this.inputCore = model.noc.inputSource.value === 'cores' ? Int32Array.from({ length: layers[0].nIn }, (_, i) => first[i % first.length].core) : null;
    this.sliceCore = mapping.layers.map((l) => Int32Array.from(l.slices, (s) => s.core));
    this.sliceShare = mapping.layers.map((l) => Float64Array.from(l.slices, (s) => s.neurons / l.nOut));
    this.tilesUsed = new Set(mapping.cores.map((c) => c.tile)).size;
    this.barrier = barrierCycles(model, this.tilesUsed);

    // Destinations of layer L's inputs (input events for L = 0, spikes of L - 1 otherwise).
    this.dest = layers.map((l, L) => {
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

    // Flows and their XY routes, precomputed once (cores are few: at most the chip's).
    const nP = (nC + 1) * nC;
    this.pairCnt = new Int32Array(nP);
    this.pairLast = new Float64Array(nP);
    this.pairRLast = new Float64Array(nP);
    this.pairHop = new Float64Array(nP);
    this.pairDx = new Int32Array(nP);
    this.pairDy = new Int32Array(nP);
    this.routeStart = new Int32Array(nP + 1);
    const maxHops = this.mesh.nx + this.mesh.ny;
    const links = new Int32Array(nP * maxHops);
    let at = 0;
    for (let s = 0; s <= nC; s++) {
      const a = s < nC ? mapping.cores[s] : { x: 0, y: 0 };
      for (let d = 0; d < nC; d++) {
        const b = mapping.cores[d], p = s * nC + d;
        this.routeStart[p] = at;
        at += this.mesh.route(a.x, a.y, b.x, b.y, links, at);
        this.pairDx[p] = Math.abs(a.x - b.x);
        this.pairDy[p] = Math.abs(a.y - b.y);
        this.pairHop[p] = this.pairDx[p] * this.mesh.hopX + this.pairDy[p] * this.mesh.hopY;
      }
    }
    this.routeStart[nP] = at;
    this.routeLinks = links.slice(0, at);
    this.touched = new Int32Array(nP);
    const nT = this.mesh.nx * this.mesh.ny;
    // Source index of the port (nC) -> tile 0, where the input port sits.
    this.tileOf = Int32Array.from({ length: nC + 1 }, (_, c) => (c < nC ? mapping.cores[c].y * this.mesh.nx + mapping.cores[c].x : 0));
    const tileCore = new Int32Array(nT).fill(-1); // a source index on each tile, to read its routes
    for (let c = nC; c >= 0; c--) tileCore[this.tileOf[c]] = c;
    // Flows are kept per (source tile, destination core): a tile's sources share routes and hops.
    this.tileRep = Int32Array.from({ length: nC + 1 }, (_, c) => tileCore[this.tileOf[c]]);
    // Per dense layer: its cores' tiles (distinct) and each core's entry there.
    this.destTiles = this.dest.map((dt) => Int32Array.from(new Set(Array.from(dt.cores, (d) => this.tileOf[d]))));
    this.destTileOf = this.dest.map((dt, L) => Int32Array.from(dt.cores, (d) => this.destTiles[L].indexOf(this.tileOf[d])));
    this.tileReach = new Float64Array(nT);
    // Per dense layer: destination cores with tile x <= x, and per column those with tile y <= y (denseLinkLoads).
    const nx = this.mesh.nx, ny = this.mesh.ny;
    this.destXle = this.dest.map((dt) => {
      const le = new Float64Array(nx);
      for (const d of dt.cores) le[mapping.cores[d].x] += 1;
      for (let x = 1; x < nx; x++) le[x] += le[x - 1];
      return le;
    });
    this.destColLe = this.dest.map((dt) => {
      const le = new Float64Array(nx * ny);
      for (const d of dt.cores) le[mapping.cores[d].x * ny + mapping.cores[d].y] += 1;
      for (let c = 0; c < nx; c++) for (let y = 1; y < ny; y++) le[c * ny + y] += le[c * ny + y - 1];
      return le;
    });
    this.rowAcc = new Float64Array(ny);
    this.tileHX = Float64Array.from({ length: nT }, (_, tl) => this.mesh.hopX * (tl % nx));
    this.tileHY = Float64Array.from({ length: nT }, (_, tl) => this.mesh.hopY * Math.floor(tl / nx));
    // Per dense layer and destination j: a message's receive work there, and the j + 1 sends before its message leaves.
    this.destRc = this.dest.map((dt, L) => Float64Array.from(dt.syn, (syn) => this.lRecv + this.lRow[L] + syn * this.lSyn[L]));
    this.destSend = this.dest.map((dt) => Float64Array.from(dt.cores, (_, j) => (j + 1) * this.lSend));
    // XY routes stay inside the box of the tiles in use (and the port's tile (0, 0)): only its links are scanned.
    this.boxX = Math.max(...mapping.cores.map((c) => c.x)) + 1;
    this.boxY = Math.max(...mapping.cores.map((c) => c.y)) + 1;
    const box: number[] = [];
    for (let y = 0; y < this.boxY; y++) for (let x = 0; x < this.boxX; x++) for (let d = 0; d < 4; d++) box.push((y * nx + x) * 4 + d);
    this.boxLinks = Int32Array.from(box);
    this.srcCnt = new Int32Array(nT);
    this.srcLast = new Float64Array(nT);
    this.srcTouched = new Int32Array(nT);
    this.coreCnt = new Int32Array(nC);
    this.coreLastPos = new Int32Array(nC);
    this.coreTouched = new Int32Array(nC);
    this.localMonotone = layers.map((l, L) => {
      const last = new Int32Array(nC).fill(-1), co = this.coreOf[L], lp = this.localPos[L];
      for (let i = 0; i < l.nOut; i++) { if (lp[i] <= last[co[i]]) return false; last[co[i]] = lp[i]; }
      return true;
    });
    // Link patterns of the dense layers, from every tile holding a possible source.
    this.patIndex = new Int32Array(layers.length * nT).fill(-1);
    const pStart: number[] = [0], pLink: number[] = [], pMult: number[] = [], pDx: number[] = [], pDy: number[] = [];
    layers.forEach((_, L) => {
      const dt = this.dest[L];
      if (!dt.dense) return;
      for (let t = 0; t < nT; t++) {
        const s = tileCore[t];
        if (s < 0) continue;
        const mult = new Map<number, number>();
        let dx = 0, dy = 0;
        for (const d of dt.cores) {
          const p = s * nC + d;
          for (let k = this.routeStart[p]; k < this.routeStart[p + 1]; k++) mult.set(this.routeLinks[k], (mult.get(this.routeLinks[k]) ?? 0) + 1);
          dx += this.pairDx[p];
          dy += this.pairDy[p];
        }
        this.patIndex[L * nT + t] = pDx.length;
        for (const [ln, m] of [...mult].sort((a, b) => a[0] - b[0])) { pLink.push(ln); pMult.push(m); }
        pStart.push(pLink.length);
        pDx.push(dx);
        pDy.push(dy);
      }
    });
    this.patStart = Int32Array.from(pStart);
    this.patLink = Int32Array.from(pLink);
    this.patMult = Int32Array.from(pMult);
    this.patDx = Float64Array.from(pDx);
    this.patDy = Float64Array.from(pDy);
    this.linkLoad = new Float64Array(this.mesh.links);
    this.linkLat = Float64Array.from({ length: this.mesh.links }, (_, ln) => this.mesh.linkLatency(ln));
    this.linksTimed = this.boxLinks.every((ln) => this.linkLat[ln] > 0);

    this.spikes = new Float64Array(nC);
    this.msgs = new Float64Array(nC);
    this.recv = new Float64Array(nC);
    // Earliest arrival per core: the input port's first message, or a source core's first neuron spiking at once.
    this.a0 = new Float64Array(nC).fill(Infinity);
    mapping.layers.forEach((pl, L) => {
      for (const s of pl.slices) {
        const d = s.core;
        if (L === 0 && !this.inputCore) this.a0[d] = Math.min(this.a0[d], this.lSend + this.pairHop[nC * nC + d]);
        else if (L === 0) for (const f of pl.slices) this.a0[d] = Math.min(this.a0[d], this.lSend + this.pairHop[f.core * nC + d]);
        else for (const f of mapping.layers[L - 1].slices) this.a0[d] = Math.min(this.a0[d], this.lUpd + this.lSpk + this.lSend + this.pairHop[f.core * nC + d]);
      }
    });
    this.aEnd = new Float64Array(nC);
    this.extra = new Float64Array(nC);
    this.learn = new Float64Array(nC);
    this.prev = layers.map(() => new Float64Array(COUNTER_SLOTS));
    this.delta = layers.map(() => new Float64Array(COUNTER_SLOTS));
  }

  /** Start (or resume) timing the steps of a phase; the counters are read as they are now. */
  beginPhase(name: string, learning: boolean, src: StepSource): void {
    let a = this.phases.get(name);
    if (!a) this.phases.set(name, (a = new TimingAccumulator(this.mapping, this.mesh, learning, this.barrier, this.tilesUsed, this.model.clock.value)));
    this.acc = a;
    this.layers.forEach((_, l) => this.prev[l].set(src.counters(l)));
  }

  private readDeltas(src: StepSource): void {
    const used = this.usedSlots;
    for (let l = 0; l < this.layers.length; l++) {
      const c = src.counters(l), p = this.prev[l], d = this.delta[l];
      // Only the slots the timer reads (neuron-phase extras and learning actions).
      for (let q = 0; q < used.length; q++) { const k = used[q]; d[k] = c[k] - p[k]; p[k] = c[k]; }
    }
  }

  /** Learning cycles per core from this step's deltas into `learn`; returns the slowest. */
  private learningPhase(withOverhead = true): number {
    const learn = this.learn;
    learn.fill(0);
    let any = false;
    for (let l = 0; l < this.layers.length; l++) {
      const d = this.delta[l];
      let w = 0;
      for (let k = 0; k < this.learnSlot.length; k++) w += d[this.learnSlot[k]] * this.learnCycles[k];
      if (w === 0) continue;
      any = true;
      const cores = this.sliceCore[l], share = this.sliceShare[l];
      for (let j = 0; j < cores.length; j++) learn[cores[j]] += w * share[j];
    }
    const ov = this.learnOverhead();
    if (!withOverhead || (!any && ov === 0)) return 0;
    let max = 0;
    for (let c = 0; c < this.nCores; c++) { learn[c] += ov; if (learn[c] > max) max = learn[c]; }
    return max;
  }

  private learnOverhead(): number {
    return this.acc?.learning ? this.ovLearning : 0;
  }

  // This step's running totals (kept in fields so that the step's parts are small methods, each
  // compiled and optimized on its own).
  private nTouched = 0;
  private portT = 0;
  private fromInput = 0;
  private messages = 0;
  private hopsX = 0;
  private hopsY = 0;

  /** Time one step (after the forward pass and the rule's after-step circuits); returns its cycles. */
  step(src: StepSource): number {
    const acc = this.acc;
    if (!acc) throw new Error('StepTimer.step before beginPhase');
    this.readDeltas(src);
    const nL = this.layers.length;
    this.spikes.fill(0); this.msgs.fill(0); this.recv.fill(0); this.extra.fill(0); this.aEnd.fill(0);
    this.nTouched = 0; this.portT = 0; this.fromInput = 0; this.messages = 0; this.hopsX = 0; this.hopsY = 0;
    for (let L = 0; L < nL; L++) {
      const ev = src.events(L - 1);
      if (this.dest[L].dense) this.denseLayer(L, ev);
      else this.convLayer(L, ev);
    }
    this.convFlows();
    // The last layer's spikes go nowhere but take their soma time.
    const ev = src.events(nL - 1), co = this.coreOf[nL - 1];
    for (let e = 0; e < ev.n; e++) this.spikes[co[ev.buf[ev.off + e]]] += 1;
    this.neuronExtras();
    const meshBound = this.meshBound(acc);
    this.learningPhase(false); // the learning overhead and the slowest core: in finishStep's pass
    return this.finishStep(acc, meshBound);
  }

  /** When event i's messages start on its core: after the neurons, spikes and messages before it there. */
  private startOn(c: number, pos: number): number {
    this.spikes[c] += 1;
    return (pos + 1) * this.lUpd + this.spikes[c] * this.lSpk + this.msgs[c] * this.lSend;
  }

  /**
   * Layer L's inputs when it is dense: every event goes to every core of L. Aggregated per
   * source tile (its cores and the port share their routes): the tile's events and the latest
   * start among them; a tile's last event's message to core j leaves at (its start) + (j + 1) sends.
   */
  private denseLayer(L: number, ev: StepEvents): void {
    const nC = this.nCores, dt = this.dest[L], D = dt.cores.length;
    const { srcCnt, srcLast, srcTouched, tileOf, msgs } = this;
    const co = L > 0 ? this.coreOf[L - 1] : null, lp = L > 0 ? this.localPos[L - 1] : null, ic = L === 0 ? this.inputCore : null;
    let nSrc = 0, portT = this.portT;
    const buf = ev.buf, off = ev.off, n = ev.n, lSend0 = this.lSend;
    // Events are gathered per source core (a count, and the last event), then each core's last
    // event is timed: its messages start latest, as a core's events start later and later
    // (more neurons, spikes and messages before them). That needs the events in neuron order
    // and, for spikes, the core's neurons in update order (localMonotone); otherwise every event
    // is timed (the same arithmetic, in the same order, as startOn()). Input events: a core's
    // k-th starts after the (k - 1) x D messages before it, whatever their order.
    const { coreCnt, coreLastPos, coreTouched } = this;
    let nCo = 0;
    // Spikes: gathered per core (scratch only) while checking the order; out of order, the
    // gathering is dropped and every event is timed.
    let ordered = co !== null && this.localMonotone[L - 1];
    if (co !== null && lp !== null && ordered) {
      let prevI = -1;
      for (let e = 0; e < n; e++) {
        const i = buf[off + e], c = co[i], k = coreCnt[c];
        if (i <= prevI) { ordered = false; break; }
        prevI = i;
        if (k === 0) coreTouched[nCo++] = c;
        coreCnt[c] = k + 1;
        coreLastPos[c] = lp[i];
      }
      if (!ordered) { for (let q = 0; q < nCo; q++) coreCnt[coreTouched[q]] = 0; nCo = 0; }
    }
    if (co !== null && lp !== null && !ordered) {
      const spikes = this.spikes, lUpd = this.lUpd, lSpk = this.lSpk;
      for (let e = 0; e < n; e++) {
        const i = buf[off + e], c = co[i], sp = spikes[c] + 1, m = msgs[c];
        spikes[c] = sp;
        const t = (lp[i] + 1) * lUpd + sp * lSpk + m * lSend0;
        msgs[c] = m + D;
        const tl = tileOf[c], k = srcCnt[tl];
        if (k === 0) { srcTouched[nSrc++] = tl; srcLast[tl] = t; } else if (t > srcLast[tl]) srcLast[tl] = t;
        srcCnt[tl] = k + 1;
      }
    } else if (co !== null && lp !== null) {
      const spikes = this.spikes, lUpd = this.lUpd, lSpk = this.lSpk;
      for (let q = 0; q < nCo; q++) {
        const c = coreTouched[q], k = coreCnt[c], sp = spikes[c] + k, m = msgs[c] + (k - 1) * D;
        coreCnt[c] = 0;
        spikes[c] = sp;
        msgs[c] = m + D;
        // Integer counts: sp and m are exactly what k increments would give.
        const t = (coreLastPos[c] + 1) * lUpd + sp * lSpk + m * lSend0;
        const tl = tileOf[c], kt = srcCnt[tl];
        if (kt === 0) { srcTouched[nSrc++] = tl; srcLast[tl] = t; } else if (t > srcLast[tl]) srcLast[tl] = t;
        srcCnt[tl] = kt + k;
      }
    } else if (ic !== null) {
      for (let e = 0; e < n; e++) {
        const c = ic[buf[off + e]], k = coreCnt[c];
        if (k === 0) coreTouched[nCo++] = c;
        coreCnt[c] = k + 1;
      }
      for (let q = 0; q < nCo; q++) {
        const c = coreTouched[q], k = coreCnt[c], m = msgs[c] + (k - 1) * D, t = m * lSend0;
        coreCnt[c] = 0;
        msgs[c] = m + D;
        const tl = tileOf[c], kt = srcCnt[tl];
        if (kt === 0) { srcTouched[nSrc++] = tl; srcLast[tl] = t; } else if (t > srcLast[tl]) srcLast[tl] = t;
        srcCnt[tl] = kt + k;
      }
    } else if (n > 0) {
      // The port: its events leave back to back, each after the previous one's D messages.
      const tl = tileOf[nC];
      srcTouched[nSrc++] = tl;
      srcCnt[tl] = n;
      let t = portT;
      for (let e = 0; e < n; e++) { t = portT; portT = t + D * lSend0; }
      srcLast[tl] = t;
    }
    this.portT = portT;
    if (co === null) this.fromInput += ev.n * D;
    if (ev.n === 0) return;
    const { recv, aEnd } = this;
    const dCores = dt.cores, nT = srcCnt.length;
    // Latest (start + hops) from any source tile to each destination tile, then per destination core.
    const dTiles = this.destTiles[L], dTileOf = this.destTileOf[L], reach = this.tileReach;
    // max over sources of (start + hx |sx - dx| + hy |sy - dy|): |a| + |b| is the largest of
    // ±a ±b, so four maxima over the sources give it for every destination in O(1) each.
    const tHX = this.tileHX, tHY = this.tileHY;
    let mpp = -Infinity, mpm = -Infinity, mmp = -Infinity, mmm = -Infinity;
    for (let k = 0; k < nSrc; k++) {
      const tl = srcTouched[k], v = srcLast[tl], X = tHX[tl], Y = tHY[tl];
      if (v + X + Y > mpp) mpp = v + X + Y;
      if (v + X - Y > mpm) mpm = v + X - Y;
      if (v - X + Y > mmp) mmp = v - X + Y;
      if (v - X - Y > mmm) mmm = v - X - Y;
    }
    for (let u = 0; u < dTiles.length; u++) {
      const tl = dTiles[u], X = tHX[tl], Y = tHY[tl];
      reach[u] = Math.max(mpp - X - Y, mpm - X + Y, mmp + X - Y, mmm + X + Y);
    }
    const rcs = this.destRc[L], sends = this.destSend[L];
    for (let j = 0; j < D; j++) {
      const d = dCores[j], rc = rcs[j];
      recv[d] += n * rc;
      const a = reach[dTileOf[j]] + sends[j] + rc;
      if (a > aEnd[d]) aEnd[d] = a;
    }
    this.denseLinkLoads(L);
    for (let k = 0; k < nSrc; k++) {
      const tl = srcTouched[k], n = srcCnt[tl];
      srcCnt[tl] = 0;
      const pat = this.patIndex[L * nT + tl];
      this.messages += n * D;
      this.hopsX += n * this.patDx[pat];
      this.hopsY += n * this.patDy[pat];
    }
  }

  /**
   * Link loads of a dense layer's messages from the step's per-tile event counts (srcCnt), in
   * O(tiles): with XY routing, the east link out of (x, r) carries the events of row r's tiles
   * x' <= x times the destination cores east of x; the north link out of (c, y) carries the
   * events of all rows y' <= y times the destination cores of column c north of y (west and
   * south alike). Equal to summing every (source tile, destination core) route.
   */
  private denseLinkLoads(L: number): void {
    const nx = this.mesh.nx, ny = this.mesh.ny, S = this.srcCnt, load = this.linkLoad, bx = this.boxX, by = this.boxY;
    const dx = this.destXle[L], dc = this.destColLe[L], D = dx[nx - 1];
    const rowBelow = this.rowAcc; // events of rows <= y, then of rows >= y
    let acc = 0;
    for (let y = 0; y < by; y++) {
      // along row y: events of tiles x' <= x (east) and x' >= x (west)
      let left = 0, rowTotal = 0;
      for (let x = 0; x < bx; x++) rowTotal += S[y * nx + x];
      // A row with no events adds nothing (0 x a count): skipped.
      if (rowTotal !== 0) for (let x = 0; x < bx; x++) {
        const n = S[y * nx + x], base = (y * nx + x) * 4;
        left += n;
        load[base] += left * (D - dx[x]); // east: destinations with dx > x
        if (x > 0) load[base + 1] += (rowTotal - left + n) * dx[x - 1]; // west: sources x' >= x, destinations dx < x
      }
      acc += rowTotal;
      rowBelow[y] = acc;
    }
    const total = acc;
    for (let c = 0; c < bx; c++) {
      const col = c * ny, colTotal = dc[col + ny - 1];
      if (colTotal === 0) continue; // no destination in this column: nothing goes north or south in it
      for (let y = 0; y < by; y++) {
        const base = (y * nx + c) * 4;
        load[base + 2] += rowBelow[y] * (colTotal - dc[col + y]); // north: sources y' <= y, destinations dy > y
        if (y > 0) load[base + 3] += (total - rowBelow[y - 1]) * dc[col + y - 1]; // south: sources y' >= y, destinations dy < y
      }
    }
  }

  /** Layer L's inputs when it is a convolution: each event to the cores its receptive fields reach, per (source tile, destination core) flow. */
  private convLayer(L: number, ev: StepEvents): void {
    const nC = this.nCores, dt = this.dest[L], start = dt.start as Int32Array;
    const { pairCnt, pairLast, pairRLast, touched, recv, msgs } = this;
    const co = L > 0 ? this.coreOf[L - 1] : null, lp = L > 0 ? this.localPos[L - 1] : null, ic = L === 0 ? this.inputCore : null;
    const rcBase = this.lRecv + this.lRow[L], lSyn = this.lSyn[L], lSend = this.lSend;
    for (let e = 0; e < ev.n; e++) {
      const i = ev.buf[ev.off + e];
      let c = nC, t = this.portT;
      if (co !== null && lp !== null) { c = co[i]; t = this.startOn(c, lp[i]); }
      else if (ic !== null) { c = ic[i]; t = msgs[c] * lSend; }
      const j0 = start[i], j1 = start[i + 1], rep = this.tileRep[c];
      for (let j = j0; j < j1; j++) {
        const d = dt.cores[j];
        t += lSend;
        const rc = rcBase + dt.syn[j] * lSyn;
        recv[d] += rc;
        const p = rep * nC + d;
        if (pairCnt[p] === 0) { touched[this.nTouched++] = p; pairRLast[p] = 0; pairLast[p] = t; }
        pairCnt[p]++;
        if (t > pairLast[p]) pairLast[p] = t;
        if (rc > pairRLast[p]) pairRLast[p] = rc;
      }
      if (co !== null) msgs[c] += j1 - j0;
      else if (ic !== null) { msgs[c] += j1 - j0; this.fromInput += j1 - j0; }
      else { this.portT = t; this.fromInput += j1 - j0; }
    }
  }

  /** The convolution flows' link loads and last arrivals. */
  private convFlows(): void {
    const nC = this.nCores;
    const { pairCnt, pairLast, pairRLast, touched, routeStart, routeLinks, linkLoad, aEnd } = this;
    for (let q = 0; q < this.nTouched; q++) {
      const p = touched[q], n = pairCnt[p], d = p % nC;
      for (let k = routeStart[p]; k < routeStart[p + 1]; k++) linkLoad[routeLinks[k]] += n;
      const a = pairLast[p] + this.pairHop[p] + pairRLast[p];
      if (a > aEnd[d]) aEnd[d] = a;
      this.hopsX += n * this.pairDx[p];
      this.hopsY += n * this.pairDy[p];
      this.messages += n;
      pairCnt[p] = 0;
    }
  }

  /** The step's other neuron-phase actions (leaks, resets, accumulators), split by neurons held. */
  private neuronExtras(): void {
    if (!this.extraSlot.length) return;
    for (let l = 0; l < this.layers.length; l++) {
      let w = 0;
      const d = this.delta[l];
      for (let k = 0; k < this.extraSlot.length; k++) w += d[this.extraSlot[k]] * this.extraCycles[k];
      if (w === 0) continue;
      const cores = this.sliceCore[l], share = this.sliceShare[l];
      for (let j = 0; j < cores.length; j++) this.extra[cores[j]] += w * share[j];
    }
  }

  /** Links serialize their messages: the busiest needs load x hop latency, then one receive (+ overheads). Clears the loads. */
  private meshBound(acc: TimingAccumulator): number {
    const { linkLoad, linkLat, boxLinks } = this;
    if (this.linksTimed) {
      // Every link takes time: a loaded link makes the bound > 0, so one pass adds and clears.
      const bound = acc.addLinksAndClear(linkLoad, boxLinks, linkLat);
      return bound === 0 ? 0 : bound + this.lRecv + this.ovForward;
    }
    // A link with no latency (e.g. xylo's): loads are kept (not added, not cleared) until a step has a bound.
    let bound = 0;
    for (let k = 0; k < boxLinks.length; k++) {
      const ln = boxLinks[k], b = linkLoad[ln] * linkLat[ln];
      if (b > bound) bound = b;
    }
    if (bound === 0) return 0;
    acc.addLinks(linkLoad, boxLinks);
    for (let k = 0; k < boxLinks.length; k++) linkLoad[boxLinks[k]] = 0;
    return bound + this.lRecv + this.ovForward;
  }

  /** Each core's forward time, the critical core (longest forward + learning, lowest index on ties), the step's cycles. */
  private finishStep(acc: TimingAccumulator, meshBound: number): number {
    const { spikes, msgs, recv, aEnd, extra, genBase, a0, learn } = this;
    const lSpk = this.lSpk, lSend = this.lSend, ov = this.ovForward;
    let fwdMax = 0, crit = 0, critT = -1, learnMax = 0;
    const busy = acc.coreBusy, ovL = this.learnOverhead();
    for (let c = 0; c < this.nCores; c++) {
      // learningPhase's last pass (+ the learning overhead; 0 + 0 when there is nothing to learn)
      const lc = learn[c] + ovL;
      learn[c] = lc;
      if (lc > learnMax) learnMax = lc;
      const send = genBase[c] + spikes[c] * lSpk + msgs[c] * lSend + extra[c];
      const fin = recv[c] > 0 ? Math.max(a0[c] + recv[c], aEnd[c]) : 0;
      const t = Math.max(send, fin) + ov;
      if (t > fwdMax) fwdMax = t;
      if (t + lc > critT) { critT = t + lc; crit = c; }
      busy[c] += Math.max(send, recv[c]) + ov + lc;
    }
    const meshLimited = meshBound > fwdMax;
    if (meshLimited) fwdMax = meshBound;
    const total = fwdMax + learnMax + this.barrier;
    acc.addStep(total, fwdMax, learnMax, crit, meshLimited, this.messages - this.fromInput, this.fromInput, this.hopsX, this.hopsY);
    return total;
  }

  /** Time the end-of-sample learning (a learning phase and a barrier); returns its cycles. */
  sampleEnd(src: StepSource): number {
    const acc = this.acc;
    if (!acc) throw new Error('StepTimer.sampleEnd before beginPhase');
    this.readDeltas(src);
    const learnMax = this.learningPhase();
    if (learnMax === 0) return 0;
    for (let c = 0; c < this.nCores; c++) acc.coreBusy[c] += this.learn[c];
    const total = learnMax + this.barrier;
    acc.addUpdate(total);
    return total;
  }

  /** The timing of every phase timed so far. */
  result(): Record<string, PhaseTiming> {
    const out: Record<string, PhaseTiming> = {};
    for (const [name, a] of this.phases) out[name] = a.summary();
    return out;
  }
}
