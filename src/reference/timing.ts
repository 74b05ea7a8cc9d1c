// TypeScript twin of assembly/timing.ts: one time step of the per-step, per-core timing on the
// mesh (docs/timing.md, "The model of one step"), over a timer arena that the host lays out once
// (src/timing/step-timer.ts). Same operations in the same order as the kernel, all in f64.
import type { Mem } from './memory.js';

// The arena's header, at byte pointer ctx: i32 words (counts and byte pointers) ...
export const H_NC = 0, H_NL = 1, H_NT = 2, H_NX = 3, H_NY = 4, H_BOXX = 5, H_BOXY = 6, H_LINKS_TIMED = 7;
export const H_NBOXLINKS = 8, H_BOXLINKS = 9, H_INPUTCORE = 10, H_TILEOF = 11, H_TILEREP = 12;
export const H_PAIRCNT = 13, H_PAIRLAST = 14, H_PAIRRLAST = 15, H_PAIRHOP = 16, H_PAIRDX = 17, H_PAIRDY = 18;
export const H_ROUTESTART = 19, H_ROUTELINKS = 20, H_TOUCHED = 21, H_TILEREACH = 22, H_TILEHX = 23, H_TILEHY = 24;
export const H_SRCCNT = 25, H_SRCLAST = 26, H_SRCTOUCHED = 27, H_CORECNT = 28, H_CORELASTPOS = 29, H_NUSED = 30;
export const H_ROWACC = 31, H_PATINDEX = 32, H_PATDX = 33, H_PATDY = 34, H_LINKLOAD = 35, H_USEDSLOT = 36;
export const H_SPIKES = 37, H_MSGS = 38, H_RECV = 39, H_A0 = 40, H_AEND = 41, H_EXTRA = 42, H_LEARN = 43, H_GENBASE = 44;
export const H_NEXTRA = 45, H_EXTRASLOT = 46, H_EXTRACYCLES = 47, H_NLEARN = 48, H_LEARNSLOT = 49, H_LEARNCYCLES = 50;
export const H_COREBUSY = 51, H_CRITICAL = 52, H_LINKTOTAL = 53, H_LINKMAX = 54, H_LAYERS = 55, H_EVENTS = 56, H_NTOUCHED = 57;
// ... then f64 words from byte ctx + 256: the model's figures, and the step's results.
export const HEADER_F64 = 256;
export const F_LUPD = 0, F_LSPK = 1, F_LSEND = 2, F_LRECV = 3, F_OVFORWARD = 4, F_BARRIER = 5, F_HOPX = 6, F_HOPY = 7;
export const F_TOTAL = 8, F_FORWARD = 9, F_LEARNMAX = 10, F_CRIT = 11, F_MESHLIMITED = 12;
export const F_MESSAGES = 13, F_FROMINPUT = 14, F_HOPSX = 15, F_HOPSY = 16, F_PORTT = 17;
export const HEADER_BYTES = 512;
// One record per layer L (what L receives: input events for L = 0, spikes of L - 1 otherwise), LAYER_BYTES each.
export const L_DENSE = 0, L_D = 1, L_DCORES = 2, L_DSYN = 3, L_START = 4, L_NDTILES = 5, L_DTILES = 6, L_DTILEOF = 7;
export const L_EWCOEF = 8, L_NSCOEF = 9, L_DRC = 10, L_DSEND = 11, L_NSLICES = 12, L_SLICECORE = 13, L_SLICESHARE = 14;
export const L_COREOF = 15, L_LOCALPOS = 16, L_MONOTONE = 17, L_DELTA = 18, L_SCORES = 19, L_STSTART = 20, L_STILE = 21, L_NST = 22, L_DFIRST = 23, L_SLICEFIRST = 24, L_CNT = 25, L_PREV = 26, L_STPAIRS = 27;
export const L_F64 = 128, LF_LROW = 0, LF_LSYN = 1;
export const LAYER_BYTES = 160;

/** Views of a timer arena: header word h (i32), header figure f (f64), and typed reads at byte pointers. */
class Arena {
  readonly i: Int32Array;
  readonly f: Float64Array;
  constructor(m: Mem, readonly ctx: number) { this.i = m.i32; this.f = m.f64; }
  h(k: number): number { return this.i[(this.ctx >>> 2) + k]; }
  /** Byte pointer in header word k, as an i32 index (a) or an f64 index (d). */
  a(k: number): number { return this.h(k) >>> 2; }
  d(k: number): number { return this.h(k) >>> 3; }
  fig(k: number): number { return this.f[((this.ctx + HEADER_F64) >>> 3) + k]; }
  setFig(k: number, v: number): void { this.f[((this.ctx + HEADER_F64) >>> 3) + k] = v; }
  /** Layer L's record: word k, or its f64 figure k. */
  lw(L: number, k: number): number { return this.i[((this.h(H_LAYERS) + L * LAYER_BYTES) >>> 2) + k]; }
  lf(L: number, k: number): number { return this.f[((this.h(H_LAYERS) + L * LAYER_BYTES + L_F64) >>> 3) + k]; }
}

/** Each layer's count deltas since the last call (only the slots the timing reads), from its counters where the host pointed. */
function countDeltas(A: Arena): void {
  const I = A.i, F = A.f, used = A.a(H_USEDSLOT);
  for (let l = 0; l < A.h(H_NL); l++) {
    const cnt = A.lw(l, L_CNT) >>> 3, prev = A.lw(l, L_PREV) >>> 3, d = A.lw(l, L_DELTA) >>> 3;
    for (let q = 0; q < A.h(H_NUSED); q++) { const s = I[used + q], c = F[cnt + s]; F[d + s] = c - F[prev + s]; F[prev + s] = c; }
  }
}

/** Time one step from the events and counters the host pointed to; returns its cycles (the results are in the header). */
export function timingStep(m: Mem, ctx: number, ovL: number): number {
  const A = new Arena(m, ctx), F = A.f;
  const nL = A.h(H_NL);
  countDeltas(A);
  // spikes, msgs, recv, extra and aEnd are zero here: finishStep clears them as it reads them.
  A.i[(ctx >>> 2) + H_NTOUCHED] = 0;
  for (const k of [F_PORTT, F_FROMINPUT, F_MESSAGES, F_HOPSX, F_HOPSY]) A.setFig(k, 0);
  for (let L = 0; L < nL; L++) {
    if (A.lw(L, L_DENSE)) denseLayer(A, L);
    else convLayer(A, L);
  }
  convFlows(A);
  // The last layer's spikes go nowhere but take their soma time.
  const ev = A.a(H_EVENTS) + 2 * nL, evBuf = A.i[ev] >>> 2, evN = A.i[ev + 1];
  const co = A.lw(nL - 1, L_COREOF) >>> 2, spikes = A.d(H_SPIKES);
  for (let e = 0; e < evN; e++) F[spikes + A.i[co + A.i[evBuf + e]]] += 1;
  neuronExtras(A);
  const meshBound = meshBoundOf(A);
  learningPhase(A, false, 0); // the learning overhead and the slowest core: in finishStep's pass
  return finishStep(A, meshBound, ovL);
}

/** The end-of-sample learning: a learning phase, each core's learning time added to its busy time; returns the slowest core's. */
export function timingSampleEnd(m: Mem, ctx: number, ovL: number): number {
  const A = new Arena(m, ctx), F = A.f;
  countDeltas(A);
  const learnMax = learningPhase(A, true, ovL);
  if (learnMax === 0) return 0;
  const busy = A.d(H_COREBUSY), learn = A.d(H_LEARN);
  for (let c = 0; c < A.h(H_NC); c++) F[busy + c] += F[learn + c];
  return learnMax;
}

/**
 * Layer L's source cores tile by tile (their counts in the core-count table, zeroed here): each
 * core's spikes and messages so far, its last event's start, each tile's count and latest start
 * (0 for a tile without events), and the tiles with events in the touched list; returns how many.
 */
function sourceTiles(A: Arena, L: number, hasCo: boolean, D: number): number {
  const I = A.i, F = A.f;
  const srcCnt = A.a(H_SRCCNT), srcLast = A.d(H_SRCLAST), srcTouched = A.a(H_SRCTOUCHED), msgs = A.d(H_MSGS), spikes = A.d(H_SPIKES);
  const coreCnt = A.a(H_CORECNT), coreLastPos = A.a(H_CORELASTPOS);
  const cores = A.lw(L, L_SCORES) >>> 2, start = A.lw(L, L_STSTART) >>> 2, tiles = A.lw(L, L_STILE) >>> 2, nST = A.lw(L, L_NST);
  const lSend0 = A.fig(F_LSEND), lUpd = A.fig(F_LUPD), lSpk = A.fig(F_LSPK);
  let nSrc = 0;
  for (let u = 0; u < nST; u++) {
    let cnt = 0, last = -1;
    for (let q = I[start + u]; q < I[start + u + 1]; q++) {
      const c = I[cores + q], k = I[coreCnt + c], m = F[msgs + c] + k * D;
      I[coreCnt + c] = 0;
      F[msgs + c] = m;
      // The last event's messages start after the (k - 1) x D before it (integer counts: exact).
      let t = (m - D) * lSend0;
      if (hasCo) {
        const sp = F[spikes + c] + k;
        F[spikes + c] = sp;
        t = (I[coreLastPos + c] + 1) * lUpd + sp * lSpk + t;
      }
      cnt += k;
      if (k > 0 && t > last) last = t;
    }
    const tl = I[tiles + u];
    I[srcCnt + tl] = cnt;
    F[srcLast + tl] = cnt > 0 ? last : 0;
    I[srcTouched + nSrc] = tl;
    if (cnt > 0) nSrc++;
  }
  return nSrc;
}

/**
 * Layer L's inputs when it is dense: every event goes to every core of L. Aggregated per source
 * tile (its cores and the port share their routes): the tile's events and the latest start
 * among them; a tile's last event's message to core j leaves at (its start) + (j + 1) sends.
 */
function denseLayer(A: Arena, L: number): void {
  const I = A.i, F = A.f;
  const nC = A.h(H_NC), D = A.lw(L, L_D);
  const srcCnt = A.a(H_SRCCNT), srcLast = A.d(H_SRCLAST), srcTouched = A.a(H_SRCTOUCHED), tileOf = A.a(H_TILEOF), msgs = A.d(H_MSGS);
  const co = L > 0 ? A.lw(L - 1, L_COREOF) >>> 2 : -1, lp = L > 0 ? A.lw(L - 1, L_LOCALPOS) >>> 2 : -1;
  const ic = L === 0 && A.h(H_INPUTCORE) !== 0 ? A.a(H_INPUTCORE) : -1;
  const ev = A.a(H_EVENTS) + 2 * L, buf = I[ev] >>> 2, n = I[ev + 1];
  const lSend0 = A.fig(F_LSEND), lUpd = A.fig(F_LUPD), lSpk = A.fig(F_LSPK), spikes = A.d(H_SPIKES);
  let nSrc = 0, portT = A.fig(F_PORTT);
  // Events are counted per source core (and the last event), then each core's last event is
  // timed: its messages start latest, as a core's events start later and later (more neurons,
  // spikes and messages before them). That needs the spikes in neuron order and each core's
  // neurons in update order; otherwise every spike is timed. Input events: a core's k-th starts
  // after the (k - 1) x D messages before it, whatever their order. The touched list's next slot
  // is always written and kept only for a new entry (the kernel has no branch there).
  const coreCnt = A.a(H_CORECNT), coreLastPos = A.a(H_CORELASTPOS);
  // Counted and checked for order in one pass; out of order, the counts are undone.
  let counted = false;
  if (co >= 0 && A.lw(L - 1, L_MONOTONE) !== 0 && n > 0) {
    let bad = false, prev = -1;
    for (let e = 0; e < n; e++) {
      const i = I[buf + e], c = I[co + i];
      if (i <= prev) bad = true;
      prev = i;
      I[coreCnt + c]++;
      I[coreLastPos + c] = I[lp + i];
    }
    counted = !bad;
    if (!counted) for (let e = 0; e < n; e++) I[coreCnt + I[co + I[buf + e]]] = 0;
  }
  const gather = (tl: number, t: number, k: number) => {
    const kt = I[srcCnt + tl];
    I[srcTouched + nSrc] = tl;
    F[srcLast + tl] = kt === 0 ? t : Math.max(F[srcLast + tl], t);
    I[srcCnt + tl] = kt + k;
    if (kt === 0) nSrc++;
  };
  if (co >= 0 && !counted) {
    for (let e = 0; e < n; e++) {
      const i = I[buf + e], c = I[co + i], sp = F[spikes + c] + 1, m = F[msgs + c];
      F[spikes + c] = sp;
      const t = (I[lp + i] + 1) * lUpd + sp * lSpk + m * lSend0;
      F[msgs + c] = m + D;
      gather(I[tileOf + c], t, 1);
    }
  } else if (co >= 0) {
    nSrc = sourceTiles(A, L, true, D);
  } else if (ic >= 0 && n > 0) {
    for (let e = 0; e < n; e++) I[coreCnt + I[ic + I[buf + e]]]++;
    nSrc = sourceTiles(A, L, false, D);
  } else if (n > 0) {
    // The port: its events leave back to back, each after the previous one's D messages.
    const tl = I[tileOf + nC];
    I[srcTouched + nSrc++] = tl;
    I[srcCnt + tl] = n;
    let t = portT;
    for (let e = 0; e < n; e++) { t = portT; portT = t + D * lSend0; }
    F[srcLast + tl] = t;
  }
  A.setFig(F_PORTT, portT);
  if (co < 0) A.setFig(F_FROMINPUT, A.fig(F_FROMINPUT) + n * D);
  if (n === 0) return;
  const recv = A.d(H_RECV), aEnd = A.d(H_AEND), dCores = A.lw(L, L_DCORES) >>> 2, nT = A.h(H_NT);
  const dTiles = A.lw(L, L_DTILES) >>> 2, nDT = A.lw(L, L_NDTILES), dTileOf = A.lw(L, L_DTILEOF) >>> 2, reach = A.d(H_TILEREACH);
  // max over sources of (start + hx |sx - dx| + hy |sy - dy|): |a| + |b| is the largest of
  // ±a ±b, so four maxima over the sources give it for every destination in O(1) each.
  const tHX = A.d(H_TILEHX), tHY = A.d(H_TILEHY);
  let mpp = -Infinity, mpm = -Infinity, mmp = -Infinity, mmm = -Infinity;
  for (let k = 0; k < nSrc; k++) {
    const tl = I[srcTouched + k], v = F[srcLast + tl], X = F[tHX + tl], Y = F[tHY + tl];
    mpp = Math.max(mpp, v + X + Y);
    mpm = Math.max(mpm, v + X - Y);
    mmp = Math.max(mmp, v - X + Y);
    mmm = Math.max(mmm, v - X - Y);
  }
  for (let u = 0; u < nDT; u++) {
    const tl = I[dTiles + u], X = F[tHX + tl], Y = F[tHY + tl];
    F[reach + u] = Math.max(Math.max(mpp - X - Y, mpm - X + Y), Math.max(mmp + X - Y, mmm + X + Y));
  }
  const rcs = A.lw(L, L_DRC) >>> 3, sends = A.lw(L, L_DSEND) >>> 3;
  for (let j = 0; j < D; j++) {
    const d = I[dCores + j], rc = F[rcs + j];
    F[recv + d] += n * rc;
    F[aEnd + d] = Math.max(F[aEnd + d], F[reach + I[dTileOf + j]] + F[sends + j] + rc);
  }
  denseLinkLoads(A, L);
  const patIndex = A.a(H_PATINDEX), patDx = A.d(H_PATDX), patDy = A.d(H_PATDY);
  let messages = A.fig(F_MESSAGES), hopsX = A.fig(F_HOPSX), hopsY = A.fig(F_HOPSY);
  for (let k = 0; k < nSrc; k++) {
    const tl = I[srcTouched + k], ns = I[srcCnt + tl];
    I[srcCnt + tl] = 0;
    const pat = I[patIndex + L * nT + tl];
    messages += ns * D;
    hopsX += ns * F[patDx + pat];
    hopsY += ns * F[patDy + pat];
  }
  A.setFig(F_MESSAGES, messages); A.setFig(F_HOPSX, hopsX); A.setFig(F_HOPSY, hopsY);
}

/**
 * Link loads of a dense layer's messages from the step's per-tile event counts, in O(tiles):
 * with XY routing, the east link out of (x, r) carries the events of row r's tiles x' <= x times
 * the destination cores east of x; the north link out of (c, y) carries the events of all rows
 * y' <= y times the destination cores of column c north of y (west and south alike). Equal to
 * summing every (source tile, destination core) route. The host lays out, per tile, the
 * destination counts each link's events multiply (0 where nothing can cross: adding 0 changes
 * nothing), so that a tile's four links are two pairs of lanes in the kernel.
 */
function denseLinkLoads(A: Arena, L: number): void {
  const I = A.i, F = A.f;
  const nx = A.h(H_NX), S = A.a(H_SRCCNT), load = A.d(H_LINKLOAD), bx = A.h(H_BOXX), by = A.h(H_BOXY);
  const ew = A.lw(L, L_EWCOEF) >>> 3, ns = A.lw(L, L_NSCOEF) >>> 3, rowBelow = A.d(H_ROWACC); // events of rows <= y
  let acc = 0;
  for (let y = 0; y < by; y++) {
    let rowTotal = 0;
    for (let x = 0; x < bx; x++) rowTotal += I[S + y * nx + x];
    acc += rowTotal;
    F[rowBelow + y] = acc;
  }
  const total = acc;
  let below = 0;
  for (let y = 0; y < by; y++) {
    const prev = below, rowTotal = F[rowBelow + y] - prev;
    below = F[rowBelow + y];
    let left = 0;
    for (let x = 0; x < bx; x++) {
      const t = y * nx + x, n = I[S + t], p = load + 4 * t;
      left += n;
      F[p] += left * F[ew + 2 * x]; // east: destinations with dx > x
      F[p + 1] += (rowTotal - left + n) * F[ew + 2 * x + 1]; // west: sources x' >= x, destinations dx < x
      F[p + 2] += below * F[ns + 2 * t]; // north: sources y' <= y, destinations dy > y
      F[p + 3] += (total - prev) * F[ns + 2 * t + 1]; // south: sources y' >= y, destinations dy < y
    }
  }
}

/** Layer L's inputs when it is a convolution: each event to the cores its receptive fields reach, per (source tile, destination core) flow. */
function convLayer(A: Arena, L: number): void {
  const I = A.i, F = A.f;
  const nC = A.h(H_NC), start = A.lw(L, L_START) >>> 2, dCores = A.lw(L, L_DCORES) >>> 2, dSyn = A.lw(L, L_DSYN) >>> 3;
  const pairCnt = A.a(H_PAIRCNT), pairLast = A.d(H_PAIRLAST), pairRLast = A.d(H_PAIRRLAST), touched = A.a(H_TOUCHED);
  const recv = A.d(H_RECV), msgs = A.d(H_MSGS), spikes = A.d(H_SPIKES), tileRep = A.a(H_TILEREP);
  const co = L > 0 ? A.lw(L - 1, L_COREOF) >>> 2 : -1, lp = L > 0 ? A.lw(L - 1, L_LOCALPOS) >>> 2 : -1;
  const ic = L === 0 && A.h(H_INPUTCORE) !== 0 ? A.a(H_INPUTCORE) : -1;
  const ev = A.a(H_EVENTS) + 2 * L, buf = I[ev] >>> 2, n = I[ev + 1];
  const rcBase = A.fig(F_LRECV) + A.lf(L, LF_LROW), lSyn = A.lf(L, LF_LSYN), lSend = A.fig(F_LSEND);
  const lUpd = A.fig(F_LUPD), lSpk = A.fig(F_LSPK);
  let portT = A.fig(F_PORTT), fromInput = A.fig(F_FROMINPUT), nTouched = A.h(H_NTOUCHED);
  for (let e = 0; e < n; e++) {
    const i = I[buf + e];
    let c = nC, t = portT;
    if (co >= 0) {
      // after the neurons, spikes and messages before it on its core
      c = I[co + i];
      const sp = F[spikes + c] + 1;
      F[spikes + c] = sp;
      t = (I[lp + i] + 1) * lUpd + sp * lSpk + F[msgs + c] * lSend;
    } else if (ic >= 0) { c = I[ic + i]; t = F[msgs + c] * lSend; }
    const j0 = I[start + i], j1 = I[start + i + 1], rep = I[tileRep + c];
    for (let j = j0; j < j1; j++) {
      const d = I[dCores + j];
      t += lSend;
      const rc = rcBase + F[dSyn + j] * lSyn;
      F[recv + d] += rc;
      const p = rep * nC + d;
      if (I[pairCnt + p] === 0) { I[touched + nTouched++] = p; F[pairRLast + p] = 0; F[pairLast + p] = t; }
      I[pairCnt + p]++;
      if (t > F[pairLast + p]) F[pairLast + p] = t;
      if (rc > F[pairRLast + p]) F[pairRLast + p] = rc;
    }
    if (co >= 0) F[msgs + c] += j1 - j0;
    else if (ic >= 0) { F[msgs + c] += j1 - j0; fromInput += j1 - j0; }
    else { portT = t; fromInput += j1 - j0; }
  }
  A.setFig(F_PORTT, portT);
  A.setFig(F_FROMINPUT, fromInput);
  I[(A.ctx >>> 2) + H_NTOUCHED] = nTouched;
}

/** The convolution flows' link loads and last arrivals. */
function convFlows(A: Arena): void {
  const I = A.i, F = A.f;
  const nC = A.h(H_NC), nTouched = A.h(H_NTOUCHED);
  if (nTouched === 0) return;
  const pairCnt = A.a(H_PAIRCNT), pairLast = A.d(H_PAIRLAST), pairRLast = A.d(H_PAIRRLAST), pairHop = A.d(H_PAIRHOP);
  const pairDx = A.a(H_PAIRDX), pairDy = A.a(H_PAIRDY), touched = A.a(H_TOUCHED);
  const routeStart = A.a(H_ROUTESTART), routeLinks = A.a(H_ROUTELINKS), linkLoad = A.d(H_LINKLOAD), aEnd = A.d(H_AEND);
  let messages = A.fig(F_MESSAGES), hopsX = A.fig(F_HOPSX), hopsY = A.fig(F_HOPSY);
  for (let q = 0; q < nTouched; q++) {
    const p = I[touched + q], n = I[pairCnt + p], d = p % nC;
    for (let k = I[routeStart + p]; k < I[routeStart + p + 1]; k++) F[linkLoad + I[routeLinks + k]] += n;
    const a = F[pairLast + p] + F[pairHop + p] + F[pairRLast + p];
    if (a > F[aEnd + d]) F[aEnd + d] = a;
    hopsX += n * I[pairDx + p];
    hopsY += n * I[pairDy + p];
    messages += n;
    I[pairCnt + p] = 0;
  }
  A.setFig(F_MESSAGES, messages); A.setFig(F_HOPSX, hopsX); A.setFig(F_HOPSY, hopsY);
}

/** Per layer, this step's count deltas x cycles per count (the action slots in `slot`, `cycles`), split over the layer's cores by neurons held into `into`; returns whether any layer had work. */
function splitByNeurons(A: Arena, nSlot: number, slot: number, cycles: number, into: number): boolean {
  const I = A.i, F = A.f;
  let any = false;
  for (let l = 0; l < A.h(H_NL); l++) {
    const d = A.lw(l, L_DELTA) >>> 3;
    let w = 0;
    for (let k = 0; k < nSlot; k++) w += F[d + I[slot + k]] * F[cycles + k];
    if (w === 0) continue;
    any = true;
    const cores = A.lw(l, L_SLICECORE) >>> 2, share = A.lw(l, L_SLICESHARE) >>> 3;
    for (let j = 0; j < A.lw(l, L_NSLICES); j++) F[into + I[cores + j]] += w * F[share + j];
  }
  return any;
}

/** The step's other neuron-phase actions (leaks, resets, accumulators), split by neurons held. */
function neuronExtras(A: Arena): void {
  if (A.h(H_NEXTRA) === 0) return;
  splitByNeurons(A, A.h(H_NEXTRA), A.a(H_EXTRASLOT), A.d(H_EXTRACYCLES), A.d(H_EXTRA));
}

/** Learning cycles per core from this step's deltas into `learn`; returns the slowest (with the overhead ov), or 0 when not asked. */
function learningPhase(A: Arena, withOverhead: boolean, ov: number): number {
  const F = A.f, nC = A.h(H_NC), learn = A.d(H_LEARN);
  F.fill(0, learn, learn + nC);
  const any = splitByNeurons(A, A.h(H_NLEARN), A.a(H_LEARNSLOT), A.d(H_LEARNCYCLES), learn);
  if (!withOverhead || (!any && ov === 0)) return 0;
  let max = 0;
  for (let c = 0; c < nC; c++) { F[learn + c] += ov; if (F[learn + c] > max) max = F[learn + c]; }
  return max;
}

/**
 * Links serialize their messages: the busiest needs load x hop latency, then one receive (+
 * overheads). Adds the loads to the phase's totals and maxima and clears them, except on a
 * model whose links take no time (xylo), where the loads are kept until a step has a bound.
 */
function meshBoundOf(A: Arena): number {
  const I = A.i, F = A.f;
  const load = A.d(H_LINKLOAD), box = A.a(H_BOXLINKS), nBox = A.h(H_NBOXLINKS);
  const total = A.d(H_LINKTOTAL), max = A.d(H_LINKMAX);
  const tail = A.fig(F_LRECV), ov = A.fig(F_OVFORWARD), hopX = A.fig(F_HOPX), hopY = A.fig(F_HOPY);
  // A link's latency from its direction (mesh.ts: dir 0, 1 east and west, 2, 3 north and south).
  const lat = (l: number) => ((l & 3) < 2 ? hopX : hopY);
  let bound = 0;
  if (A.h(H_LINKS_TIMED)) {
    // Every link takes time: a loaded link makes the bound > 0, so one pass adds and clears (an
    // unloaded link adds 0 and changes nothing; the kernel does not branch on it).
    for (let k = 0; k < nBox; k++) {
      const l = I[box + k], v = F[load + l];
      bound = Math.max(bound, v * lat(l));
      F[total + l] += v;
      F[max + l] = Math.max(F[max + l], v);
      F[load + l] = 0;
    }
    return bound === 0 ? 0 : bound + tail + ov;
  }
  for (let k = 0; k < nBox; k++) {
    const l = I[box + k], b = F[load + l] * lat(l);
    if (b > bound) bound = b;
  }
  if (bound === 0) return 0;
  for (let k = 0; k < nBox; k++) {
    const l = I[box + k], v = F[load + l];
    F[total + l] += v;
    if (v > F[max + l]) F[max + l] = v;
    F[load + l] = 0;
  }
  return bound + tail + ov;
}

/** Each core's forward time, the critical core (longest forward + learning, lowest index on ties), the step's cycles. */
function finishStep(A: Arena, meshBound: number, ovL: number): number {
  const F = A.f, nC = A.h(H_NC);
  const spikes = A.d(H_SPIKES), msgs = A.d(H_MSGS), recv = A.d(H_RECV), aEnd = A.d(H_AEND), extra = A.d(H_EXTRA);
  const genBase = A.d(H_GENBASE), a0 = A.d(H_A0), learn = A.d(H_LEARN), busy = A.d(H_COREBUSY);
  const lSpk = A.fig(F_LSPK), lSend = A.fig(F_LSEND), ov = A.fig(F_OVFORWARD);
  let fwdMax = 0, crit = 0, critT = -1, learnMax = 0;
  for (let c = 0; c < nC; c++) {
    // learningPhase's last pass (+ the learning overhead; 0 + 0 when there is nothing to learn)
    const lc = F[learn + c] + ovL;
    F[learn + c] = lc;
    learnMax = Math.max(learnMax, lc);
    const send = F[genBase + c] + F[spikes + c] * lSpk + F[msgs + c] * lSend + F[extra + c];
    const r = F[recv + c];
    const fin = r > 0 ? Math.max(F[a0 + c] + r, F[aEnd + c]) : 0;
    F[spikes + c] = 0; F[msgs + c] = 0; F[extra + c] = 0; F[recv + c] = 0; F[aEnd + c] = 0;
    const t = Math.max(send, fin) + ov;
    fwdMax = Math.max(fwdMax, t);
    if (t + lc > critT) { critT = t + lc; crit = c; }
    F[busy + c] += Math.max(send, r) + ov + lc;
  }
  if (nC > 0) F[A.d(H_CRITICAL) + crit] += 1;
  const meshLimited = meshBound > fwdMax;
  if (meshLimited) fwdMax = meshBound;
  const total = fwdMax + learnMax + A.fig(F_BARRIER);
  A.setFig(F_TOTAL, total); A.setFig(F_FORWARD, fwdMax); A.setFig(F_LEARNMAX, learnMax);
  A.setFig(F_CRIT, crit); A.setFig(F_MESHLIMITED, meshLimited ? 1 : 0);
  return total;
}
